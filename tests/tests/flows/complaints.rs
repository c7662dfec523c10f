//! A complaint as the hotline handles it, through the real `vipcare up`, every hop over the
//! network: opened on the hotline by the agent who takes the call (who owns it to the end),
//! acknowledged, handed to the network team (who get a staff task), escalated by hand once (a
//! second escalation of the same level is refused), resolved with its root cause — and the
//! customer hears the result from the reminder service, which the complaint service told
//! through its outbox.

use std::time::{Duration, Instant};

use tonic::Code;
use vipcare_e2e::sample::customer;
use vipcare_e2e::{ApiClient, Suite};
use vipcare_proto::common::v1::Touchpoint;
use vipcare_proto::complaint::v1 as pb;
use vipcare_proto::profile::v1::CreateCustomerRequest;
use vipcare_proto::reminder::v1::{ListRemindersRequest, Reminder};
use vipcare_proto::tiering::v1::OverrideTierRequest;
use vipcare_testkit::TestEnv;

#[tokio::test]
async fn a_hotline_complaint_is_owned_escalated_once_resolved_and_the_customer_told() {
    for env in TestEnv::all().await {
        let suite = Suite::start(&env).await;
        let label = suite.label;
        let id = suite
            .profile(ApiClient::Hall)
            .create_customer(CreateCustomerRequest {
                customer: Some(customer("13700137000", "林则徐")),
                request_id: String::new(),
            })
            .await
            .unwrap_or_else(|s| panic!("[{label}] create: {s:?}"))
            .into_inner()
            .customer
            .expect("a created customer")
            .customer_id;
        suite
            .tiering(ApiClient::Admin)
            .override_tier(OverrideTierRequest {
                customer_id: id.clone(),
                tier: "DIAMOND".into(),
                reason: "key account".into(),
                actor: "am-007".into(),
                ..OverrideTierRequest::default()
            })
            .await
            .unwrap_or_else(|s| panic!("[{label}] override: {s:?}"));

        let mut hotline = suite.complaint(ApiClient::Hotline);
        let opened = hotline
            .open_complaint(pb::OpenComplaintRequest {
                customer_id: id.clone(),
                channel: pb::Channel::Hotline as i32,
                category: pb::Category::Network as i32,
                severity: pb::Severity::High as i32,
                summary: "家里宽带每天晚上断线".into(),
                description: "连续一周晚上八点后断线,已重启光猫无效".into(),
                first_contact_owner: "HL-2001".into(),
                request_id: "hotline-call-0001".into(),
            })
            .await
            .unwrap_or_else(|s| panic!("[{label}] open: {s:?}"))
            .into_inner()
            .complaint
            .expect("the opened complaint");
        let cid = opened.complaint_id.clone();
        assert_eq!(opened.state, pb::ComplaintState::Open as i32, "[{label}]");
        assert_eq!(opened.tier_at_opening, "DIAMOND", "[{label}]");
        let target = opened.sla.as_ref().and_then(|s| s.target.as_ref());
        assert_eq!(
            target.map(|t| t.tier.as_str()),
            Some("DIAMOND"),
            "[{label}] held to the DIAMOND targets"
        );

        let ack = hotline
            .acknowledge_complaint(pb::AcknowledgeComplaintRequest {
                complaint_id: cid.clone(),
                actor: "HL-2001".into(),
                expected_version: opened.version,
                ..Default::default()
            })
            .await
            .unwrap_or_else(|s| panic!("[{label}] acknowledge: {s:?}"))
            .into_inner()
            .complaint
            .expect("the acknowledged complaint");
        let started = hotline
            .start_work(pb::StartWorkRequest {
                complaint_id: cid.clone(),
                actor: "HL-2001".into(),
                expected_version: ack.version,
                ..Default::default()
            })
            .await
            .unwrap_or_else(|s| panic!("[{label}] start: {s:?}"))
            .into_inner()
            .complaint
            .expect("the complaint at work");
        let transferred = hotline
            .transfer_complaint(pb::TransferComplaintRequest {
                complaint_id: cid.clone(),
                actor: "HL-2001".into(),
                to_handler: "NET-3001".into(),
                reason: "需要网络维护组上门检测".into(),
                expected_version: started.version,
                ..Default::default()
            })
            .await
            .unwrap_or_else(|s| panic!("[{label}] transfer: {s:?}"))
            .into_inner()
            .complaint
            .expect("the transferred complaint");
        assert_eq!(transferred.handler, "NET-3001", "[{label}]");
        assert_eq!(
            transferred.first_contact_owner, "HL-2001",
            "[{label}] the owner stays accountable"
        );

        let escalate = |level: pb::EscalationLevel| pb::EscalateComplaintRequest {
            complaint_id: cid.clone(),
            actor: "HL-2001".into(),
            level: level as i32,
            reason: "客户要求主管介入".into(),
            ..Default::default()
        };
        hotline
            .escalate_complaint(escalate(pb::EscalationLevel::Unspecified))
            .await
            .unwrap_or_else(|s| panic!("[{label}] escalate: {s:?}"));
        let again = hotline
            .escalate_complaint(escalate(pb::EscalationLevel::EscalationLevel1))
            .await
            .expect_err("a level fires once per clock");
        assert_eq!(
            again.code(),
            Code::FailedPrecondition,
            "[{label}] {again:?}"
        );

        let resolved = hotline
            .resolve_complaint(pb::ResolveComplaintRequest {
                complaint_id: cid.clone(),
                actor: "NET-3001".into(),
                resolution: "更换了老化的入户光缆,连续三晚测试无断线".into(),
                root_cause_gap: pb::RootCauseGap::Delivery as i32,
                ..Default::default()
            })
            .await
            .unwrap_or_else(|s| panic!("[{label}] resolve: {s:?}"))
            .into_inner()
            .complaint
            .expect("the resolved complaint");
        assert_eq!(
            resolved.state,
            pb::ComplaintState::Resolved as i32,
            "[{label}]"
        );
        let escalations = resolved.escalations.len();
        assert_eq!(escalations, 1, "[{label}] escalated once");

        let told = reminder_of(&suite, &id, Touchpoint::ComplaintProgress, "入户光缆").await;
        assert!(
            told.text.contains(&cid) && !told.text.contains('%'),
            "[{label}] the result in plain words, with its number: {}",
            told.text
        );
        let task = reminder_of(&suite, &id, Touchpoint::StaffTask, "").await;
        assert!(
            ["NET-3001", "HL-2001", "DUTY-MANAGER"].contains(&task.staff_assignee.as_str()),
            "[{label}] staff tasks go to staff: {task:?}"
        );
        let timeline = hotline
            .get_complaint_timeline(pb::GetComplaintTimelineRequest {
                complaint_id: cid.clone(),
                ..Default::default()
            })
            .await
            .unwrap_or_else(|s| panic!("[{label}] timeline: {s:?}"))
            .into_inner()
            .entries;
        let kinds: Vec<i32> = timeline.iter().map(|e| e.kind).collect();
        use pb::TimelineEntryKind as K;
        assert_eq!(
            kinds,
            [
                K::Opened,
                K::Acknowledged,
                K::WorkStarted,
                K::Transferred,
                K::Resolved
            ]
            .map(|k| k as i32),
            "[{label}] one entry per move, in order"
        );
        suite.stop_gracefully().await;
    }
}

/// The customer's first reminder of `touchpoint` whose text has `words`, once the complaint
/// outbox delivered it (the relay retries with backoff, so allow it some seconds).
async fn reminder_of(
    suite: &Suite,
    customer_id: &str,
    touchpoint: Touchpoint,
    words: &str,
) -> Reminder {
    let label = suite.label;
    let started = Instant::now();
    loop {
        let listed = suite
            .reminder(ApiClient::Admin)
            .list_reminders(ListRemindersRequest {
                customer_id: customer_id.to_owned(),
                touchpoint: touchpoint as i32,
                ..ListRemindersRequest::default()
            })
            .await
            .unwrap_or_else(|s| panic!("[{label}] ListReminders: {s:?}"))
            .into_inner();
        if let Some(found) = listed
            .reminders
            .into_iter()
            .find(|r| r.text.contains(words))
        {
            return found;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "[{label}] no {touchpoint:?} reminder with {words:?} for {customer_id} after 30 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
