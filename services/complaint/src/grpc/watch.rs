//! WatchComplaints: a feed per watcher, on a task of its own, sends the matching complaints
//! still owed work, then CAUGHT_UP, then each change as the store shows it (see `feed`). What
//! it sends waits in a queue of [`BEHIND_LIMIT`] messages until the transport takes it; a
//! change that finds the queue full means the watcher is more than that many changes behind,
//! and the stream ends with ABORTED at once (what is queued is dropped: the watcher starts
//! again from a fresh CURRENT list). A caller that cancels drops the stream, which ends the feed.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use futures::Stream;
use tokio::sync::mpsc;
use tonic::{Code, Request, Status};
use vipcare_domain::{Invalid, Violation};
use vipcare_proto::complaint::v1 as pb;
use vipcare_runtime::status;

use super::ComplaintApi;
use super::convert::codes::{channel_from_proto, severity_from_proto};
use crate::error::Error;
use crate::store::watch::WatchFilter;

#[path = "watch_feed.rs"]
mod feed;

#[cfg(test)]
#[path = "test_api.rs"]
pub(super) mod test_api;

/// The stream a watcher reads.
pub type Changes = Pin<Box<dyn Stream<Item = Result<pb::WatchComplaintsResponse, Status>> + Send>>;

/// A watcher more changes behind than this is ended.
pub const BEHIND_LIMIT: usize = 1_000;

/// Most staff ids a watch takes.
const MAX_STAFF: usize = 200;

type Item = Result<pb::WatchComplaintsResponse, Status>;

pub async fn watch(
    api: &ComplaintApi,
    r: Request<pb::WatchComplaintsRequest>,
) -> Result<tonic::Response<Changes>, Error> {
    let filter = filter_of(r.into_inner())?;
    let (queue, outlet) = Queue::new(BEHIND_LIMIT);
    tokio::spawn(feed::Feed::new(api.clone(), filter, queue).run());
    Ok(tonic::Response::new(outlet))
}

fn filter_of(req: pb::WatchComplaintsRequest) -> Result<WatchFilter, Error> {
    let pb::WatchComplaintsRequest {
        channel,
        staff_ids,
        min_severity,
    } = req;
    let mut refused: Vec<Violation> = Vec::new();
    let channel = channel_from_proto(channel)
        .map_err(|e| refused.push(e.at("channel")))
        .ok()
        .flatten();
    let min_severity = severity_from_proto(min_severity)
        .map_err(|e| refused.push(e.at("min_severity")))
        .ok()
        .flatten();
    if staff_ids.len() > MAX_STAFF {
        refused.push(Invalid::new(format!("at most {MAX_STAFF} staff ids")).at("staff_ids"));
    }
    for (i, id) in staff_ids.iter().enumerate() {
        if let Err(e) = crate::domain::text::party_id(id) {
            refused.push(e.at(format!("staff_ids[{i}]")));
        }
    }
    if !refused.is_empty() {
        return Err(Error::Invalid(refused));
    }
    Ok(WatchFilter {
        channel,
        staff_ids: staff_ids.into_iter().collect(),
        min_severity,
    })
}

/// The feed's end of a watch: messages queue here until the transport takes them.
#[derive(Debug)]
pub(super) struct Queue {
    tx: mpsc::Sender<Item>,
    /// Set once the watcher fell too far behind; the outlet reads it before each message.
    behind: Arc<AtomicBool>,
}

/// What became of a message offered to the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Offered {
    Queued,
    /// The watcher went away: stop.
    Gone,
    /// The queue was full: the watcher is ended, stop.
    Behind,
}

impl Queue {
    fn new(capacity: usize) -> (Queue, Changes) {
        let (tx, rx) = mpsc::channel(capacity);
        let behind = Arc::new(AtomicBool::new(false));
        let outlet = outlet(rx, behind.clone());
        (Queue { tx, behind }, outlet)
    }

    /// A change: queued if there is room, else the watcher is too far behind.
    pub(super) fn offer(&self, item: Item) -> Offered {
        match self.tx.try_send(item) {
            Ok(()) => Offered::Queued,
            Err(mpsc::error::TrySendError::Closed(_)) => Offered::Gone,
            Err(mpsc::error::TrySendError::Full(_)) => {
                self.behind.store(true, Ordering::Release);
                Offered::Behind
            }
        }
    }

    /// The start of a watch (CURRENT, CAUGHT_UP): waits for room, as the watcher reads it.
    pub(super) async fn send(&self, item: Item) -> Offered {
        match self.tx.send(item).await {
            Ok(()) => Offered::Queued,
            Err(_) => Offered::Gone,
        }
    }

    /// Resolves when the watcher went away.
    pub(super) async fn gone(&self) {
        self.tx.closed().await;
    }
}

/// The watcher's end: what was queued, unless the feed found it too far behind.
fn outlet(rx: mpsc::Receiver<Item>, behind: Arc<AtomicBool>) -> Changes {
    let too_far = || {
        status::with_reason(
            Code::Aborted,
            "WATCHER_BEHIND",
            format!("more than {BEHIND_LIMIT} changes behind: watch again for a fresh start"),
        )
    };
    Box::pin(futures::stream::unfold(
        Some((rx, behind)),
        move |state| async move {
            let (mut rx, behind) = state?;
            if behind.load(Ordering::Acquire) {
                return Some((Err(too_far()), None));
            }
            match rx.recv().await {
                Some(item) => Some((item, Some((rx, behind)))),
                None if behind.load(Ordering::Acquire) => Some((Err(too_far()), None)),
                None => None,
            }
        },
    ))
}

#[cfg(test)]
mod tests {
    use futures::StreamExt;

    use super::*;

    fn message(n: i64) -> Item {
        Ok(pb::WatchComplaintsResponse {
            change_time: Some(prost_types::Timestamp {
                seconds: n,
                nanos: 0,
            }),
            ..Default::default()
        })
    }

    #[tokio::test]
    async fn a_watcher_keeping_up_gets_every_change_in_order() {
        let (queue, mut outlet) = Queue::new(2);
        for n in 0..5 {
            assert_eq!(queue.offer(message(n)), Offered::Queued);
            let got = outlet.next().await.unwrap().unwrap();
            assert_eq!(got.change_time.unwrap().seconds, n);
        }
        drop(queue);
        assert!(
            outlet.next().await.is_none(),
            "the feed ended: so does the stream"
        );
    }

    #[tokio::test]
    async fn a_watcher_too_far_behind_is_ended_with_aborted_at_once() {
        let (queue, mut outlet) = Queue::new(3);
        for n in 0..3 {
            assert_eq!(queue.offer(message(n)), Offered::Queued);
        }
        assert_eq!(queue.offer(message(3)), Offered::Behind);
        drop(queue);
        let ended = outlet.next().await.unwrap().unwrap_err();
        assert_eq!(ended.code(), Code::Aborted);
        assert!(outlet.next().await.is_none());
    }

    #[tokio::test]
    async fn a_watcher_that_left_stops_the_feed() {
        let (queue, outlet) = Queue::new(3);
        drop(outlet);
        queue.gone().await;
        assert_eq!(queue.offer(message(0)), Offered::Gone);
        assert_eq!(queue.send(message(1)).await, Offered::Gone);
    }

    #[test]
    fn filters_are_checked_and_named() {
        let req = pb::WatchComplaintsRequest {
            channel: 99,
            staff_ids: vec!["E1".into(), "has space".into()],
            min_severity: pb::Severity::High as i32,
        };
        let Err(Error::Invalid(refused)) = filter_of(req) else {
            panic!("refused");
        };
        let fields: Vec<_> = refused.iter().map(|v| v.field.as_str()).collect();
        assert_eq!(fields, ["channel", "staff_ids[1]"]);
        let many = pb::WatchComplaintsRequest {
            staff_ids: (0..=MAX_STAFF).map(|i| format!("E{i}")).collect(),
            ..Default::default()
        };
        assert!(matches!(filter_of(many), Err(Error::Invalid(v)) if v[0].field == "staff_ids"));
        let hall = pb::WatchComplaintsRequest {
            channel: pb::Channel::Hall as i32,
            ..Default::default()
        };
        let filter = filter_of(hall).unwrap();
        assert_eq!(filter.channel, Some(crate::domain::Channel::Hall));
        assert!(filter.staff_ids.is_empty() && filter.min_severity.is_none());
    }
}
