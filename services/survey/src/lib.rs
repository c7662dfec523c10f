//! The survey service (`vipcare.survey.v1.SurveyService`, issue 11): key moments, peak-end
//! scoring, baselines, and closing the loop on unhappy customers.
//!
//! - `domain`: the journey model (scenarios of ordered key moments), responses and their
//!   journey score, baselines, alerts, reports' figures, survey fatigue and who is followed up —
//!   free of transport and storage.
//! - `store`: scenario versions, invitations, responses and their follow-ups, each customer's
//!   latest satisfaction, the daily roll-ups reports read (and the roller that fills them), and
//!   the policy, on SQLite or PostgreSQL.

pub mod domain;
pub mod store;
