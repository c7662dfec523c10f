//! The tiering service (`vipcare.tiering.v1.TieringService`): it scores every customer from the
//! profile service's value summaries, keeps their tier with its history and overrides, counts
//! benefit use against per-tier quotas, answers the hotline's routing priority and estimates
//! churn risk — each decision with the inputs and reasons it was made from, the customer's
//! latest peak-end score (the survey service's) among them. Tier changes are written to the
//! outbox for the customer to be told, and invalidate the cached customer view.

pub mod app;
pub mod batch;
pub mod domain;
pub mod error;
pub mod expiry;
pub mod grpc;
pub mod reminder;
pub mod schedule;
pub mod service_history;
pub mod settings;
mod stale;
pub mod store;
pub mod survey;
pub mod upstream;

pub use app::{App, AppError};
pub use error::Error;
pub use settings::Settings;
