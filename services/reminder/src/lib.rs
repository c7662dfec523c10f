//! The reminder service: the key touchpoint reminders of a VIP customer, sent on time, in
//! order, never in quiet hours and never lost.

pub mod channel;
pub mod domain;
pub mod store;
