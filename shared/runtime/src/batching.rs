//! Calls gathered into batches, the way a database gathers commits: work that costs about the
//! same for one item as for a hundred (a statement and its commit, a round trip to a peer) is
//! done once for every call that arrived while the previous batch was being handled. Nothing
//! waits on a timer: a lone call is handled at once, alone; under load each batch takes
//! everything queued meanwhile, so the batches grow exactly as far as the load needs.
//!
//! A batch's handler runs on a task of its own: a panic fails that batch's calls (they get
//! [`Gone`]), not the batcher. The workers start on the first call, on its runtime.

use std::future::Future;
use std::sync::{Arc, Mutex as SyncMutex};

use tokio::sync::{Mutex, mpsc, oneshot};

/// The batcher could not answer: its handler panicked or left this call out, or it stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the batch this call was part of was not handled")]
pub struct Gone;

/// One call waiting for its batch.
struct Job<T, R> {
    item: T,
    answer: oneshot::Sender<R>,
}

type Queue<T, R> = Arc<Mutex<mpsc::Receiver<Job<T, R>>>>;
type Handler<T, R> =
    Arc<dyn Fn(Vec<T>) -> futures::future::BoxFuture<'static, Vec<R>> + Send + Sync>;
/// What the workers take when the first call starts them.
type Unstarted<T, R> = Option<(Queue<T, R>, Handler<T, R>)>;

/// Hands each call's item to a batch handler and the handler's answer back to the call.
pub struct Batcher<T, R> {
    sender: mpsc::Sender<Job<T, R>>,
    /// The queue and the handler until the first call starts the workers.
    unstarted: SyncMutex<Unstarted<T, R>>,
    max_batch: usize,
    in_flight: usize,
}

impl<T, R> std::fmt::Debug for Batcher<T, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Batcher")
            .field("max_batch", &self.max_batch)
            .field("in_flight", &self.in_flight)
            .finish_non_exhaustive()
    }
}

impl<T: Send + 'static, R: Send + 'static> Batcher<T, R> {
    /// Batches of at most `max_batch` items, at most `in_flight` handled at once. `handle`
    /// answers a batch in its order: the n-th answer goes to the n-th item's call.
    pub fn new<H, Fut>(max_batch: usize, in_flight: usize, handle: H) -> Self
    where
        H: Fn(Vec<T>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Vec<R>> + Send + 'static,
    {
        let max_batch = max_batch.max(1);
        let in_flight = in_flight.max(1);
        let (sender, receiver) = mpsc::channel(max_batch * in_flight);
        let handler: Handler<T, R> = Arc::new(move |items| Box::pin(handle(items)));
        Batcher {
            sender,
            unstarted: SyncMutex::new(Some((Arc::new(Mutex::new(receiver)), handler))),
            max_batch,
            in_flight,
        }
    }

    /// `item`'s answer, once the batch it joined is handled.
    pub async fn call(&self, item: T) -> Result<R, Gone> {
        self.start();
        let (answer, answered) = oneshot::channel();
        self.sender
            .send(Job { item, answer })
            .await
            .map_err(|_| Gone)?;
        answered.await.map_err(|_| Gone)
    }

    fn start(&self) {
        let taken = self
            .unstarted
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if let Some((queue, handler)) = taken {
            for _ in 0..self.in_flight {
                tokio::spawn(work(queue.clone(), handler.clone(), self.max_batch));
            }
        }
    }
}

/// A batch's items (by index) in rounds whose items share no meeting point (a key two items
/// of one statement must not both write): an item goes after the last round holding any of
/// its `points`, so items that would meet are handled in successive rounds, in their order.
pub fn rounds<T>(items: &[T], points: impl Fn(&T) -> Vec<String>) -> Vec<Vec<usize>> {
    let mut rounds: Vec<(std::collections::HashSet<String>, Vec<usize>)> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let meets = points(item);
        let after = rounds
            .iter()
            .rposition(|(held, _)| meets.iter().any(|m| held.contains(m)))
            .map_or(0, |r| r + 1);
        if after == rounds.len() {
            rounds.push((std::collections::HashSet::new(), Vec::new()));
        }
        rounds[after].0.extend(meets);
        rounds[after].1.push(i);
    }
    rounds.into_iter().map(|(_, items)| items).collect()
}

/// One worker: takes what is queued (waiting for the first item only), handles it, answers.
/// Ends when the batcher is dropped and its queue is empty.
async fn work<T: Send + 'static, R: Send + 'static>(
    queue: Queue<T, R>,
    handler: Handler<T, R>,
    max_batch: usize,
) {
    loop {
        let mut jobs = Vec::new();
        {
            let mut queue = queue.lock().await;
            match queue.recv().await {
                Some(job) => jobs.push(job),
                None => return,
            }
            while jobs.len() < max_batch {
                match queue.try_recv() {
                    Ok(job) => jobs.push(job),
                    Err(_) => break,
                }
            }
        }
        let (items, answers): (Vec<T>, Vec<oneshot::Sender<R>>) =
            jobs.into_iter().map(|j| (j.item, j.answer)).unzip();
        // Its own task, so a panicking handler drops these answers (the calls get `Gone`)
        // and this worker goes on.
        if let Ok(results) = tokio::spawn(handler(items)).await {
            for (answer, result) in answers.into_iter().zip(results) {
                // A call that went away meanwhile does not want its answer.
                let _ = answer.send(result);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tokio::sync::Barrier;

    #[test]
    fn items_that_would_meet_go_in_later_rounds_in_their_order() {
        let items = ["a", "a", "b", "ab", "c", "b"];
        let points = |s: &&str| s.chars().map(String::from).collect();
        assert_eq!(
            rounds(&items, points),
            [vec![0, 2, 4], vec![1], vec![3], vec![5]]
        );
    }

    #[tokio::test]
    async fn a_lone_call_is_answered_alone() {
        let batcher = Batcher::new(10, 1, |items: Vec<u32>| async move {
            items.into_iter().map(|i| (i * 2, 1)).collect()
        });
        assert_eq!(batcher.call(21).await, Ok((42, 1)));
    }

    #[tokio::test]
    async fn calls_made_while_a_batch_is_handled_form_the_next_one() {
        // The first batch is held until every other call is queued behind it.
        let queued = Arc::new(Barrier::new(2));
        let sizes = Arc::new(SyncMutex::new(Vec::new()));
        let batcher = {
            let (queued, sizes) = (queued.clone(), sizes.clone());
            Arc::new(Batcher::new(100, 1, move |items: Vec<u32>| {
                let (queued, sizes) = (queued.clone(), sizes.clone());
                async move {
                    let first = sizes.lock().unwrap().is_empty();
                    sizes.lock().unwrap().push(items.len());
                    if first {
                        queued.wait().await;
                    }
                    items.into_iter().map(|i| i + 1).collect::<Vec<_>>()
                }
            }))
        };
        let first = tokio::spawn({
            let batcher = batcher.clone();
            async move { batcher.call(0).await }
        });
        while sizes.lock().unwrap().is_empty() {
            tokio::task::yield_now().await;
        }
        let rest: Vec<_> = (1..=5)
            .map(|i| {
                let batcher = batcher.clone();
                tokio::spawn(async move { batcher.call(i).await })
            })
            .collect();
        while batcher.sender.capacity() > 100 - 5 {
            tokio::task::yield_now().await;
        }
        queued.wait().await;
        assert_eq!(first.await.unwrap(), Ok(1));
        for (i, call) in rest.into_iter().enumerate() {
            assert_eq!(
                call.await.unwrap(),
                Ok(i as u32 + 2),
                "each call gets its own answer"
            );
        }
        assert_eq!(*sizes.lock().unwrap(), [1, 5]);
    }

    #[tokio::test]
    async fn a_panicking_batch_fails_its_calls_and_the_next_batch_is_handled() {
        let batches = Arc::new(AtomicUsize::new(0));
        let batcher = {
            let batches = batches.clone();
            Batcher::new(10, 1, move |items: Vec<u32>| {
                let n = batches.fetch_add(1, Ordering::SeqCst);
                async move {
                    assert!(n > 0, "the first batch fails");
                    items
                }
            })
        };
        assert_eq!(batcher.call(1).await, Err(Gone));
        assert_eq!(batcher.call(2).await, Ok(2));
    }

    #[tokio::test]
    async fn a_call_the_handler_left_out_is_told_so() {
        let batcher = Batcher::new(10, 1, |_items: Vec<u32>| async move { Vec::<u32>::new() });
        assert_eq!(batcher.call(1).await, Err(Gone));
    }
}
