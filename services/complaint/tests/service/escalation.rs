//! Escalation and progress through the real services with the clock moved: level 1 at 80% of
//! the time to resolve and level 2 at the breach, each once however often the pass runs, with a
//! task the reminder service holds for whoever answers for the handler (the duty manager, with
//! no supervisors set); paused time not counted; a broken promise escalated once to the owner;
//! the customer told of progress at the tier's cadence; escalating by hand and its refusals.

use chrono::TimeDelta;
use tonic::Code;
use vipcare_proto::complaint::v1 as pb;

use crate::escalation_calls::{OWNER, by_hand, escalation_tasks, progress_notices, staff_tasks};
use crate::harness::{assert_invalid, by_agent, code, refusal, suites};

const DUTY_MANAGER: &str = "DUTY-MANAGER";

fn minutes(n: i64) -> TimeDelta {
    TimeDelta::minutes(n)
}

fn hours(n: i64) -> TimeDelta {
    TimeDelta::hours(n)
}

#[tokio::test]
async fn the_clock_escalates_at_80_percent_once_and_again_at_the_breach() {
    for mut suite in suites().await {
        let label = suite.label;
        // DIAMOND HIGH: 24 hours to resolve, around the clock; 80% is 19 h 12 min.
        let (customer, c) = suite
            .opened_at_severity("DIAMOND", pb::Severity::High)
            .await;
        let id = c.complaint_id.clone();
        assert_eq!(suite.advance_and_sweep(hours(19)).await.escalated, 0);
        assert_eq!(suite.advance_and_sweep(minutes(12)).await.escalated, 1);
        for _ in 0..2 {
            assert_eq!(suite.advance_and_sweep(minutes(1)).await.escalated, 0);
        }
        let held = suite.reminders_of(&customer, 1).await;
        let tasks = escalation_tasks(&held);
        assert_eq!(tasks.len(), 1, "[{label}] one task: {held:?}");
        assert_eq!(tasks[0].staff_assignee, DUTY_MANAGER, "[{label}]");
        let read = suite.get(&id).await;
        assert_eq!(read.escalations.len(), 1, "[{label}]");
        let first = &read.escalations[0];
        assert_eq!(first.level, pb::EscalationLevel::EscalationLevel1 as i32);
        assert!(!first.manual && first.escalated_by.is_empty(), "[{label}]");
        assert!(first.reason.contains("80%"), "[{label}] {first:?}");
        assert_eq!(read.version, c.version, "[{label}] no move");

        assert_eq!(suite.advance_and_sweep(hours(4)).await.escalated, 0);
        assert_eq!(suite.advance_and_sweep(minutes(46)).await.escalated, 1);
        assert_eq!(suite.advance_and_sweep(hours(5)).await.escalated, 0);
        let read = suite.get(&id).await;
        let levels: Vec<i32> = read.escalations.iter().map(|e| e.level).collect();
        let both = [
            pb::EscalationLevel::EscalationLevel1,
            pb::EscalationLevel::EscalationLevel2,
        ];
        assert_eq!(levels, both.map(|l| l as i32), "[{label}]");
        let held = suite.reminders_of(&customer, 2).await;
        assert_eq!(escalation_tasks(&held).len(), 2, "[{label}]");
    }
}

#[tokio::test]
async fn time_waiting_for_the_customer_does_not_escalate() {
    for mut suite in suites().await {
        let label = suite.label;
        let (_, c) = suite
            .opened_at_severity("DIAMOND", pb::Severity::High)
            .await;
        suite.pause_for_customer(&c.complaint_id).await;
        let swept = suite.advance_and_sweep(hours(48)).await;
        assert_eq!(swept.escalated, 0, "[{label}]");
        let read = suite.get(&c.complaint_id).await;
        assert!(read.escalations.is_empty(), "[{label}] {read:?}");
    }
}

#[tokio::test]
async fn an_overdue_promise_is_escalated_once_to_the_first_contact_owner() {
    for mut suite in suites().await {
        let label = suite.label;
        let (customer, c) = suite.opened_at_severity("GOLD", pb::Severity::Medium).await;
        let due = suite.now() + hours(2);
        suite
            .promise_by_colleague(&c.complaint_id, "今天下午四点前回电说明扣费原因", due)
            .await;
        let on_time = suite.advance_and_sweep(hours(2)).await;
        assert_eq!(on_time.promises_escalated, 0, "[{label}] due is on time");
        let late = suite.advance_and_sweep(minutes(1)).await;
        assert_eq!(late.promises_escalated, 1, "[{label}]");
        let again = suite.advance_and_sweep(hours(1)).await;
        assert_eq!(again.promises_escalated, 0, "[{label}]");
        // The relay delivers after the commit: wait for the task, not for any reminder.
        let is_broken =
            |r: &&vipcare_proto::reminder::v1::Reminder| r.dedupe_key.contains(":promise-broken:");
        let held = suite
            .reminders_until(&customer, |all| staff_tasks(all).iter().any(is_broken))
            .await;
        let broken: Vec<_> = staff_tasks(&held)
            .into_iter()
            .filter(|r| r.dedupe_key.contains(":promise-broken:"))
            .collect();
        assert_eq!(broken.len(), 1, "[{label}] {held:?}");
        assert_eq!(broken[0].staff_assignee, OWNER, "[{label}] the owner");
        let read = suite.get(&c.complaint_id).await;
        assert!(read.promises[0].overdue, "[{label}]");
    }
}

#[tokio::test]
async fn customers_hear_of_progress_at_their_tiers_cadence() {
    for mut suite in suites().await {
        let label = suite.label;
        let (diamond, _) = suite.opened_at_severity("DIAMOND", pb::Severity::Low).await;
        let (gold, _) = suite.opened_at_severity("GOLD", pb::Severity::Low).await;
        let (standard, _) = suite.opened_at_severity("", pb::Severity::Low).await;
        // Each notice is held before the clock moves on: a day later it would have expired
        // before it reached the reminder service.
        for day in 1..=3 {
            let swept = suite.advance_and_sweep(hours(24)).await;
            let expected = if day == 3 { 2 } else { 1 };
            assert_eq!(swept.progress_notices, expected, "[{label}] day {day}");
            let held = suite
                .reminders_until(&diamond, |all| progress_notices(all).len() >= day)
                .await;
            assert_eq!(progress_notices(&held).len(), day, "[{label}] {held:?}");
        }
        let held = suite
            .reminders_until(&gold, |all| !progress_notices(all).is_empty())
            .await;
        assert_eq!(progress_notices(&held).len(), 1, "[{label}] GOLD at 72 h");
        let held = suite.reminders_of(&standard, 0).await;
        assert!(progress_notices(&held).is_empty(), "[{label}]");
    }
}

#[tokio::test]
async fn escalating_by_hand_fires_the_lowest_level_not_yet_fired_once() {
    for mut suite in suites().await {
        let label = suite.label;
        let (customer, c) = suite
            .opened_at_severity("DIAMOND", pb::Severity::High)
            .await;
        let id = c.complaint_id.clone();
        let first = pb::EscalateComplaintRequest {
            request_id: "esc-1".into(),
            ..by_hand(&id, pb::EscalationLevel::Unspecified)
        };
        let answer = suite.escalate(first.clone()).await;
        let fired = answer.escalation.clone().unwrap();
        assert_eq!(fired.level, pb::EscalationLevel::EscalationLevel1 as i32);
        assert!(fired.manual, "[{label}]");
        assert_eq!(fired.escalated_by, "S200", "[{label}]");
        assert_eq!(fired.reason, "客户要求经理回电", "[{label}]");
        assert_eq!(answer.complaint.as_ref().unwrap().escalations.len(), 1);
        // A repeat is answered as the first time, and fires nothing more.
        assert_eq!(suite.escalate(first).await, answer, "[{label}]");

        // The clock does not fire level 1 again at 80%.
        let swept = suite.advance_and_sweep(minutes(19 * 60 + 12)).await;
        assert_eq!(swept.escalated, 0, "[{label}]");
        let second = suite
            .escalate(by_hand(&id, pb::EscalationLevel::Unspecified))
            .await;
        let level = second.escalation.unwrap().level;
        assert_eq!(level, pb::EscalationLevel::EscalationLevel2 as i32);
        let third = by_hand(&id, pb::EscalationLevel::Unspecified);
        let refused = suite.complaints.escalate_complaint(by_agent(third)).await;
        assert_eq!(refusal(refused), "ALREADY_ESCALATED", "[{label}]");
        assert_eq!(suite.advance_and_sweep(hours(5)).await.escalated, 0);

        let held = suite.reminders_of(&customer, 2).await;
        let tasks = escalation_tasks(&held);
        assert_eq!(tasks.len(), 2, "[{label}] {held:?}");
        assert!(tasks.iter().all(|t| t.staff_assignee == DUTY_MANAGER));
        assert!(tasks[0].variables["TASK"].contains("客户要求经理回电"));
    }
}

#[tokio::test]
async fn escalating_by_hand_refuses_what_it_cannot_do() {
    for mut suite in suites().await {
        let label = suite.label;
        let (_, c) = suite.opened_at_severity("GOLD", pb::Severity::Medium).await;
        let id = c.complaint_id.clone();
        let level = pb::EscalationLevel::Unspecified;
        let escalate = async |suite: &mut crate::harness::Suite,
                              r: pb::EscalateComplaintRequest| {
            suite.complaints.escalate_complaint(by_agent(r)).await
        };

        let no_reason = pb::EscalateComplaintRequest {
            reason: " ".into(),
            ..by_hand(&id, level)
        };
        assert_invalid(label, escalate(&mut suite, no_reason).await, "reason");
        let two_lines = pb::EscalateComplaintRequest {
            reason: "客户很生气\n要求经理回电".into(),
            ..by_hand(&id, level)
        };
        assert_invalid(label, escalate(&mut suite, two_lines).await, "reason");
        let long = pb::EscalateComplaintRequest {
            reason: "急".repeat(501),
            ..by_hand(&id, level)
        };
        assert_invalid(label, escalate(&mut suite, long).await, "reason");
        let nobody = pb::EscalateComplaintRequest {
            actor: String::new(),
            ..by_hand(&id, level)
        };
        assert_invalid(label, escalate(&mut suite, nobody).await, "actor");
        let unknown = by_hand("no-such-complaint", level);
        assert_eq!(code(escalate(&mut suite, unknown).await), Code::NotFound);
        let stale = pb::EscalateComplaintRequest {
            expected_version: c.version + 1,
            ..by_hand(&id, level)
        };
        assert_eq!(code(escalate(&mut suite, stale).await), Code::Aborted);
        assert!(suite.get(&id).await.escalations.is_empty(), "[{label}]");

        // Level 2 first leaves nothing for level 1.
        let current = pb::EscalateComplaintRequest {
            expected_version: c.version,
            ..by_hand(&id, pb::EscalationLevel::EscalationLevel2)
        };
        suite.escalate(current).await;
        let one = by_hand(&id, pb::EscalationLevel::EscalationLevel1);
        let refused = escalate(&mut suite, one).await;
        assert_eq!(refusal(refused), "ALREADY_ESCALATED", "[{label}]");

        // Nothing to escalate once resolved.
        let (_, done) = suite.opened_at_severity("GOLD", pb::Severity::Low).await;
        suite.resolve_as_owner(&done.complaint_id).await;
        let late = by_hand(&done.complaint_id, level);
        let refused = escalate(&mut suite, late).await;
        assert_eq!(refusal(refused), "COMPLAINT_RESOLVED", "[{label}]");
    }
}
