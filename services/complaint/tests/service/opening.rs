//! Opening a complaint through the real service: who the customer is and their tier come from
//! the profile and tiering; a complaint in the same category within 30 days repeats the earlier
//! one, linked and one severity higher; bad openings are refused naming every field and store
//! nothing; a repeated request_id returns the first complaint.

use chrono::TimeDelta;
use tonic::Code;
use vipcare_proto::complaint::v1 as pb;
use vipcare_testkit::status::violated_fields;

use crate::harness::{assert_invalid, by_agent, code, opening, suites};

#[tokio::test]
async fn a_repeat_within_30_days_is_linked_and_starts_one_severity_higher() {
    for mut suite in suites().await {
        let label = suite.label;
        let customer = suite.customer("PLATINUM").await;
        let first = suite.open(opening(&customer)).await;
        assert_eq!(first.repeat_of, "", "[{label}] the first is no repeat");
        let first = first.complaint.unwrap();
        assert!(
            first.complaint_id.starts_with("C2026061"),
            "[{label}] {}",
            first.complaint_id
        );

        suite.clock.advance(TimeDelta::days(10));
        let again = suite.open(opening(&customer)).await;
        assert_eq!(again.repeat_of, first.complaint_id, "[{label}]");
        let again = again.complaint.unwrap();
        assert_eq!(
            again.severity(),
            pb::Severity::High,
            "[{label}] MEDIUM raised one step"
        );
        assert_eq!(again.related_complaint_ids, [first.complaint_id.as_str()]);

        let mut other = opening(&customer);
        other.category = pb::Category::Network as i32;
        let other = suite.open(other).await;
        assert_eq!(
            other.repeat_of, "",
            "[{label}] another category is no repeat"
        );
        assert_eq!(other.complaint.unwrap().severity(), pb::Severity::Medium);

        // The most recent earlier one is linked; 31 days after it, none is.
        suite.clock.advance(TimeDelta::days(5));
        let third = suite.open(opening(&customer)).await;
        assert_eq!(third.repeat_of, again.complaint_id, "[{label}]");
        suite.clock.advance(TimeDelta::days(31));
        let late = suite.open(opening(&customer)).await;
        assert_eq!(late.repeat_of, "", "[{label}] older than 30 days");
    }
}

#[tokio::test]
async fn bad_openings_are_refused_naming_every_field_and_store_nothing() {
    for mut suite in suites().await {
        let label = suite.label;
        let customer = suite.customer("").await;
        let mut blank = opening(&customer);
        blank.summary = "  ".into();
        let refused = suite.complaints.open_complaint(by_agent(blank)).await;
        assert_invalid(label, refused, "summary");

        let mut many = opening(&customer);
        many.channel = 0;
        many.severity = 42;
        many.first_contact_owner = "E 1001".into();
        let refused = suite
            .complaints
            .open_complaint(by_agent(many))
            .await
            .unwrap_err();
        let mut fields = violated_fields(&refused);
        fields.sort();
        assert_eq!(
            fields,
            ["channel", "first_contact_owner", "severity"],
            "[{label}]"
        );

        // Well formed (the profile's ids are UUIDs), but no one's.
        let nobody = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";
        let stranger = opening(nobody);
        let refused = suite.complaints.open_complaint(by_agent(stranger)).await;
        let status = refused.as_ref().unwrap_err();
        assert_eq!(status.code(), Code::NotFound, "[{label}] {status:?}");
        assert!(status.message().contains(nobody), "[{label}] {status:?}");

        assert!(
            suite.complaints_of(&customer).await.is_empty(),
            "[{label}] nothing stored"
        );
        let first = suite.open(opening(&customer)).await;
        assert_eq!(
            first.repeat_of, "",
            "[{label}] no refused opening counts as earlier"
        );
    }
}

#[tokio::test]
async fn a_repeated_request_id_returns_the_first_complaint() {
    for mut suite in suites().await {
        let label = suite.label;
        let customer = suite.customer("").await;
        let mut request = opening(&customer);
        request.request_id = "hotline-call-7781".into();
        let first = suite.open(request.clone()).await.complaint.unwrap();
        suite.clock.advance(TimeDelta::minutes(1));
        let again = suite.open(request.clone()).await;
        assert_eq!(
            again.complaint.unwrap().complaint_id,
            first.complaint_id,
            "[{label}]"
        );
        assert_eq!(
            again.repeat_of, "",
            "[{label}] the first answer, not a repeat of itself"
        );
        assert_eq!(suite.complaints_of(&customer).await.len(), 1, "[{label}]");

        let mut changed = request;
        changed.summary = "另一件事".into();
        let reused = suite.complaints.open_complaint(by_agent(changed)).await;
        assert_invalid(label, reused, "request_id");

        // A move retried with its request_id is made once, answered the same.
        let ack = pb::AcknowledgeComplaintRequest {
            complaint_id: first.complaint_id.clone(),
            actor: "E1001".into(),
            request_id: "ack-1".into(),
            expected_version: 1,
        };
        let once = suite
            .complaints
            .acknowledge_complaint(by_agent(ack.clone()))
            .await;
        let twice = suite.complaints.acknowledge_complaint(by_agent(ack)).await;
        let (once, twice) = (once.unwrap().into_inner(), twice.unwrap().into_inner());
        assert_eq!(once, twice, "[{label}] the first answer, not ABORTED");
        assert_eq!(
            suite.timeline(&first.complaint_id).await.len(),
            2,
            "[{label}]"
        );
        assert_eq!(
            code(suite.acknowledge(&first.complaint_id).await),
            Code::FailedPrecondition
        );
    }
}
