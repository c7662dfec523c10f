//! The services' door: a call without a valid internal credential is answered UNAUTHENTICATED
//! before any handler runs, so every handler that reads the caller headers reads headers the
//! gateway or a sibling service signed. Health and reflection stay open: Kubernetes probes and
//! `grpcurl list` carry no credential, and neither says anything about a customer.

use std::task::{Context, Poll};

use futures::future::{Either, Ready, ready};
use tower::{Layer, Service};

use super::{InternalCredential, Refusal};

/// Paths served to anyone who reaches the port.
const OPEN_PREFIXES: [&str; 2] = ["/grpc.health.v1.Health/", "/grpc.reflection."];

#[derive(Debug, Clone)]
pub struct RequireCredentialLayer {
    credential: InternalCredential,
}

impl RequireCredentialLayer {
    pub fn new(credential: InternalCredential) -> Self {
        RequireCredentialLayer { credential }
    }
}

impl<S> Layer<S> for RequireCredentialLayer {
    type Service = RequireCredential<S>;
    fn layer(&self, inner: S) -> Self::Service {
        RequireCredential {
            inner,
            credential: self.credential.clone(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct RequireCredential<S> {
    inner: S,
    credential: InternalCredential,
}

impl<S, B, R> Service<http::Request<B>> for RequireCredential<S>
where
    S: Service<http::Request<B>, Response = http::Response<R>>,
    R: Default,
{
    type Response = http::Response<R>;
    type Error = S::Error;
    type Future = Either<Ready<Result<http::Response<R>, S::Error>>, S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: http::Request<B>) -> Self::Future {
        let path = req.uri().path();
        if OPEN_PREFIXES.iter().any(|open| path.starts_with(open)) {
            return Either::Right(self.inner.call(req));
        }
        match self.credential.verify(req.headers()) {
            Ok(()) => Either::Right(self.inner.call(req)),
            Err(refusal) => {
                // A sibling with another secret or a skewed clock shows up here first.
                tracing::warn!(path, %refusal, "call refused: not an internal caller");
                Either::Left(ready(Ok(refuse(refusal).into_http())))
            }
        }
    }
}

/// What the caller is told: enough to tell "call the gateway" from "fix the secret".
fn refuse(refusal: Refusal) -> tonic::Status {
    match refusal {
        Refusal::Missing => tonic::Status::unauthenticated(
            "this service answers internal calls only; call it through the gateway",
        ),
        Refusal::Malformed | Refusal::Expired | Refusal::Forged => {
            tonic::Status::unauthenticated(refusal.to_string())
        }
    }
}
