//! The gateway: the only public door of vipcare. Channel systems (halls, the hotline, the web
//! hall, account managers' apps, partners) call it with an API key over gRPC or gRPC-Web. The
//! edge authenticates the key, applies the client's rate limit and the policy table, then either
//! forwards the call to the service that owns it (`/vipcare.<svc>.v1.*`) with caller metadata
//! the gateway sets itself, or answers ChannelService: a customer view composed from the
//! services and cached in Redis, and the hotline's caller look-up. The gateway owns no database.

pub mod app;
pub mod edge;
pub mod error;
pub mod grpc;
pub mod proxy;
pub mod route;
pub mod scopes;
pub mod settings;
pub mod view;

pub use app::App;
pub use error::AppError;
pub use settings::Settings;
