//! The view's read of the survey service: the customer's latest satisfaction (the peak-end
//! score of the latest answer that has one, the NPS of the latest that gave one, each with its
//! date), for the customer view's "satisfaction" section. One GetSatisfaction, within the
//! section budget: a hanging survey service costs the agent a second, not the call.
//!
//! A customer who never answered a survey is not a failure: the survey service answers
//! NOT_FOUND and the section is complete and empty. The survey service writes the customer's
//! tag with every answer, so a cached view never shows a satisfaction older than the last one.

use tonic::Code;
use vipcare_proto::survey::v1::survey_service_client::SurveyServiceClient;
use vipcare_proto::survey::v1::{GetSatisfactionRequest, GetSatisfactionResponse, Satisfaction};
use vipcare_runtime::InternalChannel;

use super::call::{CallContext, Masking, Upstream, missing, within_budget};
use super::lookup::CustomerId;
use crate::error::GatewayError;

#[derive(Debug, Clone)]
pub struct SurveyReader {
    upstream: Upstream<SurveyServiceClient<InternalChannel>>,
}

impl SurveyReader {
    pub fn new(channel: InternalChannel, max_message_bytes: usize) -> SurveyReader {
        let client = SurveyServiceClient::new(channel).max_decoding_message_size(max_message_bytes);
        SurveyReader {
            upstream: Upstream::new("survey", client),
        }
    }

    /// The customer's latest satisfaction; `None` when they never answered a survey.
    pub async fn latest(
        &self,
        ctx: &CallContext,
        id: &CustomerId,
    ) -> Result<Option<Satisfaction>, GatewayError> {
        let request = GetSatisfactionRequest {
            customer_id: id.as_str().to_owned(),
        };
        let answer = within_budget(
            "survey",
            self.upstream.call(
                ctx,
                request,
                Masking::AsClient,
                |mut client, request| async move { client.get_satisfaction(request).await },
            ),
        )
        .await;
        never_answered_is_none(answer)
    }
}

/// NOT_FOUND from the survey service means the customer never answered: an empty section,
/// not a missing one.
fn never_answered_is_none(
    answer: Result<GetSatisfactionResponse, GatewayError>,
) -> Result<Option<Satisfaction>, GatewayError> {
    match answer {
        Ok(GetSatisfactionResponse { satisfaction }) => satisfaction
            .map(Some)
            .ok_or_else(|| missing("GetSatisfaction", "satisfaction")),
        Err(GatewayError::Refused { status, .. }) if status.code() == Code::NotFound => Ok(None),
        Err(err) => Err(err),
    }
}

#[cfg(test)]
mod tests {
    use tonic::Status;

    use super::*;

    #[test]
    fn a_customer_who_never_answered_has_an_empty_section() {
        let refused = GatewayError::Refused {
            service: "survey",
            status: Status::not_found("no response from C1"),
        };
        assert_eq!(never_answered_is_none(Err(refused)).unwrap(), None);
    }

    #[test]
    fn other_refusals_and_outages_leave_the_section_missing() {
        let refused = GatewayError::Refused {
            service: "survey",
            status: Status::invalid_argument("customer_id"),
        };
        assert!(never_answered_is_none(Err(refused)).is_err());
        assert!(never_answered_is_none(Err(GatewayError::Unavailable("survey"))).is_err());
        assert!(
            never_answered_is_none(Ok(GetSatisfactionResponse { satisfaction: None })).is_err()
        );
    }

    #[test]
    fn an_answer_is_shown_as_given() {
        let given = Satisfaction {
            customer_id: "C1".into(),
            peak_end: Some(1.5),
            nps: Some(3),
            ..Satisfaction::default()
        };
        let shown = never_answered_is_none(Ok(GetSatisfactionResponse {
            satisfaction: Some(given.clone()),
        }));
        assert_eq!(shown.unwrap(), Some(given));
    }
}
