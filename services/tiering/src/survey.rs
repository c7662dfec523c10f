//! The survey service as tiering reads it: each customer's latest peak-end score, for the
//! score's satisfaction component and the low-satisfaction churn signal. A single read
//! (EvaluateCustomer, GetChurnRisk) asks GetSatisfaction for at most half a second, like the
//! service signals, and a failure costs the signal ("not considered"), never the call. An
//! evaluation run asks BatchGetSatisfaction once per batch of customers (1,000 ids a call, the
//! survey's most); if the survey cannot answer after a few tries, the batch fails, and with it
//! the run, as when the profile's stream cannot be opened again: scoring a run without the
//! survey would mark down every unhappy customer's neighbours and drop the unhappy ones' risk,
//! and a later run of the period puts it right. Calls are signed with the internal credential
//! and carry no caller headers: tiering reads as itself.

use std::collections::HashMap;
use std::time::Duration;

use futures::future::try_join_all;
use tonic::{Code, Status};
use vipcare_proto::survey::v1 as pb;
use vipcare_proto::survey::v1::survey_service_client::SurveyServiceClient;
use vipcare_runtime::customers::lazy_channel;
use vipcare_runtime::{InternalChannel, InternalCredential};

use crate::domain::{PeakEnd, SurveyAnswer};
use crate::error::Error;
use crate::grpc::convert::time_from_proto;

/// Bound on a single customer's read: churn risk is shown in the customer view, which waits a
/// second for it.
const SINGLE_TIMEOUT: Duration = Duration::from_millis(500);
/// Bound on one call of a run's batch.
const BATCH_TIMEOUT: Duration = Duration::from_secs(5);
/// Customers per BatchGetSatisfaction: the survey service's most.
const BATCH_MOST: usize = 1_000;
/// Tries of a run's batch before the batch fails.
const BATCH_ATTEMPTS: u32 = 3;

/// A client of the survey service. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Survey {
    client: SurveyServiceClient<InternalChannel>,
}

impl Survey {
    /// Connects on first use: tiering starts while the survey service is still starting.
    pub fn connect_lazy(
        url: &str,
        credential: &InternalCredential,
    ) -> Result<Survey, tonic::transport::Error> {
        Ok(Survey {
            client: SurveyServiceClient::new(lazy_channel(url, credential)?),
        })
    }

    /// One customer's latest peak-end score; `Unavailable` (logged) when the survey service
    /// failed or was too slow.
    pub async fn latest(&self, customer_id: &str) -> SurveyAnswer {
        let request = pb::GetSatisfactionRequest {
            customer_id: customer_id.to_owned(),
        };
        let mut client = self.client.clone();
        match tokio::time::timeout(SINGLE_TIMEOUT, client.get_satisfaction(request)).await {
            Ok(Ok(answer)) => {
                SurveyAnswer::Latest(answer.into_inner().satisfaction.as_ref().and_then(peak_end))
            }
            // Never answered a survey.
            Ok(Err(status)) if status.code() == Code::NotFound => SurveyAnswer::Latest(None),
            Ok(Err(status)) => {
                tracing::warn!(code = ?status.code(), "evaluated without the survey service");
                SurveyAnswer::Unavailable
            }
            Err(_) => {
                tracing::warn!("evaluated without the survey service: no answer in time");
                SurveyAnswer::Unavailable
            }
        }
    }

    /// The latest peak-end scores of `customer_ids`, by customer; those without one are left
    /// out. Asked a thousand at a time, all at once, each tried [`BATCH_ATTEMPTS`] times.
    pub async fn latest_of(
        &self,
        customer_ids: &[&str],
    ) -> Result<HashMap<String, PeakEnd>, Error> {
        let calls = customer_ids.chunks(BATCH_MOST).map(|ids| self.batch(ids));
        Ok(try_join_all(calls).await?.into_iter().flatten().collect())
    }

    async fn batch(&self, ids: &[&str]) -> Result<Vec<(String, PeakEnd)>, Error> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut request = tonic::Request::new(pb::BatchGetSatisfactionRequest {
                customer_ids: ids.iter().map(|id| (*id).to_owned()).collect(),
            });
            request.set_timeout(BATCH_TIMEOUT);
            let mut client = self.client.clone();
            let call = client.batch_get_satisfaction(request);
            let status = match tokio::time::timeout(BATCH_TIMEOUT, call).await {
                Ok(Ok(answer)) => {
                    let found = answer.into_inner().satisfactions;
                    return Ok(found
                        .iter()
                        .filter_map(|s| Some((s.customer_id.clone(), peak_end(s)?)))
                        .collect());
                }
                Ok(Err(status)) => status,
                Err(_) => Status::deadline_exceeded("no answer in time"),
            };
            if attempt >= BATCH_ATTEMPTS || !passing(status.code()) {
                return Err(batch_error(&status));
            }
            tracing::warn!(code = ?status.code(), attempt, "survey batch failed; trying again");
            tokio::time::sleep(Duration::from_millis(200 << attempt)).await;
        }
    }
}

/// Trouble that may pass on its own, worth another try.
fn passing(code: Code) -> bool {
    matches!(
        code,
        Code::Unavailable
            | Code::DeadlineExceeded
            | Code::ResourceExhausted
            | Code::Unknown
            | Code::Cancelled
            | Code::Aborted
    )
}

/// A batch the survey could not answer, in tiering's terms.
fn batch_error(status: &Status) -> Error {
    if passing(status.code()) {
        Error::Unavailable(format!("survey service: {}", status.message()))
    } else {
        Error::Internal(format!("survey service: {status}"))
    }
}

/// The latest peak-end of an answer, when it has one. A survey service older than
/// `peak_end_time` gives only the latest response's time, which is no earlier than the
/// peak-end's: the best it can say.
fn peak_end(s: &pb::Satisfaction) -> Option<PeakEnd> {
    let value = s.peak_end?;
    let given = s.peak_end_time.as_ref().or(s.submit_time.as_ref())?;
    let given = time_from_proto(given).ok()?;
    let found = PeakEnd::of(value, given);
    if found.is_none() {
        tracing::warn!(
            value,
            "the survey service gave a peak-end outside 1-5; ignored"
        );
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> Option<prost_types::Timestamp> {
        Some(prost_types::Timestamp { seconds, nanos: 0 })
    }

    #[test]
    fn the_peak_end_is_dated_by_its_own_response() {
        let answer = pb::Satisfaction {
            customer_id: "c1".into(),
            peak_end: Some(2.0),
            peak_end_time: at(1_000),
            submit_time: at(2_000),
            ..pb::Satisfaction::default()
        };
        let found = peak_end(&answer).unwrap();
        assert_eq!((found.value, found.given.timestamp()), (2.0, 1_000));

        let older_survey = pb::Satisfaction {
            peak_end_time: None,
            ..answer.clone()
        };
        assert_eq!(peak_end(&older_survey).unwrap().given.timestamp(), 2_000);

        let nps_only = pb::Satisfaction {
            peak_end: None,
            ..answer.clone()
        };
        assert_eq!(peak_end(&nps_only), None);
        let broken = pb::Satisfaction {
            peak_end: Some(7.0),
            ..answer
        };
        assert_eq!(peak_end(&broken), None);
    }
}
