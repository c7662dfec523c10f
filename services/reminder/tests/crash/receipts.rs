//! The SMS provider's delivery receipts. Every message the sink took is reported DELIVERED
//! through ReportDelivery, once for each reminder it carried, under the idempotency key it came
//! with (the attempt id the provider was given). A receipt can arrive before its attempt is
//! written back, or while no process serves, or for a message whose process was killed before
//! it wrote anything: such receipts are sent again until one lands, as a provider retries its
//! callbacks. Receipts that never land leave their reminders SENT, which the test reports.

use std::collections::{BTreeMap, HashSet};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tonic::Code;
use vipcare_proto::reminder::v1 as pb;
use vipcare_runtime::InternalCredential;
use vipcare_testkit::webhook_sink::{Received, Reply, WebhookSink};

use crate::requests::lost_in_a_crash;
use crate::world::{bounded, client_of};

/// Receipts in flight at once.
const IN_FLIGHT: usize = 16;
/// Before a receipt the service could not take yet is sent again: its attempt is written back
/// after the provider answered, and a dead process leaves it to the next.
const AGAIN: Duration = Duration::from_millis(250);

/// The reporter, running until stopped.
pub struct Receipts {
    stop: watch::Sender<bool>,
    task: JoinHandle<Vec<String>>,
}

impl Receipts {
    pub fn start(
        sink: Arc<WebhookSink>,
        credential: InternalCredential,
        addr: watch::Receiver<Option<SocketAddr>>,
    ) -> Receipts {
        let (stop, stopping) = watch::channel(false);
        let task = tokio::spawn(report(sink, credential, addr, stopping));
        Receipts { stop, task }
    }

    /// Stops reporting; the receipts the service refused for another reason than a crash or
    /// an attempt it does not know (yet).
    pub async fn stop(self) -> Vec<String> {
        let _ = self.stop.send(true);
        self.task
            .await
            .expect("the receipt reporter does not panic")
    }
}

/// The reminder ids a POST carried.
pub fn carried(post: &Received) -> Vec<String> {
    let ids = post.json.as_ref().and_then(|j| j.get("reminder_ids"));
    let ids = ids.and_then(|v| v.as_array()).cloned().unwrap_or_default();
    ids.iter()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect()
}

async fn report(
    sink: Arc<WebhookSink>,
    credential: InternalCredential,
    mut addr: watch::Receiver<Option<SocketAddr>>,
    stopping: watch::Receiver<bool>,
) -> Vec<String> {
    let mut read = 0;
    // Per reminder, the keys it was taken under and not yet reported, with when to try next.
    let mut pending: BTreeMap<String, BTreeMap<String, Instant>> = BTreeMap::new();
    let mut delivered: HashSet<String> = HashSet::new();
    let mut refused = Vec::new();
    while !*stopping.borrow() {
        let new = sink.received_after(read);
        read += new.len();
        for post in new.iter().filter(|p| p.reply == Reply::Accept) {
            let Some(key) = post.idempotency_key.clone() else {
                continue;
            };
            for id in carried(post) {
                if !delivered.contains(&id) {
                    let keys = pending.entry(id).or_default();
                    keys.entry(key.clone()).or_insert_with(Instant::now);
                }
            }
        }
        let now = Instant::now();
        let tries: Vec<(String, String)> = pending
            .iter()
            .flat_map(|(id, keys)| {
                let due = keys.iter().filter(|(_, at)| **at <= now);
                due.map(|(k, _)| (id.clone(), k.clone()))
            })
            .collect();
        if tries.is_empty() {
            let next = pending.values().flat_map(|k| k.values()).min().copied();
            let until = next.unwrap_or(now + Duration::from_secs(3600));
            let mut stopping = stopping.clone();
            tokio::select! {
                _ = sink.wait_for_posts(read as u64 + 1, until - now) => {}
                _ = stopping.wait_for(|s| *s) => {}
            }
            continue;
        }
        let client = client_of(&credential, &mut addr).await;
        let answers: Vec<(String, String, Result<(), Code>)> = futures::stream::iter(tries)
            .map(|(id, key)| {
                let mut client = client.clone();
                async move {
                    let request = pb::ReportDeliveryRequest {
                        reminder_id: id.clone(),
                        attempt_id: key.clone(),
                        outcome: pb::DeliveryOutcome::Delivered as i32,
                        detail: "DELIVRD".into(),
                        report_time: None,
                    };
                    let answer = client.report_delivery(bounded(request)).await;
                    (id, key, answer.map(|_| ()).map_err(|s| s.code()))
                }
            })
            .buffer_unordered(IN_FLIGHT)
            .collect()
            .await;
        let later = Instant::now() + AGAIN;
        for (id, key, answer) in answers {
            match answer {
                Ok(()) => {
                    pending.remove(&id);
                    delivered.insert(id);
                }
                // Not written back yet (or never: the message may come again under this key),
                // or no process serving: the provider calls back later.
                Err(code) if code == Code::NotFound || lost_in_a_crash(code) => {
                    if let Some(at) = pending.get_mut(&id).and_then(|k| k.get_mut(&key)) {
                        *at = later;
                    }
                }
                Err(code) => {
                    refused.push(format!("{id} under {key}: {code:?}"));
                    if let Some(keys) = pending.get_mut(&id) {
                        keys.remove(&key);
                    }
                }
            }
        }
        pending.retain(|_, keys| !keys.is_empty());
    }
    refused
}
