//! The reads the views make of the profile service: the customer (by id, or by number to find
//! the id), the value summary and the latest work-log entries.

use vipcare_proto::profile::v1::profile_service_client::ProfileServiceClient;
use vipcare_proto::profile::v1::{
    Customer, GetCustomerRequest, GetValueSummaryRequest, ListServiceNotesRequest, ServiceNote,
    ValueSummary, get_customer_request,
};
use vipcare_runtime::InternalChannel;

use super::call::{CallContext, Masking, Upstream, missing};
use super::lookup::{CustomerId, Msisdn};
use crate::error::GatewayError;

#[derive(Debug, Clone)]
pub struct ProfileReader {
    upstream: Upstream<ProfileServiceClient<InternalChannel>>,
}

impl ProfileReader {
    pub fn new(channel: InternalChannel, max_message_bytes: usize) -> ProfileReader {
        let client =
            ProfileServiceClient::new(channel).max_decoding_message_size(max_message_bytes);
        ProfileReader {
            upstream: Upstream::new("profile", client),
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
        let request = GetCustomerRequest {
            lookup: Some(lookup),
        };
        self.upstream
            .call(ctx, request, masking, |mut client, request| async move {
                client.get_customer(request).await
            })
            .await?
            .customer
            .ok_or_else(|| missing("GetCustomer", "a customer"))
    }

    pub async fn value_summary(
        &self,
        ctx: &CallContext,
        id: &CustomerId,
    ) -> Result<ValueSummary, GatewayError> {
        let request = GetValueSummaryRequest {
            customer_id: id.as_str().to_owned(),
            // As of the current month: the 12 complete months before it.
            period: String::new(),
        };
        self.upstream
            .call(
                ctx,
                request,
                Masking::AsClient,
                |mut client, request| async move { client.get_value_summary(request).await },
            )
            .await?
            .summary
            .ok_or_else(|| missing("GetValueSummary", "a summary"))
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
        let page = self
            .upstream
            .call(
                ctx,
                request,
                Masking::AsClient,
                |mut client, request| async move { client.list_service_notes(request).await },
            )
            .await?;
        Ok(page.notes)
    }
}
