//! The edge: what every request that is not health or reflection passes through. A tower stack
//! of authentication (API key, or the survey link's built-in client for a customer's keyless
//! answer), the per-client rate limit and the policy table, then dispatch to the gateway's own
//! ChannelService or the proxy. Rejections are plain gRPC statuses.

use std::convert::Infallible;
use std::sync::Arc;

use tonic::Status;
use tonic::body::Body;
use tower::ServiceBuilder;

mod auth;
mod clients;
mod dispatch;
pub mod policy;
mod rate_limit;
pub mod survey_link;

pub use auth::{Authenticate, AuthenticateLayer};
pub use clients::{Client, Clients};
pub use dispatch::Dispatch;
pub use policy::{Authorize, AuthorizeLayer, Policy};
pub use rate_limit::{
    ManualClock, MonotonicClock, RateClock, RateLimit, RateLimitLayer, TokenBucket,
};

use crate::proxy::Proxy;

/// The whole edge, outermost layer first.
pub type Edge<C> = Authenticate<RateLimit<Authorize<Dispatch<C>>>>;

/// Builds the edge around `channel` (the ChannelService server) and the proxy.
pub fn stack<C>(clients: Arc<Clients>, policy: Arc<Policy>, channel: C, proxy: Proxy) -> Edge<C> {
    ServiceBuilder::new()
        // Who is calling: every layer below acts on a known client, and services trust the
        // caller headers this layer sets.
        .layer(AuthenticateLayer::new(clients))
        // Each client's own budget, so one runaway channel system cannot starve the others.
        .layer(RateLimitLayer)
        // The scope each method requires; unlisted methods stay closed.
        .layer(AuthorizeLayer::new(policy))
        .service(Dispatch::new(channel, proxy))
}

/// A trailers-only gRPC response carrying `status`.
pub fn reject(status: Status) -> http::Response<Body> {
    status.into_http()
}

/// What a layer answers with: never an error, rejections are responses.
type Reply<T = http::Response<Body>> = Result<T, Infallible>;

#[cfg(test)]
mod tests;
