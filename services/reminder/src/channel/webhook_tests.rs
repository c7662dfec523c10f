//! The webhook channel against the testkit's webhook sink: what the provider receives, how its
//! answers are read, the timeout and the breaker (with a clock moved by hand).

use std::time::Instant;

use chrono::TimeDelta;
use serde_json::json;
use vipcare_testkit::webhook_sink::{Reply, WebhookSink};

use super::*;
use crate::channel::manual_clock::ManualClock;
use crate::channel::settings::AdapterKind;

struct Setup {
    sink: WebhookSink,
    clock: Arc<ManualClock>,
    adapter: WebhookAdapter,
}

async fn setup(timeout_ms: u64, failures_to_open: u32) -> Setup {
    let sink = WebhookSink::start().await.expect("sink");
    let clock = Arc::new(ManualClock::new());
    let adapter = webhook_to(&sink.url(), timeout_ms, failures_to_open, clock.clone());
    Setup {
        sink,
        clock,
        adapter,
    }
}

fn webhook_to(
    url: &str,
    timeout_ms: u64,
    failures: u32,
    clock: Arc<ManualClock>,
) -> WebhookAdapter {
    let settings = ChannelSettings {
        kind: AdapterKind::Webhook,
        url: Some(url.to_owned()),
        timeout_ms,
        failures_to_open: failures,
        open_seconds: 30,
    };
    WebhookAdapter::new(ContactChannel::Sms, &settings, http_client(), clock).expect("adapter")
}

fn outgoing(key: &str) -> Outgoing {
    Outgoing {
        attempt_id: format!("attempt-{key}"),
        idempotency_key: key.to_owned(),
        customer_id: "C-1001".to_owned(),
        address: Some("13800138000".to_owned()),
        channel: ContactChannel::Sms,
        text: "尊敬的客户，您的套餐将于下月1日变更。".to_owned(),
        reminder_ids: vec!["r-1".to_owned(), "r-2".to_owned()],
        deadline: "2024-06-01T12:00:00Z".parse().expect("deadline"),
    }
}

#[tokio::test]
async fn the_provider_receives_the_message_as_json_with_its_idempotency_key() {
    let s = setup(5000, 5).await;
    let accepted = s.adapter.send(&outgoing("key-1")).await.expect("accepted");
    assert_eq!(
        accepted,
        Accepted {
            provider_message_id: Some("sink-1".to_owned()),
            receipt_expected: true,
        }
    );

    let received = s.sink.with_key("key-1");
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].header("content-type"), Some("application/json"));
    assert_eq!(received[0].path, "/webhook");
    assert_eq!(
        received[0].json,
        Some(json!({
            "attempt_id": "attempt-key-1",
            "idempotency_key": "key-1",
            "customer_id": "C-1001",
            "address": "13800138000",
            "channel": "sms",
            "text": "尊敬的客户，您的套餐将于下月1日变更。",
            "reminder_ids": ["r-1", "r-2"],
            "deadline": "2024-06-01T12:00:00Z",
        }))
    );
}

#[tokio::test]
async fn a_retry_carries_the_same_key_so_the_provider_can_drop_it() {
    let s = setup(5000, 5).await;
    let msg = outgoing("key-2");
    s.adapter.send(&msg).await.expect("first");
    s.adapter.send(&msg).await.expect("retry");
    assert_eq!(s.sink.deliveries("key-2"), 2);
    assert_eq!(s.sink.duplicates(), vec![("key-2".to_owned(), 2)]);
}

#[tokio::test]
async fn a_busy_provider_is_worth_a_retry() {
    let s = setup(5000, 5).await;
    for code in [503, 500, 429] {
        s.sink.reply(Reply::Status(code));
        let error = s.adapter.send(&outgoing("k")).await.unwrap_err();
        assert_eq!(error, SendError::Unavailable(code));
        assert!(error.is_retryable());
    }
}

#[tokio::test]
async fn a_refused_message_is_permanent_and_leaves_the_circuit_closed() {
    let s = setup(5000, 1).await;
    s.sink.reply(Reply::Status(400));
    for _ in 0..3 {
        let error = s.adapter.send(&outgoing("k")).await.unwrap_err();
        assert_eq!(error, SendError::Refused(400));
        assert!(!error.is_retryable());
    }
    // One failure would open this circuit, but a refusal shows the provider is up.
    assert_eq!(s.sink.count(), 3);
    assert_eq!(s.adapter.circuit(), CircuitState::Closed);
}

#[tokio::test]
async fn a_hanging_provider_times_out_within_the_timeout() {
    let s = setup(300, 5).await;
    s.sink.reply(Reply::Hang);
    let started = Instant::now();
    let error = s.adapter.send(&outgoing("k")).await.unwrap_err();
    let took = started.elapsed();
    assert_eq!(error, SendError::Timeout(Duration::from_millis(300)));
    assert!(error.is_retryable());
    assert!(took >= Duration::from_millis(300), "{took:?}");
    assert!(took < Duration::from_millis(1300), "{took:?}");
    assert_eq!(s.sink.count(), 1, "the request did arrive");
}

#[tokio::test]
async fn an_unreachable_provider_is_worth_a_retry() {
    // A port that was just free: nothing listens there now.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("addr").port()
    };
    let url = format!("http://127.0.0.1:{port}/webhook");
    let adapter = webhook_to(&url, 2000, 5, Arc::new(ManualClock::new()));
    let error = adapter.send(&outgoing("k")).await.unwrap_err();
    assert!(
        matches!(&error, SendError::Unreachable(why) if why.contains("onnect")),
        "{error}"
    );
    assert!(error.is_retryable());
}

#[tokio::test]
async fn the_circuit_opens_after_n_failures_and_no_request_is_made_while_open() {
    let s = setup(5000, 3).await;
    s.sink.reply(Reply::Status(503));
    for _ in 0..3 {
        assert_eq!(
            s.adapter.send(&outgoing("k")).await,
            Err(SendError::Unavailable(503))
        );
    }
    assert_eq!(s.adapter.circuit(), CircuitState::Open);

    s.sink.reply(Reply::Accept);
    for _ in 0..5 {
        let error = s.adapter.send(&outgoing("k")).await.unwrap_err();
        assert_eq!(error, SendError::CircuitOpen(ContactChannel::Sms));
        assert!(error.is_retryable());
    }
    assert_eq!(s.sink.count(), 3, "nothing reached the provider while open");
}

#[tokio::test]
async fn after_the_cool_down_a_probe_that_succeeds_closes_the_circuit() {
    let s = setup(5000, 2).await;
    s.sink.reply(Reply::Status(503));
    for _ in 0..2 {
        s.adapter.send(&outgoing("k")).await.unwrap_err();
    }
    s.sink.reply(Reply::Accept);
    s.clock.advance(TimeDelta::seconds(29));
    assert!(matches!(
        s.adapter.send(&outgoing("k")).await,
        Err(SendError::CircuitOpen(_))
    ));
    s.clock.advance(TimeDelta::seconds(1));
    assert_eq!(s.adapter.circuit(), CircuitState::HalfOpen);

    s.adapter.send(&outgoing("probe")).await.expect("the probe");
    assert_eq!(s.adapter.circuit(), CircuitState::Closed);
    s.adapter
        .send(&outgoing("after"))
        .await
        .expect("closed again");
    assert_eq!(
        (s.sink.deliveries("probe"), s.sink.deliveries("after")),
        (1, 1)
    );
    assert_eq!(s.sink.count(), 4);
}

#[tokio::test]
async fn a_probe_that_fails_opens_the_circuit_for_another_cool_down() {
    let s = setup(5000, 1).await;
    s.sink.reply(Reply::Status(503));
    s.adapter.send(&outgoing("k")).await.unwrap_err();
    s.clock.advance(TimeDelta::seconds(30));
    assert_eq!(
        s.adapter.send(&outgoing("probe")).await,
        Err(SendError::Unavailable(503))
    );
    assert_eq!(s.adapter.circuit(), CircuitState::Open);
    assert!(matches!(
        s.adapter.send(&outgoing("k")).await,
        Err(SendError::CircuitOpen(_))
    ));
    assert_eq!(s.sink.count(), 2);
}

#[tokio::test]
async fn timeouts_count_against_the_provider() {
    let s = setup(100, 1).await;
    s.sink.reply(Reply::Hang);
    let first = s.adapter.send(&outgoing("k")).await;
    assert!(matches!(first, Err(SendError::Timeout(_))));
    let started = Instant::now();
    let second = s.adapter.send(&outgoing("k")).await;
    assert!(matches!(second, Err(SendError::CircuitOpen(_))));
    assert!(
        started.elapsed() < Duration::from_millis(100),
        "open fails at once"
    );
    assert_eq!(s.sink.count(), 1);
}

#[test]
fn a_key_that_is_no_header_value_is_refused_before_any_request() {
    let adapter = webhook_to("http://127.0.0.1:9/", 1000, 1, Arc::new(ManualClock::new()));
    let error = adapter.request(&outgoing("bad\nkey")).unwrap_err();
    assert!(matches!(error, SendError::Malformed(_)));
    assert!(!error.is_retryable());
}

#[test]
fn the_message_id_is_read_from_message_id_or_id() {
    assert_eq!(message_id(br#"{"message_id":"m-1"}"#), Some("m-1".into()));
    assert_eq!(message_id(br#"{"id":42}"#), Some("42".into()));
    assert_eq!(message_id(br#"{"message_id":""}"#), None);
    assert_eq!(message_id(b"OK"), None);
}
