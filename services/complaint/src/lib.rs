//! The complaint service (`vipcare.complaint.v1.ComplaintService`, issue 10): first-contact
//! ownership, SLA clocks on business hours, promises kept, follow-up to the end.
//!
//! - `domain`: what a complaint is, how it moves, the SLA clocks on a business calendar,
//!   escalation, promises, repeats and the compensation ledger — free of transport and storage;
//! - `store`: complaints with their timelines, clocks, promises, follow-ups, escalations,
//!   compensation ledger and SLA policy;
//! - `grpc`: the contract, served; `notices`: what the customer and staff are told, through the
//!   reminder service via the outbox; `upstream`: who the customer is (profile and tiering);
//! - `handling`: one move of a complaint, the same for a handler and the background pass;
//! - `app`, `settings`: start-up and what the binary reads of the settings.

pub mod app;
pub mod domain;
pub mod error;
pub mod grpc;
pub mod handling;
pub mod notices;
pub mod relay;
pub mod rules;
pub mod settings;
pub mod store;
pub mod sweep;
pub mod upstream;

pub use app::{App, AppError};
pub use settings::Settings;
