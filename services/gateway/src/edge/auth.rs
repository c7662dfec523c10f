//! API-key authentication. A known client's request continues with the client in its extensions
//! and the gateway's own caller headers; whatever `x-vipcare-*` the client sent is dropped first,
//! so nobody can claim scopes they were not given. The key itself is not passed on. A request
//! with no `authorization` header to one of the survey link's methods continues as the link's
//! built-in client (see [`super::survey_link`]); any other keyless request is refused.

use std::sync::Arc;
use std::task::{Context, Poll};

use futures::future::{Either, Ready, ready};
use http::header::AUTHORIZATION;
use http::{HeaderMap, HeaderName};
use tonic::Code;
use tonic::body::Body;
use tower::{Layer, Service};
use vipcare_runtime::caller::HEADER_PREFIX;
use vipcare_runtime::status;

use super::clients::Unauthenticated;
use super::{Clients, Reply, reject};

#[derive(Debug, Clone)]
pub struct AuthenticateLayer {
    clients: Arc<Clients>,
}

impl AuthenticateLayer {
    pub fn new(clients: Arc<Clients>) -> Self {
        AuthenticateLayer { clients }
    }
}

impl<S> Layer<S> for AuthenticateLayer {
    type Service = Authenticate<S>;
    fn layer(&self, inner: S) -> Self::Service {
        Authenticate {
            inner,
            clients: self.clients.clone(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Authenticate<S> {
    inner: S,
    clients: Arc<Clients>,
}

impl<S> Service<http::Request<Body>> for Authenticate<S>
where
    S: Service<
            http::Request<Body>,
            Response = http::Response<Body>,
            Error = std::convert::Infallible,
        >,
{
    type Response = http::Response<Body>;
    type Error = std::convert::Infallible;
    type Future = Either<Ready<Reply>, S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Reply<()>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: http::Request<Body>) -> Self::Future {
        let client = match self.clients.authenticate(req.headers()) {
            Ok(client) => client,
            Err(Unauthenticated::Missing) => {
                match self.clients.keyless(req.uri().path(), req.headers()) {
                    Some(link) => link,
                    None => {
                        return Either::Left(ready(Ok(reject(status::with_reason(
                            Code::Unauthenticated,
                            "API_KEY_MISSING",
                            "missing API key: send authorization: Bearer <key>",
                        )))));
                    }
                }
            }
            Err(Unauthenticated::Unknown) => {
                return Either::Left(ready(Ok(reject(status::with_reason(
                    Code::Unauthenticated,
                    "API_KEY_UNKNOWN",
                    "unknown API key",
                )))));
            }
        };
        let headers = req.headers_mut();
        headers.remove(AUTHORIZATION);
        drop_caller_headers(headers);
        for (name, value) in client.caller_headers() {
            headers.insert(name.clone(), value.clone());
        }
        req.extensions_mut().insert(client);
        Either::Right(self.inner.call(req))
    }
}

/// Removes every `x-vipcare-*` header (allocates only when a client actually sent one).
fn drop_caller_headers(headers: &mut HeaderMap) {
    let forged: Vec<HeaderName> = headers
        .keys()
        .filter(|name| name.as_str().starts_with(HEADER_PREFIX))
        .cloned()
        .collect();
    for name in forged {
        headers.remove(name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_caller_header_is_dropped() {
        let mut headers = HeaderMap::new();
        headers.insert("x-vipcare-scopes", "pii:read".parse().unwrap());
        headers.append("x-vipcare-scopes", "customer:erase".parse().unwrap());
        headers.insert("x-vipcare-anything", "1".parse().unwrap());
        // A client cannot pass a service credential through either; the proxy signs its own.
        headers.insert("x-vipcare-internal", "v1.1780000000.00".parse().unwrap());
        headers.insert("traceparent", "00-abc-def-01".parse().unwrap());
        drop_caller_headers(&mut headers);
        assert_eq!(headers.len(), 1);
        assert!(headers.contains_key("traceparent"));
    }
}
