//! The profile service as tiering reads it: who a customer is (by id or msisdn, with the line
//! status and key-person flag), one value summary, and the stream of every summary for batch
//! runs. Summaries are always asked for as of the period being evaluated, so evaluating an old
//! period again reads that period's bills and no later ones. The connection is lazy, so tiering starts while the profile is still starting; its
//! failures become UNAVAILABLE for the caller, never a crash. Every call is signed with the
//! internal credential and carries no caller headers: tiering reads as itself, masked.

use std::time::Duration;

use futures::StreamExt;
use futures::stream::BoxStream;
use tonic::transport::Endpoint;
use tonic::{Code, Status};
use vipcare_proto::profile::v1 as pb;
use vipcare_proto::profile::v1::profile_service_client::ProfileServiceClient;
use vipcare_runtime::{InternalChannel, InternalCredential};

use crate::domain::{CustomerRef, Invalid, LineStatus, Period, ValueSummary};
use crate::error::Error;
use crate::grpc::convert::{status_from_proto, summary_from_proto};

/// Batches of summaries in customer id order, as the profile streams them.
pub type Summaries = BoxStream<'static, Result<Vec<ValueSummary>, Status>>;

/// The facts tiering needs about a customer, read fresh (the profile caches them).
#[derive(Debug, Clone, PartialEq)]
pub struct CustomerFacts {
    pub customer_id: String,
    pub status: LineStatus,
    pub group_key_person: bool,
}

/// A client of the profile service. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Profile {
    client: ProfileServiceClient<InternalChannel>,
}

/// Bound on a single profile call; a batch stream has none.
const CALL_TIMEOUT: Duration = Duration::from_secs(5);

impl Profile {
    pub fn connect_lazy(
        url: &str,
        credential: &InternalCredential,
    ) -> Result<Profile, tonic::transport::Error> {
        let channel = Endpoint::from_shared(url.to_owned())?
            .tcp_nodelay(true)
            .connect_timeout(Duration::from_secs(2))
            .connect_lazy();
        Ok(Profile {
            client: ProfileServiceClient::new(credential.channel(channel))
                .max_decoding_message_size(64 * 1024 * 1024),
        })
    }

    pub async fn customer(&self, who: &CustomerRef) -> Result<CustomerFacts, Error> {
        let lookup = match who {
            CustomerRef::Id(id) => pb::get_customer_request::Lookup::CustomerId(id.clone()),
            CustomerRef::Msisdn(m) => pb::get_customer_request::Lookup::Msisdn(m.clone()),
        };
        let mut request = tonic::Request::new(pb::GetCustomerRequest {
            lookup: Some(lookup),
        });
        request.set_timeout(CALL_TIMEOUT);
        let customer = self
            .client
            .clone()
            .get_customer(request)
            .await
            .map_err(|s| profile_error(s, who))?
            .into_inner()
            .customer
            .ok_or_else(|| Error::Internal("profile answered without a customer".into()))?;
        Ok(CustomerFacts {
            customer_id: customer.customer_id,
            status: status_from_proto(customer.status),
            group_key_person: customer.group.is_some_and(|g| g.key_person),
        })
    }

    /// The customer's value summary as of `period`.
    pub async fn value_summary(
        &self,
        customer_id: &str,
        period: Period,
    ) -> Result<ValueSummary, Error> {
        let mut request = tonic::Request::new(pb::GetValueSummaryRequest {
            customer_id: customer_id.to_owned(),
            period: period.to_string(),
        });
        request.set_timeout(CALL_TIMEOUT);
        self.client
            .clone()
            .get_value_summary(request)
            .await
            .map_err(|s| profile_error(s, &CustomerRef::Id(customer_id.to_owned())))?
            .into_inner()
            .summary
            .map(summary_from_proto)
            .ok_or_else(|| Error::Internal("profile answered without a summary".into()))
    }

    /// Every customer's summary as of `period` after `start_after` (empty: from the first),
    /// in id order.
    pub async fn summaries(
        &self,
        start_after: &str,
        batch_size: i32,
        period: Period,
    ) -> Result<Summaries, Error> {
        let request = pb::StreamValueSummariesRequest {
            start_after_customer_id: start_after.to_owned(),
            batch_size,
            period: period.to_string(),
        };
        self.client
            .clone()
            .stream_value_summaries(request)
            .await
            .map(|response| {
                let batches = response.into_inner().map(|batch| {
                    let summaries = batch?.summaries;
                    Ok(summaries.into_iter().map(summary_from_proto).collect())
                });
                batches.boxed()
            })
            .map_err(stream_error)
    }
}

/// A failure of the summary stream, in tiering's terms.
pub fn stream_error(status: Status) -> Error {
    match status.code() {
        Code::Unavailable
        | Code::DeadlineExceeded
        | Code::ResourceExhausted
        | Code::Unknown
        | Code::Cancelled
        | Code::Aborted => Error::Unavailable(format!("profile service: {}", status.message())),
        _ => Error::Internal(format!("profile service: {status}")),
    }
}

fn profile_error(status: Status, who: &CustomerRef) -> Error {
    let field = match who {
        CustomerRef::Id(_) => "customer_id",
        CustomerRef::Msisdn(_) => "msisdn",
    };
    match status.code() {
        // A mobile number is personal data: the answer says which kind was missing, not whose.
        Code::NotFound => match who {
            CustomerRef::Id(id) => Error::not_found("customer", id),
            CustomerRef::Msisdn(_) => Error::not_found_unnamed("customer"),
        },
        // The profile's own words are not passed on: they may quote the value refused.
        Code::InvalidArgument => {
            Error::invalid(Invalid::new("not accepted by the profile service").at(field))
        }
        _ => stream_error(status),
    }
}
