//! The backlog dispatched: the suite starts on a store already holding every due reminder, and
//! its dispatcher sends them through the webhook channels to the bench's sink. The run ends
//! when the sink has taken the messages the backlog makes, or has taken nothing for a while
//! (some reminders held back or failed); the store then says what became of each reminder.
//! Counted as sent: the provider (the sink) answered 200 and the reminder is SENT, waiting for
//! a delivery receipt that the sink, unlike a real provider, never sends.
//!
//! Peak memory is the kernel's high-water mark of resident memory (VmHWM), reset just before
//! the suite starts (`/proc/self/clear_refs`), so it covers the dispatch and not the loading;
//! what was resident at that moment is printed beside it, as the floor of the peak.

use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, Utc};
use vipcare_reminder::store::stats::{DeliveryCounts, Grouping, delivery_stats};
use vipcare_storage::Database;
use vipcare_testkit::webhook_sink::WebhookSink;

/// With no arrival for this long the dispatcher is taken to have nothing more to send.
const QUIET: Duration = Duration::from_secs(5);
/// How long the suite may take to start and send its first message.
const FIRST_LIMIT: Duration = Duration::from_secs(120);
/// How often the sink's count is read: the end is known to this much.
const POLL: Duration = Duration::from_millis(20);
/// How long the last write-backs are waited for once the sink has every message.
const SETTLE_LIMIT: Duration = Duration::from_secs(10);

/// What the sink saw of the backlog.
#[derive(Debug, Clone, Copy)]
pub(super) struct Arrivals {
    pub messages: u64,
    /// From the suite's start to the last arrival.
    pub elapsed: Duration,
}

/// Waits until `expected` messages have arrived beyond the `before` the sink had when the
/// suite started at `started`, or none for [`QUIET`].
pub(super) async fn wait(
    sink: &WebhookSink,
    before: u64,
    expected: u64,
    started: Instant,
) -> Arrivals {
    let (mut seen, mut last) = (before, started);
    let mut poll = tokio::time::interval(POLL);
    loop {
        poll.tick().await;
        let now = sink.count();
        if now != seen {
            (seen, last) = (now, Instant::now());
        }
        let idle = if seen == before {
            started.elapsed() >= FIRST_LIMIT
        } else {
            last.elapsed() >= QUIET
        };
        if seen - before >= expected || idle {
            return Arrivals {
                messages: seen - before,
                elapsed: last.duration_since(started),
            };
        }
    }
}

/// What became of the `count` reminders due at `due` (the backlog's instant, which nothing
/// else shares). A worker writes a message's reminders back just after the sink answered, so
/// the last ones are waited for a moment.
pub(super) async fn outcome(
    db: &Database,
    due: DateTime<Utc>,
    count: u64,
) -> anyhow::Result<DeliveryCounts> {
    let until = due + TimeDelta::milliseconds(1);
    let mut settling = Duration::from_millis(100);
    loop {
        let counts = delivery_stats(db.conn(), due, until, Grouping::None)
            .await?
            .total;
        let ended = counts.failed + counts.expired + counts.suppressed;
        if counts.sent + ended >= count || settling > SETTLE_LIMIT {
            return Ok(counts);
        }
        tokio::time::sleep(settling).await;
        settling *= 2;
    }
}

/// The counts that are not SENT, for the note when some were not: `failed=3 expired=1`.
pub(super) fn shortfall(counts: &DeliveryCounts, count: u64) -> String {
    let ended = counts.failed + counts.expired + counts.suppressed;
    let on_the_way = count.saturating_sub(counts.sent + ended);
    let parts = [
        ("failed", counts.failed),
        ("expired", counts.expired),
        ("suppressed", counts.suppressed),
        ("deferred", counts.deferred),
        ("still_on_the_way", on_the_way),
    ];
    let shown: Vec<String> = parts
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(name, n)| format!("{name}={n}"))
        .collect();
    shown.join(" ")
}

/// Resets the peak of resident memory to what is resident now; false where the kernel does
/// not offer it (the peak then covers the whole process).
pub(crate) fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// Peak resident memory since the last reset (or the start), in MiB.
pub(crate) fn peak_rss_mb() -> Option<f64> {
    status_mib("VmHWM:")
}

/// Resident memory now, in MiB.
pub(crate) fn rss_mb() -> Option<f64> {
    status_mib("VmRSS:")
}

fn status_mib(field: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status_kib(&status, field).map(|kib| kib as f64 / 1024.0)
}

/// `VmHWM:   123456 kB` (or another field) of a /proc status file.
fn status_kib(status: &str, field: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with(field))?;
    let mut words = line.split_whitespace().skip(1);
    let kib = words.next()?.parse().ok()?;
    (words.next() == Some("kB")).then_some(kib)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_peak_is_read_from_the_status_file() {
        let status =
            "Name:\tvipcare-bench\nVmPeak:\t  900000 kB\nVmHWM:\t  123456 kB\nVmRSS:\t 1000 kB\n";
        assert_eq!(status_kib(status, "VmHWM:"), Some(123_456));
        assert_eq!(status_kib(status, "VmRSS:"), Some(1_000));
        assert_eq!(status_kib("VmRSS:\t 1000 kB\n", "VmHWM:"), None);
        assert_eq!(status_kib("VmHWM:\t lots\n", "VmHWM:"), None);
    }

    #[test]
    fn only_what_happened_is_listed() {
        let counts = DeliveryCounts {
            scheduled: 10,
            sent: 7,
            failed: 2,
            expired: 1,
            ..DeliveryCounts::default()
        };
        assert_eq!(shortfall(&counts, 10), "failed=2 expired=1");
        assert_eq!(
            shortfall(&counts, 12),
            "failed=2 expired=1 still_on_the_way=2"
        );
    }

    #[tokio::test]
    async fn the_wait_ends_at_the_expected_count_and_times_the_last_arrival() {
        use vipcare_testkit::webhook_sink::Recording;
        let sink = WebhookSink::start_recording(Recording::Count)
            .await
            .unwrap();
        post_once(sink.addr()).await;
        let (before, started) = (sink.count(), Instant::now());
        // Arrivals before the wait begins count: the dispatcher starts with the suite.
        post_once(sink.addr()).await;
        post_once(sink.addr()).await;
        let arrivals = wait(&sink, before, 2, started).await;
        assert_eq!(arrivals.messages, 2);
        assert!(arrivals.elapsed <= started.elapsed());
    }

    /// One POST over a bare TCP connection (the bench has no HTTP client of its own).
    async fn post_once(addr: std::net::SocketAddr) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        let request =
            "POST /sms HTTP/1.1\r\nHost: x\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}";
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).await.unwrap();
        assert!(answer.starts_with(b"HTTP/1.1 200"));
    }
}
