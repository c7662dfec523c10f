//! The compensation ledger: at most the customer's tier limit is approved at once, more waits
//! for someone other than the proposer (four eyes), a decision is final, the proposer may
//! withdraw, over the maximum is refused naming `amount_fen` with nothing stored, and a
//! repeated request_id answers the first result.

use tonic::Code;
use vipcare_proto::complaint::v1 as pb;

use crate::harness::{assert_invalid, code, refusal, suites};
use crate::promises_calls::{HANDLER, proposing};

const APPROVED: i32 = pb::CompensationState::Approved as i32;
const PROPOSED: i32 = pb::CompensationState::Proposed as i32;
const REJECTED: i32 = pb::CompensationState::Rejected as i32;

#[tokio::test]
async fn within_the_tier_limit_it_is_approved_at_once() {
    for mut suite in suites().await {
        let label = suite.label;
        // 150 yuan: within DIAMOND's 200, beyond GOLD's 50.
        let (_, diamond) = suite.complaint_of("DIAMOND").await;
        let (_, gold) = suite.complaint_of("GOLD").await;
        let granted = suite
            .propose(proposing(&diamond, 15_000, HANDLER))
            .await
            .unwrap();
        assert_eq!(granted.state, APPROVED, "[{label}] {granted:?}");
        assert!(granted.auto_approved, "[{label}]");
        assert_eq!(granted.decided_by, "", "[{label}] no one decided");
        assert!(granted.decided_at.is_some(), "[{label}]");
        let waiting = suite
            .propose(proposing(&gold, 15_000, HANDLER))
            .await
            .unwrap();
        assert_eq!(waiting.state, PROPOSED, "[{label}] {waiting:?}");
        assert!(
            !waiting.auto_approved && waiting.decided_at.is_none(),
            "[{label}]"
        );

        let ledger = suite.get(&diamond).await.compensations;
        assert_eq!(ledger, [granted], "[{label}]");
    }
}

#[tokio::test]
async fn over_the_limit_it_waits_for_four_eyes_and_is_decided_once() {
    for mut suite in suites().await {
        let label = suite.label;
        let (_, id) = suite.complaint_of("DIAMOND").await;
        let proposed = suite
            .propose(proposing(&id, 50_000, HANDLER))
            .await
            .unwrap();
        assert_eq!(proposed.state, PROPOSED, "[{label}]");
        let entry = proposed.compensation_id.as_str();

        let own = suite.approve(entry, HANDLER, "").await;
        assert_invalid(label, own, "approved_by");
        assert_eq!(
            suite.get(&id).await.compensations[0].state,
            PROPOSED,
            "[{label}] the refused approval changed nothing"
        );

        let approved = suite.approve(entry, "S200", "").await.unwrap();
        assert_eq!(approved.state, APPROVED, "[{label}]");
        assert_eq!(approved.decided_by, "S200", "[{label}]");
        assert!(!approved.auto_approved, "[{label}]");
        let again = suite.approve(entry, "M30", "").await;
        assert_eq!(refusal(again), "COMPENSATION_DECIDED", "[{label}]");
        let rejected = suite.reject(entry, "M30", "太多了").await;
        assert_eq!(refusal(rejected), "COMPENSATION_DECIDED", "[{label}]");

        assert_eq!(suite.get(&id).await.compensations, [approved], "[{label}]");
    }
}

#[tokio::test]
async fn the_proposer_may_withdraw_their_own() {
    for mut suite in suites().await {
        let label = suite.label;
        let (_, id) = suite.complaint_of("GOLD").await;
        let proposed = suite.propose(proposing(&id, 8_000, HANDLER)).await.unwrap();
        let entry = proposed.compensation_id.as_str();
        let withdrawn = suite
            .reject(entry, HANDLER, "金额算错,重新提")
            .await
            .unwrap();
        assert_eq!(withdrawn.state, REJECTED, "[{label}]");
        assert_eq!(withdrawn.decided_by, HANDLER, "[{label}]");
        assert_eq!(withdrawn.rejection_reason, "金额算错,重新提", "[{label}]");
        let late = suite.approve(entry, "S200", "").await;
        assert_eq!(refusal(late), "COMPENSATION_DECIDED", "[{label}]");
        let unknown = suite.approve("no-such-entry", "S200", "").await;
        assert_eq!(code(unknown), Code::NotFound, "[{label}]");
    }
}

#[tokio::test]
async fn over_the_maximum_is_refused_naming_amount_fen_and_nothing_is_stored() {
    for mut suite in suites().await {
        let label = suite.label;
        let (_, id) = suite.complaint_of("DIAMOND").await;
        let settlement = suite.propose(proposing(&id, 500_001, HANDLER)).await;
        assert_invalid(label, settlement, "amount_fen");
        let mut unnamed = proposing(&id, 1_000, "");
        unnamed.kind = pb::CompensationKind::Unspecified as i32;
        let refused = suite.propose(unnamed).await.unwrap_err();
        assert_eq!(
            vipcare_testkit::status::violated_fields(&refused),
            ["kind", "proposed_by"],
            "[{label}] every refused field"
        );
        assert!(suite.get(&id).await.compensations.is_empty(), "[{label}]");
        let unknown = suite
            .propose(proposing("no-such-complaint", 1_000, HANDLER))
            .await;
        assert_eq!(code(unknown), Code::NotFound, "[{label}]");
    }
}

#[tokio::test]
async fn a_repeated_request_id_answers_the_first_result() {
    for mut suite in suites().await {
        let label = suite.label;
        let (_, id) = suite.complaint_of("DIAMOND").await;
        let mut request = proposing(&id, 60_000, HANDLER);
        request.request_id = "comp-1".into();
        let first = suite.propose(request.clone()).await.unwrap();
        let repeat = suite.propose(request).await.unwrap();
        assert_eq!(repeat, first, "[{label}]");
        assert_eq!(suite.get(&id).await.compensations.len(), 1, "[{label}]");

        let entry = first.compensation_id.as_str();
        let approved = suite.approve(entry, "S200", "approve-1").await.unwrap();
        // The approver's retry, its first answer lost: the approval, not "decided already".
        let retried = suite.approve(entry, "S200", "approve-1").await.unwrap();
        assert_eq!(retried, approved, "[{label}]");
    }
}
