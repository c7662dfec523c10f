//! A complaint's life through the real service: opened, acknowledged, worked on, waiting for
//! the customer with its clock paused, transferred (the first-contact owner stays), resolved
//! (the customer told the result) and confirmed; illegal moves and lost races refused, nothing
//! written. What follows a resolution is in `after_resolution`.

use chrono::TimeDelta;
use tonic::Code;
use vipcare_proto::common::v1::Touchpoint;
use vipcare_proto::complaint::v1 as pb;
use vipcare_testkit::status::violated_fields;

use crate::harness::{by_agent, code, opening, refusal, suites};
use crate::lifecycle_calls::{AGENT, made, sla, solved};

#[tokio::test]
async fn a_complaint_is_handled_from_opening_to_confirmation() {
    for mut suite in suites().await {
        let label = suite.label;
        let customer = suite.customer("DIAMOND").await;
        let opened = suite.open(opening(&customer)).await.complaint.unwrap();
        let id = opened.complaint_id.clone();
        assert_eq!(opened.state(), pb::ComplaintState::Open, "[{label}]");
        assert_eq!(
            (opened.handler.as_str(), opened.version),
            (AGENT, 1),
            "[{label}]"
        );
        assert_eq!(opened.tier_at_opening, "DIAMOND", "[{label}]");

        let acked = made(label, "acknowledge", suite.acknowledge(&id).await);
        assert_eq!(acked.complaint.state(), pb::ComplaintState::Acknowledged);
        assert_eq!(acked.entry.kind(), pb::TimelineEntryKind::Acknowledged);
        assert_eq!(acked.entry.version, 2, "[{label}]");
        let response = sla(&acked.complaint).response.as_ref().unwrap();
        assert!(
            response.done_at.is_some(),
            "[{label}] the acknowledgement is the response"
        );

        made(label, "start", suite.start_work(&id).await);
        suite.clock.advance(TimeDelta::hours(1));
        let waiting = made(
            label,
            "wait",
            suite.wait_for_customer(&id, "请提供扣费短信截图").await,
        );
        let clock = sla(&waiting.complaint);
        assert!(
            clock.paused,
            "[{label}] waiting for the customer pauses the clock"
        );
        assert_eq!(clock.pauses.len(), 1, "[{label}]");
        assert_eq!(clock.pauses[0].reason, "请提供扣费短信截图", "[{label}]");
        let resolution = clock.resolution.as_ref().unwrap();
        assert!(
            resolution.due_at.is_none(),
            "[{label}] a paused clock has no due time"
        );

        suite.clock.advance(TimeDelta::hours(5));
        let resumed = made(label, "resume", suite.resume_work(&id).await);
        let clock = sla(&resumed.complaint);
        assert!(
            !clock.paused && clock.pauses[0].resumed_at.is_some(),
            "[{label}]"
        );
        let elapsed = clock.resolution.as_ref().unwrap().elapsed.unwrap();
        assert_eq!(
            elapsed.seconds, 3600,
            "[{label}] the five hours waited are not counted"
        );

        let moved = made(
            label,
            "transfer",
            suite.transfer(&id, "E2002", "需要计费专员核查").await,
        );
        assert_eq!(moved.complaint.handler, "E2002", "[{label}]");
        assert_eq!(moved.complaint.first_contact_owner, AGENT, "[{label}]");

        let mut missing = solved();
        missing.resolution.clear();
        missing.root_cause_gap = 0;
        let refused = suite.resolve_with(&id, missing).await.unwrap_err();
        assert_eq!(
            refused.code(),
            Code::InvalidArgument,
            "[{label}] {refused:?}"
        );
        let mut fields = violated_fields(&refused);
        fields.sort();
        assert_eq!(fields, ["resolution", "root_cause_gap"], "[{label}]");

        let resolved = made(label, "resolve", suite.resolve(&id).await);
        let c = &resolved.complaint;
        assert_eq!(c.state(), pb::ComplaintState::Resolved, "[{label}]");
        assert_eq!(c.resolution.as_ref().unwrap().text, "已退还多扣的30元话费");
        assert!(
            sla(c).resolution.as_ref().unwrap().done_at.is_some(),
            "[{label}]"
        );

        let confirmed = made(label, "confirm", suite.confirm(&id, &customer).await);
        assert_eq!(
            confirmed.complaint.state(),
            pb::ComplaintState::Closed,
            "[{label}]"
        );
        assert_eq!(confirmed.complaint.first_contact_owner, AGENT, "[{label}]");
        assert_eq!(
            confirmed.complaint.version, 8,
            "[{label}] one version per move"
        );

        // Acknowledged, waiting, the transfer task and the result: four reminders.
        let reminders = suite.reminders_of(&customer, 4).await;
        let task = reminders
            .iter()
            .find(|r| r.touchpoint() == Touchpoint::StaffTask)
            .unwrap_or_else(|| panic!("[{label}] a staff task in {reminders:?}"));
        assert_eq!(
            task.staff_assignee, "E2002",
            "[{label}] the new handler is told"
        );
        assert!(task.text.contains(&id) && task.text.contains("需要计费专员核查"));
        let texts: Vec<&str> = reminders.iter().map(|r| r.text.as_str()).collect();
        assert!(
            texts.iter().any(|t| t.contains("请提供扣费短信截图")),
            "[{label}]"
        );
        assert!(
            texts.iter().any(|t| t.contains("已退还多扣的30元话费")),
            "[{label}]"
        );
    }
}

#[tokio::test]
async fn what_cannot_be_solved_is_explained_to_the_customer() {
    for mut suite in suites().await {
        let label = suite.label;
        let customer = suite.customer("").await;
        let id = suite
            .open(opening(&customer))
            .await
            .complaint
            .unwrap()
            .complaint_id;
        let mut blank = solved();
        blank.explanation = " ".into();
        let refused = suite.resolve_with(&id, blank).await;
        crate::harness::assert_invalid(label, refused, "explanation");

        let mut cannot = solved();
        cannot.explanation = "该套餐已下线,无法恢复,已为您改办同价位套餐".into();
        let resolved = made(label, "resolve", suite.resolve_with(&id, cannot).await);
        let resolution = resolved.complaint.resolution.unwrap();
        assert_eq!(
            resolution.explanation,
            "该套餐已下线,无法恢复,已为您改办同价位套餐"
        );
        let result = suite.reminders_of(&customer, 1).await;
        assert!(
            result[0].text.contains("该套餐已下线"),
            "[{label}] {result:?}"
        );
    }
}

#[tokio::test]
async fn moves_the_state_forbids_are_refused_whatever_their_values() {
    for mut suite in suites().await {
        let label = suite.label;
        let customer = suite.customer("").await;
        let id = suite
            .open(opening(&customer))
            .await
            .complaint
            .unwrap()
            .complaint_id;
        assert_eq!(
            refusal(suite.start_work(&id).await),
            "COMPLAINT_OPEN",
            "[{label}]"
        );
        assert_eq!(
            refusal(suite.confirm(&id, &customer).await),
            "COMPLAINT_OPEN"
        );
        // An illegal move is refused as such even with its values wrong.
        assert_eq!(
            refusal(suite.wait_for_customer(&id, "").await),
            "COMPLAINT_OPEN"
        );
        made(label, "acknowledge", suite.acknowledge(&id).await);
        assert_eq!(code(suite.acknowledge(&id).await), Code::FailedPrecondition);
        let to_self = suite.transfer(&id, AGENT, "换人").await;
        crate::harness::assert_invalid(label, to_self, "to_handler");
        made(label, "resolve", suite.resolve(&id).await);
        made(label, "close", suite.close(&id).await);
        let late = suite.transfer(&id, "E2002", "换人").await;
        assert_eq!(refusal(late), "COMPLAINT_CLOSED", "[{label}]");
        let unknown = suite.acknowledge("C20260615-NOSUCHONE2").await;
        assert_eq!(code(unknown), Code::NotFound, "[{label}]");
        let nameless = suite.acknowledge("").await;
        crate::harness::assert_invalid(label, nameless, "complaint_id");
        let timeline = suite.timeline(&id).await;
        let kinds: Vec<_> = timeline.iter().map(|e| e.kind()).collect();
        use pb::TimelineEntryKind as K;
        assert_eq!(
            kinds,
            [K::Opened, K::Acknowledged, K::Resolved, K::Closed],
            "[{label}]"
        );
    }
}

#[tokio::test]
async fn of_two_handlers_moving_the_same_version_one_wins() {
    for mut suite in suites().await {
        let label = suite.label;
        let customer = suite.customer("").await;
        let id = suite
            .open(opening(&customer))
            .await
            .complaint
            .unwrap()
            .complaint_id;
        let note = |actor: &str| pb::AddActionRequest {
            complaint_id: id.clone(),
            actor: actor.into(),
            kind: pb::ActionKind::Call as i32,
            text: format!("{actor} 回电客户"),
            expected_version: 1,
            ..Default::default()
        };
        let (mut a, mut b) = (suite.complaints.clone(), suite.complaints.clone());
        let (first, second) = tokio::join!(
            a.add_action(by_agent(note("E1001"))),
            b.add_action(by_agent(note("E3003")))
        );
        let mut codes = [first.is_ok(), second.is_ok()];
        codes.sort();
        assert_eq!(codes, [false, true], "[{label}] {first:?} {second:?}");
        let lost = first.err().or(second.err()).unwrap();
        assert_eq!(lost.code(), Code::Aborted, "[{label}] {lost:?}");
        assert_eq!(
            suite.timeline(&id).await.len(),
            2,
            "[{label}] one entry for the winner"
        );
        assert_eq!(suite.get(&id).await.version, 2, "[{label}]");
        // Without a version the move is made over whatever the complaint is at now.
        let unchecked = made(
            label,
            "note",
            suite.add_note(&id, "E3003", "再次回电").await,
        );
        assert_eq!(unchecked.entry.version, 3, "[{label}]");
    }
}
