//! Batches of a run are written concurrently but commit one after the other, in the order the
//! stream gave them: each batch does its statements, then waits for its turn to move the run's
//! cursor and commit. So the cursor never passes a batch that is not written, and a batch that
//! fails stops every batch after it.

use std::collections::VecDeque;
use std::future::Future;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::error::Error;

/// One batch's place in the commit order.
#[derive(Debug)]
pub(super) struct Turn {
    before: Option<oneshot::Receiver<()>>,
    after: oneshot::Sender<()>,
}

impl Turn {
    /// Waits until the batch before this one committed; an error if it failed instead.
    pub(super) async fn wait(&mut self) -> Result<(), Error> {
        if let Some(before) = self.before.take() {
            before.await.map_err(|_| {
                Error::Internal("an earlier batch of the run was not written".into())
            })?;
        }
        Ok(())
    }

    /// Lets the next batch commit.
    pub(super) fn done(self) {
        let _ = self.after.send(());
    }
}

/// The batches under way, oldest first, at most `depth` at once.
pub(super) struct Pipeline {
    depth: usize,
    last: Option<oneshot::Receiver<()>>,
    under_way: VecDeque<JoinHandle<Result<(), Error>>>,
}

impl Pipeline {
    pub(super) fn new(depth: usize) -> Pipeline {
        Pipeline {
            depth: depth.max(1),
            last: None,
            under_way: VecDeque::new(),
        }
    }

    /// Starts the next batch, given its turn; first waits for the oldest batch if `depth` are
    /// under way, and returns its error if it failed.
    pub(super) async fn push<F, Fut>(&mut self, batch: F) -> Result<(), Error>
    where
        F: FnOnce(Turn) -> Fut,
        Fut: Future<Output = Result<(), Error>> + Send + 'static,
    {
        if self.under_way.len() >= self.depth {
            self.settle_oldest().await?;
        }
        let (after, next) = oneshot::channel();
        let turn = Turn {
            before: self.last.replace(next),
            after,
        };
        self.under_way.push_back(tokio::spawn(batch(turn)));
        Ok(())
    }

    /// Waits for every batch; the first failure in stream order is the one returned.
    pub(super) async fn finish(mut self) -> Result<(), Error> {
        let mut first = Ok(());
        while !self.under_way.is_empty() {
            let outcome = self.settle_oldest().await;
            if first.is_ok() {
                first = outcome;
            }
        }
        first
    }

    async fn settle_oldest(&mut self) -> Result<(), Error> {
        match self.under_way.pop_front() {
            Some(handle) => handle
                .await
                .map_err(|e| Error::Internal(format!("a batch task stopped: {e}")))?,
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn batches_commit_in_order_and_a_failure_stops_the_ones_after_it() {
        let committed = Arc::new(Mutex::new(Vec::new()));
        let mut pipeline = Pipeline::new(3);
        for n in 0..6_u64 {
            let committed = committed.clone();
            pipeline
                .push(move |mut turn| async move {
                    // Later batches finish their statements first.
                    tokio::time::sleep(Duration::from_millis(30 - 5 * n)).await;
                    if n == 3 {
                        return Err(Error::Unavailable("database went away".into()));
                    }
                    turn.wait().await?;
                    committed.lock().unwrap().push(n);
                    turn.done();
                    Ok(())
                })
                .await
                .ok();
        }
        let outcome = pipeline.finish().await;
        assert_eq!(*committed.lock().unwrap(), vec![0, 1, 2]);
        assert!(matches!(outcome, Err(Error::Unavailable(_))), "{outcome:?}");
    }
}
