//! Per-RPC rate, errors and latency: every call a server answers is one observation of the
//! histogram `rpc.server.duration` (milliseconds; Prometheus: `rpc_server_duration_milliseconds`)
//! labelled by `rpc_service`, `rpc_method` and `rpc_grpc_status_code`, and by
//! `vipcare_listener` (`gateway` for the public door, `service` for a service's own port: in the
//! suite both answer the same method in one process), so rate is its count,
//! errors its count by status, latency its buckets. Health checks are left out: probes would
//! drown the calls that matter.
//!
//! The status is the one the answer's headers carry (every refusal and failure answered at
//! once); an answer whose headers carry none began well and counts as OK — a stream that fails
//! later, in its trailers, is not seen as failed here. For a stream the time is until its
//! first answer.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use opentelemetry::KeyValue;
use opentelemetry::metrics::Histogram;
use tower::{Layer, Service};

/// Bucket bounds in milliseconds: from a cached read to a deadline.
const BOUNDS_MS: [f64; 15] = [
    0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 25.0, 50.0, 100.0, 250.0, 500.0, 1000.0, 2500.0, 5000.0,
    10000.0,
];

/// Records every call through the server it wraps.
#[derive(Debug, Clone)]
pub struct RpcMetricsLayer {
    duration: Histogram<f64>,
    listener: &'static str,
}

impl RpcMetricsLayer {
    /// Instruments from the process's meter: make it after [`super::init`]. `listener` is
    /// `gateway` or `service`.
    pub fn new(listener: &'static str) -> Self {
        RpcMetricsLayer {
            listener,
            duration: super::meter()
                .f64_histogram("rpc.server.duration")
                .with_unit("ms")
                .with_description("Time to answer each gRPC call, by service, method and status")
                .with_boundaries(BOUNDS_MS.to_vec())
                .build(),
        }
    }
}

impl<S> Layer<S> for RpcMetricsLayer {
    type Service = RpcMetrics<S>;
    fn layer(&self, inner: S) -> Self::Service {
        RpcMetrics {
            inner,
            duration: self.duration.clone(),
            listener: self.listener,
        }
    }
}

#[derive(Debug, Clone)]
pub struct RpcMetrics<S> {
    inner: S,
    duration: Histogram<f64>,
    listener: &'static str,
}

impl<S, B, RB> Service<http::Request<B>> for RpcMetrics<S>
where
    S: Service<http::Request<B>, Response = http::Response<RB>>,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<S::Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: http::Request<B>) -> Self::Future {
        let called = method_of(req.uri().path());
        let answer = self.inner.call(req);
        let Some((service, method)) = called else {
            return Box::pin(answer);
        };
        let duration = self.duration.clone();
        let listener = self.listener;
        let started = Instant::now();
        Box::pin(async move {
            let answered = answer.await;
            let status = match &answered {
                Ok(response) => status_of(response.headers()),
                // The transport failed the call: gRPC's UNAVAILABLE is what the caller sees.
                Err(_) => 14,
            };
            duration.record(
                started.elapsed().as_secs_f64() * 1000.0,
                &[
                    KeyValue::new("rpc.system", "grpc"),
                    KeyValue::new("vipcare.listener", listener),
                    KeyValue::new("rpc.service", service),
                    KeyValue::new("rpc.method", method),
                    KeyValue::new("rpc.grpc.status_code", status),
                ],
            );
            answered
        })
    }
}

/// `/package.Service/Method` as (service, method); `None` for health checks and anything
/// that is not a gRPC path.
fn method_of(path: &str) -> Option<(String, String)> {
    let (service, method) = path.strip_prefix('/')?.split_once('/')?;
    if service.is_empty() || method.is_empty() || service == "grpc.health.v1.Health" {
        return None;
    }
    Some((service.to_owned(), method.to_owned()))
}

/// The gRPC status the headers carry; none means the answer began well (OK).
fn status_of(headers: &http::HeaderMap) -> i64 {
    headers
        .get("grpc-status")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_are_named_by_service_and_method_and_probes_are_left_out() {
        assert_eq!(
            method_of("/vipcare.profile.v1.ProfileService/GetCustomer"),
            Some((
                "vipcare.profile.v1.ProfileService".into(),
                "GetCustomer".into()
            ))
        );
        assert_eq!(method_of("/grpc.health.v1.Health/Check"), None);
        assert_eq!(method_of("/metrics"), None);
        assert_eq!(method_of("//X"), None);
    }

    #[test]
    fn the_status_is_the_headers_or_ok() {
        let mut headers = http::HeaderMap::new();
        assert_eq!(status_of(&headers), 0);
        headers.insert("grpc-status", http::HeaderValue::from_static("5"));
        assert_eq!(status_of(&headers), 5);
    }
}
