//! What every vipcare binary shares at run time: layered settings, telemetry, the caller identity
//! the gateway hands to services and the internal credential that makes it believable, one gRPC
//! server builder (health, reflection, the tower stack, gRPC-Web), graceful shutdown, and calls
//! gathered into batches.
//! Services build on this instead of repeating the setup.

pub mod batching;
pub mod caller;
pub mod cli;
pub mod customers;
pub mod enum_map;
pub mod internal;
pub mod metrics;
pub mod server;
pub mod settings;
pub mod shutdown;
pub mod status;
pub mod telemetry;

pub use caller::Caller;
pub use internal::{InternalChannel, InternalCredential};
pub use settings::{Sections, SettingsError};
