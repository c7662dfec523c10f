//! The survey service (`vipcare.survey.v1.SurveyService`, issue 11): key moments, peak-end
//! scoring, baselines, and closing the loop on unhappy customers.
//!
//! - `domain`: the journey model (scenarios of ordered key moments), responses and their
//!   journey score, baselines, alerts, reports' figures, survey fatigue and who is followed up —
//!   free of transport and storage.
//! - `grpc`: the contract, served; `grpc::convert` turns requests into checked domain inputs
//!   (every refused field named as the contract spells it) and domain values into messages.
//! - `store`: scenario versions, invitations, responses and their follow-ups, each customer's
//!   latest satisfaction, the daily roll-ups reports read, and the policy, on SQLite or
//!   PostgreSQL; `roller`: folds new responses into the roll-ups.
//! - `answers`: a checked answer as stored (score, detraction, follow-up owner) and written with
//!   its follow-up, for SubmitResponse and the history import alike.
//! - `notices`: invitations (to the reminder service) and follow-ups (to the complaint service)
//!   through the outbox; `relay`: their delivery, and the follow-up's fate recorded;
//!   `upstream`: who the customer is (profile and tiering); `baselines`: the moments' baselines
//!   as SubmitResponse reads them.
//! - `app`, `settings`, `error`: start-up, what the binary reads of the settings, and what can
//!   go wrong in domain words.

pub mod answers;
pub mod app;
pub mod baselines;
pub mod domain;
pub mod error;
pub mod grpc;
pub mod notices;
pub mod relay;
pub mod roller;
pub mod settings;
pub mod store;
pub mod upstream;

pub use app::{App, AppError};
pub use settings::Settings;
