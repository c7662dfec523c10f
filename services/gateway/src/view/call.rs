//! Calls to the services on a client's behalf, made in one place for every service the views
//! read. Each call carries the client's caller headers (so the service masks and audits as it
//! would for a routed call) and the client's deadline and trace context, and a failure is
//! classified under the service's name.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use http::{HeaderMap, HeaderName};
use tonic::metadata::MetadataMap;

use crate::edge::Client;
use crate::error::GatewayError;

/// Headers of the incoming call that travel on to the services.
const PASSED_ON: [HeaderName; 3] = [
    HeaderName::from_static("grpc-timeout"),
    HeaderName::from_static("traceparent"),
    HeaderName::from_static("tracestate"),
];

/// Who a ChannelService call is for, and what of their call is passed on.
#[derive(Debug, Clone)]
pub struct CallContext {
    client: Arc<Client>,
    passed_on: HeaderMap,
}

impl CallContext {
    pub fn new(client: Arc<Client>, incoming: &MetadataMap) -> CallContext {
        let incoming = incoming.as_ref();
        let mut passed_on = HeaderMap::new();
        for name in PASSED_ON {
            if let Some(value) = incoming.get(&name) {
                passed_on.insert(name, value.clone());
            }
        }
        CallContext { client, passed_on }
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    /// An outgoing request on the client's behalf, masked as `masking` says.
    fn request<T>(&self, message: T, masking: Masking) -> tonic::Request<T> {
        let mut headers = match masking {
            Masking::AsClient => self.client.caller_headers().clone(),
            Masking::Always => self.client.masked_caller_headers().clone(),
        };
        for (name, value) in &self.passed_on {
            headers.insert(name.clone(), value.clone());
        }
        tonic::Request::from_parts(
            MetadataMap::from_headers(headers),
            tonic::Extensions::default(),
            message,
        )
    }
}

/// Whether a read may come back unmasked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Masking {
    /// As the client's scopes allow.
    AsClient,
    /// Masked even for a `pii:read` client (caller look-ups, msisdn resolution).
    Always,
}

/// A generated client of one service, with the name its failures are reported under.
#[derive(Debug, Clone)]
pub struct Upstream<C> {
    service: &'static str,
    client: C,
}

impl<C: Clone> Upstream<C> {
    pub fn new(service: &'static str, client: C) -> Upstream<C> {
        Upstream { service, client }
    }

    /// Sends `message` on the client's behalf with `send` (one method of the generated client).
    pub async fn call<Req, Resp, Fut>(
        &self,
        ctx: &CallContext,
        message: Req,
        masking: Masking,
        send: impl FnOnce(C, tonic::Request<Req>) -> Fut,
    ) -> Result<Resp, GatewayError>
    where
        Fut: Future<Output = Result<tonic::Response<Resp>, tonic::Status>>,
    {
        // Generated clients take `&mut self`; clones share the channel, so each call gets one.
        match send(self.client.clone(), ctx.request(message, masking)).await {
            Ok(response) => Ok(response.into_inner()),
            Err(status) => Err(GatewayError::from_upstream(self.service, status)),
        }
    }
}

/// How long a view or look-up waits for one of its optional sections (tiering's, the
/// reminders): they take milliseconds when well, and a hanging service should cost the agent a
/// second, not the whole deadline of the call.
pub const SECTION_BUDGET: Duration = Duration::from_secs(1);

/// `call`'s answer, or DEADLINE_EXCEEDED (named for `service`) once the budget is spent.
pub async fn within_budget<T>(
    service: &'static str,
    call: impl Future<Output = Result<T, GatewayError>>,
) -> Result<T, GatewayError> {
    tokio::time::timeout(SECTION_BUDGET, call)
        .await
        .unwrap_or(Err(GatewayError::DeadlineExceeded(service)))
}

/// A message a service left out of an answer that always carries it.
pub fn missing(method: &str, field: &str) -> GatewayError {
    GatewayError::Internal(format!("{method} answered without {field}"))
}

#[cfg(test)]
mod tests {
    use vipcare_runtime::Caller;

    use super::*;

    fn incoming() -> MetadataMap {
        let mut md = MetadataMap::new();
        md.insert("grpc-timeout", "250m".parse().unwrap());
        md.insert(
            "traceparent",
            "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
                .parse()
                .unwrap(),
        );
        md.insert("tracestate", "vendor=1".parse().unwrap());
        md.insert("user-agent", "hall-kiosk/2.1".parse().unwrap());
        md
    }

    fn client() -> Arc<Client> {
        Arc::new(Client::new(
            Caller::new("hall-1", "hall", &["customer:read", "pii:read"]),
            1.0,
            1,
        ))
    }

    #[test]
    fn deadline_and_trace_context_travel_on_with_the_caller() {
        let ctx = CallContext::new(client(), &incoming());
        let outgoing = ctx.request((), Masking::AsClient);
        let md = outgoing.metadata();
        assert_eq!(md.get("grpc-timeout").unwrap(), "250m");
        assert_eq!(md.get("tracestate").unwrap(), "vendor=1");
        assert!(md.get("traceparent").is_some());
        assert!(
            md.get("user-agent").is_none(),
            "only what the services need is passed on"
        );
        let caller = Caller::from_metadata(md);
        assert_eq!(caller.client, "hall-1");
        assert!(caller.has_scope("pii:read"));
    }

    #[test]
    fn masked_reads_drop_pii_read_only() {
        let ctx = CallContext::new(client(), &incoming());
        let caller = Caller::from_metadata(ctx.request((), Masking::Always).metadata());
        assert!(!caller.has_scope("pii:read"));
        assert!(caller.has_scope("customer:read"));
        assert_eq!(caller.channel, "hall");
    }
}
