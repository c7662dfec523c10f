//! The tower layers of the shared server stack and the per-request span.

use std::task::{Context, Poll};
use std::time::Duration;

use http::HeaderValue;
use tower::{Layer, Service};

const GRPC_TIMEOUT: &str = "grpc-timeout";

/// Gives requests that carry no `grpc-timeout` the server's default deadline. Unlike tonic's own
/// server timeout it never shortens a deadline the client chose (a long import is legitimate).
#[derive(Debug, Clone)]
pub struct DefaultDeadlineLayer {
    header: HeaderValue,
}

impl DefaultDeadlineLayer {
    pub fn new(deadline: Duration) -> Self {
        // grpc-timeout allows at most 8 digits; milliseconds cover 27 hours.
        let millis = deadline.as_millis().clamp(1, 99_999_999);
        DefaultDeadlineLayer {
            header: HeaderValue::from_str(&format!("{millis}m"))
                .expect("digits are a valid header"),
        }
    }
}

impl<S> Layer<S> for DefaultDeadlineLayer {
    type Service = DefaultDeadline<S>;
    fn layer(&self, inner: S) -> Self::Service {
        DefaultDeadline {
            inner,
            header: self.header.clone(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct DefaultDeadline<S> {
    inner: S,
    header: HeaderValue,
}

impl<S, B> Service<http::Request<B>> for DefaultDeadline<S>
where
    S: Service<http::Request<B>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: http::Request<B>) -> Self::Future {
        // Health checks and reflection are cheap; every call gets the same treatment anyway.
        req.headers_mut()
            .entry(GRPC_TIMEOUT)
            .or_insert_with(|| self.header.clone());
        self.inner.call(req)
    }
}

/// CORS for gRPC-Web callers: only pages on the operator's `origins` may read answers (a page
/// anywhere else holding a key gets nothing its script can read), and the gRPC status headers
/// are readable by the page.
pub fn grpc_web_cors(origins: Vec<HeaderValue>) -> tower_http::cors::CorsLayer {
    use http::header::{AUTHORIZATION, CONTENT_TYPE};
    use tower_http::cors::{AllowOrigin, CorsLayer};
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([http::Method::POST, http::Method::OPTIONS])
        .allow_headers([
            AUTHORIZATION,
            CONTENT_TYPE,
            http::HeaderName::from_static("x-grpc-web"),
            http::HeaderName::from_static("x-user-agent"),
            http::HeaderName::from_static("grpc-timeout"),
            http::HeaderName::from_static("traceparent"),
        ])
        .expose_headers([
            http::HeaderName::from_static("grpc-status"),
            http::HeaderName::from_static("grpc-message"),
            http::HeaderName::from_static("grpc-status-details-bin"),
        ])
        .max_age(Duration::from_secs(600))
}

/// The span of each request on a `listener` ("gateway" or "service"): named by its method, a
/// child of the caller's trace when it sent `traceparent`. Health checks get none: probes every
/// few seconds per pod would drown the traces.
pub fn request_span(listener: &'static str) -> impl Fn(&http::Request<()>) -> tracing::Span {
    move |req| {
        let path = req.uri().path();
        if path.starts_with(HEALTH_PATH) {
            return tracing::Span::none();
        }
        let span = tracing::info_span!(
            target: vipcare_trace::TARGET,
            "grpc",
            otel.name = path.trim_start_matches('/'),
            otel.kind = "server",
            rpc.system = "grpc",
            vipcare.listener = listener,
        );
        vipcare_trace::continue_from(&span, req.headers());
        span
    }
}

/// Every method of the standard health service starts with it.
const HEALTH_PATH: &str = "/grpc.health.v1.Health/";

#[cfg(test)]
mod tests {
    use super::*;
    use tower::ServiceExt;

    async fn seen_timeout(req: http::Request<()>) -> Option<String> {
        let svc = tower::service_fn(|req: http::Request<()>| async move {
            Ok::<_, std::convert::Infallible>(
                req.headers()
                    .get(GRPC_TIMEOUT)
                    .map(|v| v.to_str().unwrap().to_owned()),
            )
        });
        DefaultDeadlineLayer::new(Duration::from_secs(10))
            .layer(svc)
            .oneshot(req)
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn a_request_without_deadline_gets_the_default() {
        let got = seen_timeout(http::Request::new(())).await;
        assert_eq!(got.as_deref(), Some("10000m"));
    }

    #[tokio::test]
    async fn a_client_deadline_is_kept_even_when_longer() {
        let req = http::Request::builder()
            .header(GRPC_TIMEOUT, "120S")
            .body(())
            .unwrap();
        assert_eq!(seen_timeout(req).await.as_deref(), Some("120S"));
    }
}
