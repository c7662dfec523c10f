//! What a complaint is and the rules it is handled by, free of transport and storage.

pub mod codes;

pub use codes::{Category, Channel, ComplaintState, RootCauseGap, Severity};
