//! Runs stop with their process. On a stop a run reads no further, lets the batches it has
//! read commit (each moves the cursor), and hands its lease back, so a replica that is still up
//! resumes it from the cursor at its next look instead of waiting for the lease to run out.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::{Notify, watch};

#[derive(Debug)]
pub(super) struct Stopping {
    asked: watch::Sender<bool>,
    /// Runs this process is driving.
    driving: AtomicUsize,
    /// Told when the last of them ends.
    idle: Notify,
}

/// Counts one driven run while it lives.
pub(super) struct Driving(Arc<Stopping>);

impl Drop for Driving {
    fn drop(&mut self) {
        if self.0.driving.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.0.idle.notify_waiters();
        }
    }
}

impl Stopping {
    pub(super) fn new() -> Arc<Stopping> {
        Arc::new(Stopping {
            asked: watch::channel(false).0,
            driving: AtomicUsize::new(0),
            idle: Notify::new(),
        })
    }

    /// Held by a run for as long as it is driven.
    pub(super) fn driving(self: &Arc<Self>) -> Driving {
        self.driving.fetch_add(1, Ordering::AcqRel);
        Driving(self.clone())
    }

    /// Resolves once a stop is asked for (at once if it was).
    pub(super) async fn asked(&self) {
        let mut asked = self.asked.subscribe();
        let _ = asked.wait_for(|asked| *asked).await;
    }

    /// Waits `pause`; true when a stop was asked for meanwhile.
    pub(super) async fn paused(&self, pause: std::time::Duration) -> bool {
        tokio::select! {
            biased;
            () = self.asked() => true,
            () = tokio::time::sleep(pause) => false,
        }
    }

    /// Asks every run to stop and waits until each has handed its lease back.
    pub(super) async fn stop(&self) {
        self.asked.send_replace(true);
        loop {
            let idle = self.idle.notified();
            if self.driving.load(Ordering::Acquire) == 0 {
                return;
            }
            idle.await;
        }
    }
}
