use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::*;

/// What a client saw: the status and the body.
type Answer = (u16, String);

/// One raw HTTP/1.1 request on a fresh connection; `None` when no answer came `within`.
async fn send(sink: &WebhookSink, method: &str, key: Option<&str>, body: &str) -> Option<Answer> {
    let within = Duration::from_secs(5);
    send_within(sink, method, key, body, within).await
}

async fn send_within(
    sink: &WebhookSink,
    method: &str,
    key: Option<&str>,
    body: &str,
    within: Duration,
) -> Option<Answer> {
    let mut stream = TcpStream::connect(sink.addr()).await.unwrap();
    let key = key
        .map(|k| format!("Idempotency-Key: {k}\r\n"))
        .unwrap_or_default();
    let request = format!(
        "{method} /webhook HTTP/1.1\r\nHost: sink\r\nContent-Type: application/json\r\n{key}\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    let read = tokio::time::timeout(within, stream.read_to_string(&mut answer)).await;
    if read.is_err() || answer.is_empty() {
        return None;
    }
    let status = answer.get(9..12)?.parse().ok()?;
    let body = answer
        .split("\r\n\r\n")
        .nth(1)
        .unwrap_or_default()
        .to_owned();
    Some((status, body))
}

#[tokio::test]
async fn records_body_and_key_and_accepts_with_a_message_id() {
    let sink = WebhookSink::start().await.unwrap();
    let first = send(&sink, "POST", Some("k-1"), r#"{"text":"hello"}"#).await;
    let (status, body) = first.unwrap();
    assert_eq!(status, 200);
    assert_eq!(body, r#"{"message_id":"sink-1"}"#);
    send(&sink, "POST", Some("k-1"), r#"{"text":"again"}"#)
        .await
        .unwrap();
    send(&sink, "POST", Some("k-2"), "not json").await.unwrap();

    assert_eq!((sink.count(), sink.accepted()), (3, 3));
    let k1 = sink.with_key("k-1");
    assert_eq!(k1.len(), 2);
    assert_eq!(k1[0].json, Some(serde_json::json!({"text": "hello"})));
    assert_eq!(k1[0].header("content-type"), Some("application/json"));
    assert_eq!(k1[0].path, "/webhook");
    let k2 = sink.with_key("k-2");
    assert_eq!((k2[0].json.clone(), k2[0].body_bytes), (None, 8));
    assert_eq!(sink.duplicates(), vec![("k-1".to_owned(), 2)]);
    assert_eq!((sink.distinct_keys(), sink.deliveries("k-2")), (2, 1));
}

#[tokio::test]
async fn answers_the_status_asked_for_then_accepts_again() {
    let sink = WebhookSink::start().await.unwrap();
    sink.reply(Reply::Status(503));
    assert_eq!(send(&sink, "POST", Some("k"), "{}").await.unwrap().0, 503);
    sink.reply(Reply::Status(400));
    assert_eq!(send(&sink, "POST", Some("k"), "{}").await.unwrap().0, 400);
    sink.reply(Reply::Status(42));
    assert_eq!(send(&sink, "POST", Some("k"), "{}").await.unwrap().0, 500);
    sink.reply(Reply::Accept);
    assert_eq!(send(&sink, "POST", Some("k"), "{}").await.unwrap().0, 200);

    assert_eq!((sink.count(), sink.accepted()), (4, 1));
    // Refused POSTs arrived but delivered nothing: the key counts once.
    assert_eq!(sink.deliveries("k"), 1);
    assert!(sink.duplicates().is_empty());
    let replies: Vec<_> = sink.with_key("k").iter().map(|r| r.reply).collect();
    assert_eq!(
        replies,
        [
            Reply::Status(503),
            Reply::Status(400),
            Reply::Status(42),
            Reply::Accept
        ]
    );
}

#[tokio::test]
async fn a_hanging_sink_records_but_never_answers_until_switched_back() {
    let sink = WebhookSink::start().await.unwrap();
    sink.reply(Reply::Hang);
    let hung = send_within(&sink, "POST", Some("h"), "{}", Duration::from_millis(300)).await;
    assert_eq!(hung, None);
    assert!(sink.wait_for_posts(1, Duration::from_secs(5)).await);
    assert_eq!(sink.accepted(), 0);

    sink.reply(Reply::Accept);
    assert_eq!(send(&sink, "POST", Some("h"), "{}").await.unwrap().0, 200);
    assert_eq!(sink.deliveries("h"), 1);
}

#[tokio::test]
async fn a_slow_sink_accepts_after_the_delay() {
    let sink = WebhookSink::start().await.unwrap();
    sink.reply(Reply::AcceptAfter(Duration::from_millis(400)));
    let too_soon = send_within(&sink, "POST", None, "{}", Duration::from_millis(100)).await;
    assert_eq!(too_soon, None);
    assert_eq!(send(&sink, "POST", None, "{}").await.unwrap().0, 200);
}

#[tokio::test]
async fn only_posts_are_recorded() {
    let sink = WebhookSink::start().await.unwrap();
    assert_eq!(send(&sink, "GET", Some("g"), "").await.unwrap().0, 405);
    assert_eq!(sink.count(), 0);
    assert!(!sink.wait_for_posts(1, Duration::from_millis(50)).await);
}

#[tokio::test]
async fn lighter_recordings_keep_counts_without_bodies() {
    let keys = WebhookSink::start_recording(Recording::Keys).await.unwrap();
    let counts = WebhookSink::start_recording(Recording::Count)
        .await
        .unwrap();
    for sink in [&keys, &counts] {
        for key in ["a", "a", "b"] {
            assert_eq!(send(sink, "POST", Some(key), "{}").await.unwrap().0, 200);
        }
        assert_eq!((sink.count(), sink.accepted()), (3, 3));
        assert!(sink.received().is_empty());
    }
    assert_eq!(keys.duplicates(), vec![("a".to_owned(), 2)]);
    assert_eq!(counts.distinct_keys(), 0);
}
