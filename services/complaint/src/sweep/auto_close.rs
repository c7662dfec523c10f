//! PLACEHOLDER: being written.

use vipcare_domain::Clock;
use vipcare_storage::Database;

use crate::error::Error;

/// Closes complaints resolved more than 7 days ago that the customer never answered (timeline
/// AUTO_CLOSED), at most `batch` per statement round; returns how many it closed.
pub(super) async fn close_due(db: &Database, clock: &dyn Clock, batch: u32) -> Result<u64, Error> {
    let _ = (db, clock, batch);
    Ok(0)
}
