//! What every vipcare binary shares at run time: layered settings, telemetry, the caller identity
//! the gateway hands to services, one gRPC server builder (health, reflection, the tower stack,
//! gRPC-Web) and graceful shutdown. Services build on this instead of repeating the setup.

pub mod caller;
pub mod cli;
pub mod server;
pub mod settings;
pub mod shutdown;
pub mod telemetry;

pub use caller::Caller;
pub use settings::Settings;
