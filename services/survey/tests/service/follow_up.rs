//! Closing the loop through the real services: an unhappy answer opens a follow-up complaint
//! in the complaint service, owned by the staff member the survey is about, else the customer's
//! account manager, else the survey desk; ListDetractors shows it OPENED with its complaint.
//! A happy answer opens nothing.

use vipcare_proto::complaint::v1 as complaint_pb;
use vipcare_proto::survey::v1 as pb;

use crate::harness::{
    at_hall, by_staff, by_token, invitation, scores, staff, suites, survey_link, worked_example,
};

fn opened(all: &[pb::Detractor]) -> usize {
    all.iter()
        .filter(|d| d.follow_up.as_ref().unwrap().state() == pb::FollowUpState::Opened)
        .count()
}

#[tokio::test]
async fn an_unhappy_answer_opens_a_follow_up_complaint_owned_by_who_served_the_customer() {
    for mut suite in suites().await {
        let label = suite.label;
        let customer = suite.customer("GOLD", "AM-9").await;
        let token = suite.invite(invitation(&customer)).await.invitation_token;
        let score = suite
            .submit(&survey_link(), by_token(&token, worked_example()))
            .await;
        let follow_up = score.follow_up.unwrap();
        assert_eq!(follow_up.state(), pb::FollowUpState::Pending, "[{label}]");
        assert_eq!(
            follow_up.reasons,
            [pb::DetractionReason::LowPeakEnd as i32],
            "[{label}] peak-end 2.5 is at the threshold"
        );
        assert_eq!(follow_up.owner, "E1001", "[{label}] the staff member rated");
        assert_eq!(
            follow_up.worst_moment.unwrap().moment_code,
            "COMPLAINT_HANDLING",
            "[{label}]"
        );

        // Without a staff member: the account manager; without either: the desk.
        let no_staff = at_hall(
            &customer,
            "HALL_VISIT",
            "H01",
            "",
            scores(&[("LEAVING_HALL", 1)]),
        );
        let by_manager = suite.submit(&staff(), no_staff).await;
        assert_eq!(by_manager.follow_up.unwrap().owner, "AM-9", "[{label}]");
        let alone = suite.customer("", "").await;
        let to_desk = at_hall(
            &alone,
            "HALL_VISIT",
            "H01",
            "",
            scores(&[("LEAVING_HALL", 2)]),
        );
        let by_desk = suite.submit(&staff(), to_desk).await;
        assert_eq!(by_desk.follow_up.unwrap().owner, "SURVEY-DESK", "[{label}]");
        // A happy answer is no detractor.
        let happy = at_hall(
            &alone,
            "HALL_VISIT",
            "H01",
            "",
            scores(&[("LEAVING_HALL", 5)]),
        );
        let fine = suite.submit(&staff(), happy).await;
        assert_eq!(
            fine.follow_up.unwrap().state(),
            pb::FollowUpState::None,
            "[{label}]"
        );

        let all = suite
            .detractors_until(pb::ListDetractorsRequest::default(), |all| opened(all) == 3)
            .await;
        assert_eq!(all.len(), 3, "[{label}] {all:?}");
        assert_eq!(opened(&all), 3, "[{label}] {all:?}");
        let first = all
            .iter()
            .find(|d| d.response_id == score.response_id)
            .unwrap();
        let complaint_id = first.follow_up.as_ref().unwrap().complaint_id.clone();
        assert!(!complaint_id.is_empty(), "[{label}]");
        assert_eq!(first.peak_end, Some(2.5), "[{label}]");

        let complaint = suite
            .complaints
            .get_complaint(by_staff(complaint_pb::GetComplaintRequest {
                complaint_id: complaint_id.clone(),
            }))
            .await
            .unwrap_or_else(|s| panic!("[{label}] the follow-up complaint: {s:?}"))
            .into_inner()
            .complaint
            .unwrap();
        assert_eq!(complaint.customer_id, customer, "[{label}]");
        assert_eq!(complaint.first_contact_owner, "E1001", "[{label}]");
        assert_eq!(
            complaint.category(),
            complaint_pb::Category::ServiceAttitude,
            "[{label}]"
        );
        assert!(
            complaint.summary.contains("2.5"),
            "[{label}] {}",
            complaint.summary
        );

        let only_opened = suite
            .surveys
            .list_detractors(by_staff(pb::ListDetractorsRequest {
                follow_up_state: pb::FollowUpState::Opened as i32,
                staff_id: "E1001".into(),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner()
            .detractors;
        assert_eq!(only_opened.len(), 1, "[{label}]");
        assert_eq!(only_opened[0].response_id, score.response_id, "[{label}]");
    }
}

#[tokio::test]
async fn a_follow_up_the_complaint_service_refuses_is_recorded_refused_with_its_reason() {
    for mut suite in suites().await {
        let label = suite.label;
        // The profile keeps account managers as free text; the complaint service takes no
        // owner with a space, so it refuses this follow-up for good.
        let customer = suite.customer("", "王 经理").await;
        let unhappy = at_hall(
            &customer,
            "HALL_VISIT",
            "H01",
            "",
            scores(&[("LEAVING_HALL", 1)]),
        );
        let score = suite.submit(&staff(), unhappy).await;
        assert_eq!(score.follow_up.unwrap().owner, "王 经理", "[{label}]");
        let refused = |all: &[pb::Detractor]| {
            all.iter()
                .any(|d| d.follow_up.as_ref().unwrap().state() == pb::FollowUpState::Refused)
        };
        let all = suite
            .detractors_until(pb::ListDetractorsRequest::default(), refused)
            .await;
        assert_eq!(all.len(), 1, "[{label}] {all:?}");
        let follow_up = all[0].follow_up.as_ref().unwrap();
        assert_eq!(follow_up.state(), pb::FollowUpState::Refused, "[{label}]");
        assert!(
            follow_up.refusal.contains("first_contact_owner"),
            "[{label}] the reason is kept: {}",
            follow_up.refusal
        );
        assert_eq!(follow_up.complaint_id, "", "[{label}]");
    }
}
