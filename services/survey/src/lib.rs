//! The survey service (`vipcare.survey.v1.SurveyService`, issue 11): key moments, peak-end
//! scoring, baselines, and closing the loop on unhappy customers.
//!
//! - `domain`: the journey model (scenarios of ordered key moments), responses and their
//!   journey score, baselines, alerts, reports' figures, survey fatigue and who is followed up —
//!   free of transport and storage.
//! - `grpc`: the contract's face; `grpc::convert` turns requests into checked domain inputs
//!   (every refused field named as the contract spells it) and domain values into messages.
//! - `store`: scenario versions, invitations, responses and their follow-ups, each customer's
//!   latest satisfaction, the daily roll-ups reports read (and the roller that fills them), and
//!   the policy, on SQLite or PostgreSQL.

pub mod domain;
pub mod grpc;
pub mod store;
