//! What an operator's tracing backend sees: one trace from the channel system's call through the
//! gateway, the complaint service, its outbox, the reminder service and out to the SMS
//! provider's webhook, each hop the child of the one before, with the context carried across the
//! outbox row and the stored reminder; health probes are never traced.

use std::time::{Duration, Instant};

use vipcare_e2e::otlp::{ExportedSpan, OtlpReceiver};
use vipcare_e2e::sample::reachable_now;
use vipcare_e2e::{ApiClient, Suite};
use vipcare_proto::complaint::v1 as pb;
use vipcare_proto::profile::v1::CreateCustomerRequest;
use vipcare_testkit::TestEnv;
use vipcare_testkit::webhook_sink::{Received, WebhookSink};

/// The channel system's own trace and span, as its `traceparent` names them.
const TRACE: &str = "5c3f0e1a9b7d42c6a1e8f3b2d4c6e8a0";
const CALLER_SPAN: &str = "7a1b2c3d4e5f6071";

/// The span named `name` (on `listener`, when given) in `spans`.
fn span<'a>(spans: &'a [ExportedSpan], name: &str, listener: Option<&str>) -> &'a ExportedSpan {
    spans
        .iter()
        .find(|s| {
            s.name == name && listener.is_none_or(|l| s.attribute("vipcare.listener") == Some(l))
        })
        .unwrap_or_else(|| {
            let names: Vec<_> = spans
                .iter()
                .map(|s| (&s.name, s.attribute("vipcare.listener")))
                .collect();
            panic!("no span {name} ({listener:?}) in the trace: {names:?}")
        })
}

/// Waits up to `within` for `found` to hold.
async fn eventually<T>(within: Duration, mut found: impl FnMut() -> Option<T>) -> Option<T> {
    let until = Instant::now() + within;
    loop {
        if let Some(t) = found() {
            return Some(t);
        }
        if Instant::now() > until {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn one_trace_follows_a_complaint_through_the_outbox_to_the_customers_sms() {
    for env in TestEnv::all().await {
        let label = env.label;
        let otlp = OtlpReceiver::start().await;
        let sms = WebhookSink::start()
            .await
            .expect("the SMS provider's webhook");
        let channels = format!(
            "[reminder.channels.sms]\nkind = \"webhook\"\nurl = \"{}\"\n",
            sms.url()
        );
        let suite = Suite::start_traced(&env, &otlp.endpoint(), &channels).await;
        let id = suite
            .profile(ApiClient::Hall)
            .create_customer(CreateCustomerRequest {
                customer: Some(reachable_now("13900139321", "黄月英")),
                request_id: String::new(),
            })
            .await
            .unwrap_or_else(|s| panic!("[{label}] create: {s:?}"))
            .into_inner()
            .customer
            .expect("a created customer")
            .customer_id;
        let mut hotline = suite.complaint(ApiClient::Hotline);
        let opened = hotline
            .open_complaint(pb::OpenComplaintRequest {
                customer_id: id.clone(),
                channel: pb::Channel::Hotline as i32,
                category: pb::Category::Billing as i32,
                severity: pb::Severity::Medium as i32,
                summary: "本月账单多扣了流量费".into(),
                description: "套餐内流量未用完却被收取超额费用".into(),
                first_contact_owner: "HL-2002".into(),
                request_id: "hotline-call-trace-1".into(),
            })
            .await
            .unwrap_or_else(|s| panic!("[{label}] open: {s:?}"))
            .into_inner()
            .complaint
            .expect("the opened complaint");

        // The hotline's own system traces its calls: the acknowledgement is made in its trace.
        let mut ack = tonic::Request::new(pb::AcknowledgeComplaintRequest {
            complaint_id: opened.complaint_id.clone(),
            actor: "HL-2002".into(),
            expected_version: opened.version,
            ..pb::AcknowledgeComplaintRequest::default()
        });
        let traceparent = format!("00-{TRACE}-{CALLER_SPAN}-01");
        ack.metadata_mut()
            .insert("traceparent", traceparent.parse().unwrap());
        hotline
            .acknowledge_complaint(ack)
            .await
            .unwrap_or_else(|s| panic!("[{label}] acknowledge: {s:?}"));

        // The customer's "已受理" SMS reaches the provider carrying the trace.
        let in_trace = |r: &Received| r.header("traceparent").is_some_and(|t| t.contains(TRACE));
        let sent = eventually(Duration::from_secs(30), || {
            sms.received().into_iter().find(in_trace)
        })
        .await
        .unwrap_or_else(|| {
            panic!(
                "[{label}] no SMS in the trace reached the provider: {:?}",
                sms.received()
            )
        });
        assert!(
            sent.json
                .as_ref()
                .is_some_and(|j| j["text"].as_str().is_some_and(|t| t.contains("已受理"))),
            "[{label}] the acknowledgement notice: {:?}",
            sent.json
        );

        // Every hop exported, each the child of the one before.
        let send_name = "reminder send sms";
        let spans = eventually(Duration::from_secs(15), || {
            let spans = otlp.trace(TRACE);
            spans.iter().any(|s| s.name == send_name).then_some(spans)
        })
        .await
        .unwrap_or_else(|| {
            panic!(
                "[{label}] the send was not exported: {:?}",
                otlp.trace(TRACE)
            )
        });
        let method = "vipcare.complaint.v1.ComplaintService/AcknowledgeComplaint";
        let gateway = span(&spans, method, Some("gateway"));
        let complaint = span(&spans, method, Some("service"));
        let outbox = span(&spans, "outbox complaint-notice", None);
        let schedule = span(
            &spans,
            "vipcare.reminder.v1.ReminderService/ScheduleReminder",
            Some("service"),
        );
        let send = span(&spans, send_name, None);
        let hops = [
            ("gateway", gateway, CALLER_SPAN),
            ("complaint", complaint, gateway.span_id.as_str()),
            ("outbox delivery", outbox, complaint.span_id.as_str()),
            ("reminder", schedule, outbox.span_id.as_str()),
            ("dispatch", send, schedule.span_id.as_str()),
        ];
        for (hop, span, parent) in hops {
            assert_eq!(
                span.parent_span_id, parent,
                "[{label}] the {hop} span's parent: {span:?}"
            );
        }
        assert_eq!(
            sent.header("traceparent"),
            Some(format!("00-{TRACE}-{}-01", send.span_id).as_str()),
            "[{label}] the provider's request is the dispatch span's child"
        );

        // Probes ran all along (the suite was waited for by its health checks): none traced.
        let probes: Vec<_> = otlp
            .spans()
            .into_iter()
            .filter(|s| s.name.starts_with("grpc.health"))
            .collect();
        assert!(
            probes.is_empty(),
            "[{label}] health checks traced: {probes:?}"
        );
        suite.stop_gracefully().await;
    }
}
