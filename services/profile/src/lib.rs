//! The customer profile service (`vipcare.profile.v1.ProfileService`): it owns the complete,
//! privacy-safe view of each VIP customer — profile, relations, monthly consumption, the
//! account manager's work log and the audit trail of unmasked reads — and the value summaries
//! tiering is computed from. The gateway calls it on behalf of channel systems; tiering streams
//! value summaries from it. Personal data is masked unless the caller holds `pii:read`, and
//! every unmasked read is audited.

pub mod app;
pub mod domain;
pub mod error;
pub mod grpc;
pub mod reminder;
pub mod settings;
pub mod store;

pub use app::{App, AppError};
pub use error::Error;
pub use settings::Settings;
