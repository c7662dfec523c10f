//! Calls to the profile service on a client's behalf. Each call carries the client's caller
//! headers (so the profile service masks and audits as it would for a routed call) and the
//! client's deadline and trace context.

use std::sync::Arc;

use http::{HeaderMap, HeaderName};
use tonic::metadata::MetadataMap;
use tonic::transport::Channel;
use vipcare_proto::profile::v1::profile_service_client::ProfileServiceClient;
use vipcare_proto::profile::v1::{
    Customer, GetCustomerRequest, GetValueSummaryRequest, ListServiceNotesRequest, ServiceNote,
    ValueSummary, get_customer_request,
};

use super::lookup::{CustomerId, Msisdn};
use crate::edge::Client;
use crate::error::GatewayError;

/// Headers of the incoming call that travel on to the services.
const PASSED_ON: [HeaderName; 3] = [
    HeaderName::from_static("grpc-timeout"),
    HeaderName::from_static("traceparent"),
    HeaderName::from_static("tracestate"),
];

const PROFILE: &str = "profile";

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

/// The reads the gateway makes of the profile service.
#[derive(Debug, Clone)]
pub struct ProfileReader {
    client: ProfileServiceClient<Channel>,
}

impl ProfileReader {
    pub fn new(channel: Channel, max_message_bytes: usize) -> ProfileReader {
        ProfileReader {
            client: ProfileServiceClient::new(channel).max_decoding_message_size(max_message_bytes),
        }
    }

    pub async fn customer(
        &self,
        ctx: &CallContext,
        id: &CustomerId,
        masking: Masking,
    ) -> Result<Customer, GatewayError> {
        let lookup = get_customer_request::Lookup::CustomerId(id.as_str().to_owned());
        self.get_customer(ctx, lookup, masking).await
    }

    pub async fn customer_by_msisdn(
        &self,
        ctx: &CallContext,
        msisdn: &Msisdn,
    ) -> Result<Customer, GatewayError> {
        let lookup = get_customer_request::Lookup::Msisdn(msisdn.as_str().to_owned());
        self.get_customer(ctx, lookup, Masking::Always).await
    }

    async fn get_customer(
        &self,
        ctx: &CallContext,
        lookup: get_customer_request::Lookup,
        masking: Masking,
    ) -> Result<Customer, GatewayError> {
        let request = ctx.request(
            GetCustomerRequest {
                lookup: Some(lookup),
            },
            masking,
        );
        let response = self.client.clone().get_customer(request).await;
        response
            .map_err(|status| GatewayError::from_upstream(PROFILE, status))?
            .into_inner()
            .customer
            .ok_or_else(|| GatewayError::Internal("GetCustomer answered without a customer".into()))
    }

    pub async fn value_summary(
        &self,
        ctx: &CallContext,
        id: &CustomerId,
    ) -> Result<ValueSummary, GatewayError> {
        let request = GetValueSummaryRequest {
            customer_id: id.as_str().to_owned(),
        };
        let response = self
            .client
            .clone()
            .get_value_summary(ctx.request(request, Masking::AsClient))
            .await;
        response
            .map_err(|status| GatewayError::from_upstream(PROFILE, status))?
            .into_inner()
            .summary
            .ok_or_else(|| {
                GatewayError::Internal("GetValueSummary answered without a summary".into())
            })
    }

    /// The latest `count` work-log entries, newest first.
    pub async fn recent_notes(
        &self,
        ctx: &CallContext,
        id: &CustomerId,
        count: usize,
    ) -> Result<Vec<ServiceNote>, GatewayError> {
        let request = ListServiceNotesRequest {
            customer_id: id.as_str().to_owned(),
            kind: 0,
            page_size: i32::try_from(count).unwrap_or(i32::MAX),
            page_token: String::new(),
        };
        let response = self
            .client
            .clone()
            .list_service_notes(ctx.request(request, Masking::AsClient))
            .await;
        Ok(response
            .map_err(|status| GatewayError::from_upstream(PROFILE, status))?
            .into_inner()
            .notes)
    }
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
