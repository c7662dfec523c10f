//! The automatic close: a resolved complaint the customer neither confirmed nor reopened is
//! closed a week after its resolution (`AUTO_CLOSE_AFTER`), as the move `Close { automatic }`
//! by "system" (timeline AUTO_CLOSED). Each complaint is closed in a transaction of its own,
//! over the version it was found at: a move made meanwhile by a person wins, and the pass
//! leaves that complaint alone (it is looked at again on a later pass if still resolved).

use sea_orm::TransactionTrait;
use vipcare_domain::Clock;
use vipcare_storage::Database;

use crate::domain::{Move, MoveName, lifecycle::AUTO_CLOSE_AFTER};
use crate::error::Error;
use crate::handling::{self, Asked};
use crate::store::{self, closing};

/// Who the timeline names for what the service does by itself.
pub const SYSTEM_ACTOR: &str = "system";

/// Closes complaints resolved more than 7 days ago that the customer never answered (timeline
/// AUTO_CLOSED), at most `batch` per statement round; returns how many it closed.
pub(super) async fn close_due(db: &Database, clock: &dyn Clock, batch: u32) -> Result<u64, Error> {
    let now = store::stored_time(clock.now());
    let limit = u64::from(batch.max(1));
    let mut closed = 0;
    let mut after = String::new();
    loop {
        let due = closing::resolved_by(db.conn(), now - AUTO_CLOSE_AFTER, &after, limit).await?;
        for found in &due {
            if close_one(db, found, now).await? {
                closed += 1;
            }
        }
        match due.last() {
            Some(last) if due.len() as u64 == limit => after = last.complaint_id.clone(),
            _ => return Ok(closed),
        }
    }
}

/// `true` when it closed it; `false` when a move made meanwhile won.
async fn close_one(
    db: &Database,
    found: &closing::ResolvedComplaint,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<bool, Error> {
    let asked = Asked {
        complaint_id: found.complaint_id.clone(),
        expected_version: found.version,
        actor: SYSTEM_ACTOR.to_owned(),
        name: MoveName::Close,
        the_move: Ok(Move::Close { automatic: true }),
    };
    let txn = db.conn().begin().await?;
    match handling::make_move(&txn, asked, None, now).await {
        Ok(_) => {
            txn.commit().await?;
            tracing::info!(complaint_id = %found.complaint_id, "closed a week after its resolution");
            Ok(true)
        }
        Err(err) => {
            // The first error is the one worth reporting; a failed rollback ends the
            // connection, which rolls back as well.
            let _ = txn.rollback().await;
            if handling::lost_to_another_move(&err) {
                Ok(false)
            } else {
                Err(err)
            }
        }
    }
}
