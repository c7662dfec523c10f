//! Inviting through the real service: the invitation reaches the reminder service as a
//! SURVEY_INVITATION carrying the survey's link; a second invitation within the tier's
//! `min_days_between` is refused by the survey-fatigue rule with the day the next may go; the
//! token's page shows the scenario as sent and whether it can still be answered.

use chrono::TimeDelta;
use tonic::Code;
use tonic_types::StatusExt;
use vipcare_proto::common::v1::Touchpoint;
use vipcare_proto::survey::v1 as pb;

use crate::harness::{by_staff, code, invitation, suites};

#[tokio::test]
async fn an_invitation_reaches_the_reminder_service_and_a_second_within_14_days_is_refused() {
    for mut suite in suites().await {
        let label = suite.label;
        let customer = suite.customer("GOLD", "").await;
        let mut first = invitation(&customer);
        first.request_id = "invite-1".into();
        let invited = suite.invite(first.clone()).await;
        let token = invited.invitation_token.clone();
        assert_eq!(token.len(), 64, "[{label}] a one-time token, returned once");
        let shown = invited.invitation.unwrap();
        assert_eq!(shown.state(), pb::InvitationState::Open, "[{label}]");
        assert_eq!(shown.scenario_version, 1, "[{label}]");

        let reminders = suite
            .reminders_until(&customer, |all| !all.is_empty())
            .await;
        assert_eq!(reminders.len(), 1, "[{label}] {reminders:?}");
        let sent = &reminders[0];
        assert_eq!(sent.touchpoint(), Touchpoint::SurveyInvitation, "[{label}]");
        let link = format!("https://vip.example.cn/survey/s/{token}");
        assert_eq!(sent.variables["LINK"], link, "[{label}]");
        assert!(
            sent.text.contains(&format!("{link} ")),
            "[{label}] the link stands apart in the message: {}",
            sent.text
        );

        // The same request again: the same invitation, no second reminder, no token.
        let again = suite.invite(first).await;
        assert_eq!(again.invitation, Some(shown.clone()), "[{label}]");
        assert_eq!(
            again.invitation_token, "",
            "[{label}] only its hash is kept"
        );

        suite.clock.advance(TimeDelta::days(13));
        let too_soon = suite
            .surveys
            .invite_to_survey(by_staff(invitation(&customer)))
            .await
            .unwrap_err();
        assert_eq!(too_soon.code(), Code::FailedPrecondition, "[{label}]");
        let failure = too_soon.get_details_precondition_failure().unwrap();
        assert_eq!(failure.violations[0].r#type, "SURVEY_FATIGUE", "[{label}]");
        assert!(
            too_soon.message().contains("2026-06-29"),
            "[{label}] says when the next may go: {}",
            too_soon.message()
        );

        suite.clock.advance(TimeDelta::days(1));
        suite.invite(invitation(&customer)).await;
        let reminders = suite.reminders_until(&customer, |all| all.len() >= 2).await;
        assert_eq!(reminders.len(), 2, "[{label}]");
    }
}

#[tokio::test]
async fn a_diamond_customer_is_asked_least_and_strangers_not_at_all() {
    for mut suite in suites().await {
        let label = suite.label;
        let customer = suite.customer("DIAMOND", "").await;
        suite.invite(invitation(&customer)).await;
        suite.clock.advance(TimeDelta::days(20));
        let refused = suite
            .surveys
            .invite_to_survey(by_staff(invitation(&customer)))
            .await;
        assert_eq!(
            code(refused),
            Code::FailedPrecondition,
            "[{label}] DIAMOND waits 30 days"
        );
        let stranger = suite
            .surveys
            .invite_to_survey(by_staff(invitation("4b0c7f1e-0000-4000-8000-000000000000")))
            .await;
        assert_eq!(code(stranger), Code::NotFound, "[{label}]");
        let mut unknown_scenario = invitation(&customer);
        unknown_scenario.scenario_code = "NO_SUCH".into();
        let refused = suite
            .surveys
            .invite_to_survey(by_staff(unknown_scenario))
            .await;
        assert_eq!(code(refused), Code::NotFound, "[{label}]");
    }
}

#[tokio::test]
async fn the_tokens_page_shows_the_scenario_as_sent_until_it_expires() {
    for mut suite in suites().await {
        let label = suite.label;
        let customer = suite.customer("", "").await;
        let token = suite.invite(invitation(&customer)).await.invitation_token;
        let page = |token: &str| pb::GetInvitationRequest {
            invitation_token: token.into(),
        };
        let shown = suite
            .surveys
            .get_invitation(by_staff(page(&token)))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(shown.state(), pb::InvitationState::Open, "[{label}]");
        let scenario = shown.scenario.unwrap();
        assert_eq!(scenario.scenario_code, "ON_SITE_VISIT", "[{label}]");
        assert_eq!(scenario.moments.len(), 10, "[{label}]");

        suite.clock.advance(TimeDelta::days(7));
        let expired = suite
            .surveys
            .get_invitation(by_staff(page(&token)))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(expired.state(), pb::InvitationState::Expired, "[{label}]");
        let never = suite
            .surveys
            .get_invitation(by_staff(page(&"0".repeat(64))))
            .await;
        assert_eq!(code(never), Code::NotFound, "[{label}]");
    }
}

#[tokio::test]
async fn of_two_invitations_at_once_one_is_sent() {
    for mut suite in suites().await {
        let label = suite.label;
        let customer = suite.customer("", "").await;
        let (mut a, mut b) = (suite.surveys.clone(), suite.surveys.clone());
        let (ra, rb) = tokio::join!(
            a.invite_to_survey(by_staff(invitation(&customer))),
            b.invite_to_survey(by_staff(invitation(&customer)))
        );
        let sent = [ra.is_ok(), rb.is_ok()].iter().filter(|ok| **ok).count();
        assert_eq!(sent, 1, "[{label}] the fatigue rule holds under a race");
        let refused = ra.err().or(rb.err()).unwrap();
        assert_eq!(
            refused.code(),
            Code::FailedPrecondition,
            "[{label}] {refused:?}"
        );
    }
}
