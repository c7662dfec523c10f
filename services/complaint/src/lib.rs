//! The complaint service (`vipcare.complaint.v1.ComplaintService`, issue 10), being built: so
//! far its domain — what a complaint is, how it moves, the SLA clocks on a business calendar,
//! escalation, promises, repeats and the compensation ledger — free of transport and storage.
//! The store, the gRPC face and the binary come next, in the house shape of the profile.

pub mod domain;
