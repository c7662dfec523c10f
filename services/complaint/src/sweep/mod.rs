//! PLACEHOLDER: the background pass, being written.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;
use vipcare_domain::Clock;
use vipcare_storage::Database;

use crate::error::Error;
use crate::rules::Rules;

mod auto_close;

/// What one pass did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Swept {
    pub escalated: u64,
    pub closed: u64,
    pub promises_escalated: u64,
    pub progress_notices: u64,
}

/// The background pass over open complaints.
#[derive(Debug)]
pub struct Sweep {
    db: Database,
    clock: Arc<dyn Clock>,
    relay: Arc<Notify>,
    rules: Arc<Rules>,
    batch: u32,
}

impl Sweep {
    pub fn new(
        db: Database,
        clock: Arc<dyn Clock>,
        relay: Arc<Notify>,
        rules: Arc<Rules>,
        batch: u32,
    ) -> Sweep {
        Sweep {
            db,
            clock,
            relay,
            rules,
            batch,
        }
    }

    /// One pass over everything due now.
    pub async fn pass(&self) -> Result<Swept, Error> {
        let _ = (&self.relay, &self.rules);
        let closed = auto_close::close_due(&self.db, self.clock.as_ref(), self.batch).await?;
        Ok(Swept {
            closed,
            ..Swept::default()
        })
    }

    /// Runs a pass every `every` until `shutdown` resolves.
    pub async fn run(self: Arc<Self>, every: Duration, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        loop {
            if let Err(err) = self.pass().await {
                tracing::warn!(%err, "complaint pass failed; the next one retries");
            }
            tokio::select! {
                () = &mut shutdown => return,
                () = tokio::time::sleep(every) => {}
            }
        }
    }
}
