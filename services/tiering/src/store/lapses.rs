//! Overrides that ran out. Reading a tier already ignores an override past its expiry; closing
//! it is what tells: the override is cleared from the record and the return to the evaluated
//! tier is written to the history with its notice, at the expiry time, in the caller's
//! transaction. The clear is conditional on the record still holding that override, so however
//! many expiry passes and OverrideTier calls race, one of them records the end and the others
//! find nothing to do.

use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;

use super::{history, records};
use crate::domain::{TierPolicy, TierRecord};
use crate::error::Error;

/// Closes the lapsed overrides of `due` (records read in this transaction); returns the ids
/// of the customers whose override this call closed, whose cached answers are stale.
pub async fn close<C: ConnectionTrait>(
    txn: &C,
    policy: &TierPolicy,
    due: &[TierRecord],
    now: DateTime<Utc>,
) -> Result<Vec<String>, Error> {
    let mut closed = Vec::new();
    let mut changes = Vec::new();
    for record in due {
        let Some(manual) = record.lapsed_override(now) else {
            continue;
        };
        let Some(expiry) = manual.expire_time else {
            continue;
        };
        if !records::clear_override(txn, &record.customer_id, manual, now).await? {
            continue;
        }
        // The evaluated tier when it ran out. Usually the one on the record now; but an
        // evaluation between the expiry and this close may have moved it since, and then the
        // first change it recorded starts from the tier in force right after the expiry.
        let evaluated = match history::tier_just_after(txn, &record.customer_id, expiry).await? {
            Some(tier) => tier,
            None => record.standing.tier.clone(),
        };
        changes.extend(record.lapse(manual, &evaluated));
        closed.push(record.customer_id.clone());
    }
    history::record(txn, policy, &changes).await?;
    Ok(closed)
}
