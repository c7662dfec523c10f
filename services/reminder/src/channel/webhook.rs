//! The webhook channel: each message is one HTTP POST of JSON to the provider's URL, with the
//! attempt's idempotency key both as an `Idempotency-Key` header and in the body, so the
//! provider can drop a repeat (a call that timed out here may well have arrived there).
//!
//! Every call is bounded by the channel's timeout — connecting, sending and reading the answer —
//! so a hanging provider never holds a worker. The channel's circuit breaker counts failures
//! that say the provider is down (no connection, timeout, 5xx, 429); a 4xx refuses one message
//! and shows the provider is up. All webhook channels share one client and its connection pool.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use http::header::{CONTENT_TYPE, USER_AGENT};
use http::{Method, Request, StatusCode, Uri};
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use serde::Serialize;
use vipcare_domain::{Clock, Violation};

use super::breaker::{Breaker, CircuitState};
use super::settings::{ChannelSettings, check_url};
use super::{Accepted, AdapterKind, ChannelAdapter, Outgoing, SendError};
use crate::domain::ContactChannel;

/// The HTTP client webhook channels send with.
pub type HttpClient = Client<HttpConnector, Full<Bytes>>;

/// The header the provider finds the idempotency key in.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// More than a provider's acknowledgement needs; a longer answer is not read to the end.
const MAX_ANSWER_BYTES: usize = 64 * 1024;

/// A client with a connection pool, to be shared by every webhook channel.
pub fn http_client() -> HttpClient {
    let mut connector = HttpConnector::new();
    // Small requests, one at a time per connection: waiting to coalesce them only adds lag.
    connector.set_nodelay(true);
    Client::builder(TokioExecutor::new())
        // Providers close idle connections on their own schedule; drop ours first.
        .pool_idle_timeout(Duration::from_secs(30))
        .pool_timer(TokioTimer::new())
        .build(connector)
}

#[derive(Debug)]
pub struct WebhookAdapter {
    channel: ContactChannel,
    url: Uri,
    timeout: Duration,
    breaker: Breaker,
    client: HttpClient,
}

/// What the provider receives.
#[derive(Serialize)]
struct Wire<'a> {
    attempt_id: &'a str,
    idempotency_key: &'a str,
    customer_id: &'a str,
    address: Option<&'a str>,
    channel: &'static str,
    text: &'a str,
    reminder_ids: &'a [String],
    deadline: DateTime<Utc>,
}

impl WebhookAdapter {
    /// Violations name keys relative to the channel's table (`url`, `timeout_ms`…).
    pub fn new(
        channel: ContactChannel,
        settings: &ChannelSettings,
        client: HttpClient,
        clock: Arc<dyn Clock>,
    ) -> Result<WebhookAdapter, Violation> {
        settings.check()?;
        let url = settings.url.as_deref().unwrap_or_default();
        let url = check_url(url).map_err(|e| e.at("url"))?;
        Ok(WebhookAdapter {
            channel,
            url,
            timeout: settings.timeout(),
            breaker: Breaker::new(channel, settings.breaker(), clock),
            client,
        })
    }

    pub fn circuit(&self) -> CircuitState {
        self.breaker.state()
    }

    fn request(&self, msg: &Outgoing) -> Result<Request<Full<Bytes>>, SendError> {
        let wire = Wire {
            attempt_id: &msg.attempt_id,
            idempotency_key: &msg.idempotency_key,
            customer_id: &msg.customer_id,
            address: msg.address.as_deref(),
            channel: msg.channel.code(),
            text: &msg.text,
            reminder_ids: &msg.reminder_ids,
            deadline: msg.deadline,
        };
        let body = serde_json::to_vec(&wire).map_err(|e| SendError::Malformed(e.to_string()))?;
        let mut request = Request::builder()
            .method(Method::POST)
            .uri(self.url.clone())
            .header(CONTENT_TYPE, "application/json")
            .header(USER_AGENT, "vipcare-reminder")
            .header(IDEMPOTENCY_KEY, msg.idempotency_key.as_str())
            .body(Full::new(Bytes::from(body)))
            .map_err(|_| {
                SendError::Malformed("the idempotency key is not a header value".into())
            })?;
        // A provider that traces too continues the reminder's trace.
        vipcare_trace::inject(request.headers_mut());
        Ok(request)
    }

    /// One request and its answer, unbounded in time (the caller bounds it).
    async fn exchange(&self, request: Request<Full<Bytes>>) -> Result<Accepted, SendError> {
        let response = self
            .client
            .request(request)
            .await
            .map_err(|e| SendError::Unreachable(causes(&e)))?;
        let status = response.status();
        // Read even an error's answer, so the connection goes back to the pool.
        let answer = Limited::new(response.into_body(), MAX_ANSWER_BYTES)
            .collect()
            .await
            .map(|b| b.to_bytes());
        if status.is_success() {
            // The status is the acceptance; the answer only may name the message.
            return Ok(Accepted {
                provider_message_id: answer.ok().as_deref().and_then(message_id),
                receipt_expected: true,
            });
        }
        let code = status.as_u16();
        match status {
            // 408: the provider gave up waiting for our request — a hiccup, not a refusal.
            StatusCode::TOO_MANY_REQUESTS | StatusCode::REQUEST_TIMEOUT => {
                Err(SendError::Unavailable(code))
            }
            s if s.is_server_error() => Err(SendError::Unavailable(code)),
            _ => Err(SendError::Refused(code)),
        }
    }
}

impl ChannelAdapter for WebhookAdapter {
    fn kind(&self) -> AdapterKind {
        AdapterKind::Webhook
    }

    fn send(&self, msg: &Outgoing) -> BoxFuture<'_, Result<Accepted, SendError>> {
        let request = self.request(msg);
        Box::pin(async move {
            let request = request?;
            let Some(permit) = self.breaker.admit() else {
                return Err(SendError::CircuitOpen(self.channel));
            };
            let result = tokio::time::timeout(self.timeout, self.exchange(request))
                .await
                .unwrap_or(Err(SendError::Timeout(self.timeout)));
            match &result {
                Err(e) if e.counts_against_provider() => permit.failed(),
                _ => permit.succeeded(),
            }
            result
        })
    }
}

/// `message_id` (or `id`) of a JSON answer, as text.
fn message_id(answer: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(answer).ok()?;
    let id = value.get("message_id").or_else(|| value.get("id"))?;
    match id {
        serde_json::Value::String(s) if !s.is_empty() => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The error and its causes on one line: the client's own text ("client error (Connect)")
/// says little without "Connection refused" underneath.
fn causes(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
#[path = "webhook_tests.rs"]
mod tests;
