//! The reminder service (`vipcare.reminder.v1.ReminderService`): it keeps a rule and templates
//! per touchpoint, turns direct requests, business events and tiering's tier changes into
//! reminders, and sends each one durably through the customer's channels — never after its
//! deadline, never in quiet hours unless urgent, merged in priority order, retried and failed
//! over on delivery receipts. Channel systems call it through the gateway; tiering's outbox
//! relay and billing feeds call it directly.

pub mod app;
pub mod benefits;
pub mod catalogue;
pub mod channel;
pub mod dispatch;
pub mod domain;
pub mod error;
pub mod grpc;
pub mod ingest;
pub mod scheduling;
pub mod settings;
pub mod stale;
pub mod store;
pub mod upstream;

pub use app::{App, AppError};
pub use error::Error;
pub use settings::Settings;
