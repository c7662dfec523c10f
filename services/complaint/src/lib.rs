//! The complaint service (`vipcare.complaint.v1.ComplaintService`, issue 10), being built: so
//! far its domain — what a complaint is, how it moves, the SLA clocks on a business calendar,
//! escalation, promises, repeats and the compensation ledger — free of transport and storage.
//! Its store keeps complaints with their timelines, clocks, promises, follow-ups, escalations,
//! compensation ledger and SLA policy. The gRPC face and the binary come next, in the house
//! shape of the profile.

pub mod domain;
pub mod store;
