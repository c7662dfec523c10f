use chrono::{DateTime, Utc};
use serde_json::json;
use vipcare_testkit::webhook_sink::{Reply, WebhookSink};

use super::*;
use crate::channel::manual_clock::ManualClock;

fn outgoing(channel: ContactChannel, key: &str) -> Outgoing {
    let deadline: DateTime<Utc> = "2024-06-01T12:00:00Z".parse().expect("deadline");
    Outgoing {
        attempt_id: format!("a-{key}"),
        idempotency_key: key.to_owned(),
        customer_id: "C-7".to_owned(),
        address: None,
        channel,
        text: "话费余额不足10元".to_owned(),
        reminder_ids: vec!["r-9".to_owned()],
        deadline,
    }
}

fn settings(value: serde_json::Value) -> ChannelsSettings {
    serde_json::from_value(value).expect("settings")
}

fn webhook(url: &str) -> serde_json::Value {
    json!({"kind": "webhook", "url": url, "failures_to_open": 1})
}

#[test]
fn every_channel_logs_by_default() {
    let channels = Channels::default();
    for channel in ContactChannel::ALL {
        assert_eq!(channels.adapter(*channel).kind(), AdapterKind::Log);
    }
    let none = Channels::from_settings(&ChannelsSettings::default(), Arc::new(ManualClock::new()));
    let none = none.expect("no tables is valid");
    assert!(
        ContactChannel::ALL
            .iter()
            .all(|c| none.adapter(*c).kind() == AdapterKind::Log)
    );
}

#[test]
fn invalid_settings_name_the_full_key() {
    let bad = settings(json!({"email": {"kind": "webhook", "url": "mailto:x"}}));
    let violation = Channels::from_settings(&bad, Arc::new(ManualClock::new())).unwrap_err();
    assert_eq!(violation.field, "reminder.channels.email.url");
}

#[tokio::test]
async fn each_message_goes_out_on_its_own_channel() {
    let sink = WebhookSink::start().await.expect("sink");
    let table = settings(json!({"sms": webhook(&sink.url()), "email": {"kind": "log"}}));
    let channels = Channels::from_settings(&table, Arc::new(ManualClock::new())).expect("valid");
    assert_eq!(
        channels.adapter(ContactChannel::Sms).kind(),
        AdapterKind::Webhook
    );
    assert_eq!(
        channels.adapter(ContactChannel::Email).kind(),
        AdapterKind::Log
    );

    let sms = channels.send(&outgoing(ContactChannel::Sms, "s-1")).await;
    assert!(sms.expect("sms accepted").receipt_expected);
    let email = channels.send(&outgoing(ContactChannel::Email, "e-1")).await;
    assert!(!email.expect("email logged").receipt_expected);
    assert_eq!(sink.count(), 1);
    assert_eq!(sink.deliveries("s-1"), 1);
}

#[tokio::test]
async fn a_failing_channel_opens_only_its_own_circuit() {
    let sink = WebhookSink::start().await.expect("sink");
    let table = settings(json!({"sms": webhook(&sink.url()), "app_push": webhook(&sink.url())}));
    let channels = Channels::from_settings(&table, Arc::new(ManualClock::new())).expect("valid");

    sink.reply(Reply::Status(502));
    let sms = channels.send(&outgoing(ContactChannel::Sms, "s")).await;
    assert_eq!(sms, Err(SendError::Unavailable(502)));
    sink.reply(Reply::Accept);
    let sms = channels.send(&outgoing(ContactChannel::Sms, "s")).await;
    assert_eq!(sms, Err(SendError::CircuitOpen(ContactChannel::Sms)));
    let push = channels.send(&outgoing(ContactChannel::AppPush, "p")).await;
    assert!(push.is_ok(), "{push:?}");
    assert_eq!(sink.count(), 2);
}

#[test]
fn an_adapter_can_be_swapped_for_one_channel() {
    #[derive(Debug)]
    struct Refusing;
    impl ChannelAdapter for Refusing {
        fn kind(&self) -> AdapterKind {
            AdapterKind::Webhook
        }
        fn send(&self, _: &Outgoing) -> BoxFuture<'_, Result<Accepted, SendError>> {
            Box::pin(futures::future::ready(Err(SendError::Refused(403))))
        }
    }
    let channels = Channels::default().with_adapter(ContactChannel::VoiceCall, Arc::new(Refusing));
    let call =
        futures::executor::block_on(channels.send(&outgoing(ContactChannel::VoiceCall, "v")));
    assert_eq!(call, Err(SendError::Refused(403)));
    let sms = futures::executor::block_on(channels.send(&outgoing(ContactChannel::Sms, "s")));
    assert!(sms.is_ok());
}
