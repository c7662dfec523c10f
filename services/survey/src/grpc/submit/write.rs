//! A round of prepared calls written in one transaction: their request_ids claimed with their
//! answers (one statement; a key a concurrent call holds is left to it), each token's
//! invitation marked answered (one that another submission marked first is TOKEN_USED, and
//! its claim is given back), then the responses, the customers' latest satisfaction and the
//! follow-ups in the outbox (a few statements for the whole round), and the customers' cached
//! views recorded as stale. A round that fails is written again call by call, so each call gets
//! its own error.

use chrono::{DateTime, Utc};
use prost::Message;
use sea_orm::{DatabaseTransaction, TransactionTrait};
use vipcare_cache::tags;
use vipcare_storage::idempotency::{RequestKey, claim_many, unclaim_many};
use vipcare_storage::invalidation::{self, Recorded};

use super::batch::Parts;
use super::prepare::Prepared;
use crate::answers;
use crate::domain::TokenRefusal;
use crate::error::Error;
use crate::store::{StoreError, StoredResponse, invitations};

/// What became of a call in its round.
#[derive(Debug)]
pub enum Written {
    /// Committed: its answer is its prepared one.
    Done,
    /// A concurrent call with its request_id committed first: answer that call's answer.
    Held,
    /// Refused inside the transaction (its token was used meanwhile), or the round failed.
    Refused(Error),
}

/// `items` written together, or each alone when that fails; their fates in their order, and
/// what the commits recorded as stale (to settle before anyone is answered).
pub async fn all(
    parts: &Parts,
    items: &[&Prepared],
    now: DateTime<Utc>,
) -> (Vec<Written>, Vec<Recorded>) {
    match together(parts, items, now).await {
        Ok((written, recorded)) => (written, vec![recorded]),
        Err(err) if items.len() == 1 => (vec![Written::Refused(err)], Vec::new()),
        Err(err) => {
            tracing::debug!(%err, calls = items.len(), "a batch of responses failed; writing each alone");
            let mut each = Vec::with_capacity(items.len());
            let mut stale = Vec::new();
            for item in items {
                each.push(match together(parts, &[item], now).await {
                    Ok((mut written, recorded)) => {
                        stale.push(recorded);
                        written.pop().unwrap_or(Written::Held)
                    }
                    Err(err) => Written::Refused(err),
                });
            }
            (each, stale)
        }
    }
}

/// `items` in one transaction: committed whole, or nothing of them.
async fn together(
    parts: &Parts,
    items: &[&Prepared],
    now: DateTime<Utc>,
) -> Result<(Vec<Written>, Recorded), Error> {
    let txn = parts.db.conn().begin().await.map_err(StoreError::from)?;
    match in_transaction(parts, &txn, items, now).await {
        Ok(written) => {
            txn.commit().await.map_err(StoreError::from)?;
            Ok(written)
        }
        Err(err) => {
            // The first error is the one worth reporting; a failed rollback ends the
            // connection, which rolls back as well.
            let _ = txn.rollback().await;
            Err(err)
        }
    }
}

async fn in_transaction(
    parts: &Parts,
    txn: &DatabaseTransaction,
    items: &[&Prepared],
    now: DateTime<Utc>,
) -> Result<(Vec<Written>, Recorded), Error> {
    let mut written: Vec<Written> = items.iter().map(|_| Written::Done).collect();
    let keyed: Vec<(usize, (&RequestKey, Vec<u8>))> = items
        .iter()
        .enumerate()
        .filter_map(|(i, p)| p.key.as_ref().map(|k| (i, (k, p.answer.encode_to_vec()))))
        .collect();
    let claims: Vec<(&RequestKey, Vec<u8>)> = keyed.iter().map(|(_, c)| c.clone()).collect();
    let claimed = claim_many(txn, &parts.requests, &claims).await?;
    for ((i, _), claimed) in keyed.iter().zip(claimed) {
        if !claimed {
            written[*i] = Written::Held;
        }
    }
    let mut given_back = Vec::new();
    for (i, p) in items.iter().enumerate() {
        let Some(invitation) = &p.stored.invitation_id else {
            continue;
        };
        if matches!(written[i], Written::Done)
            && !invitations::mark_answered(txn, invitation, &p.stored.response_id, now).await?
        {
            // Another submission of the token committed first.
            written[i] = Written::Refused(TokenRefusal::Used { at: now }.into());
            given_back.extend(p.key.as_ref());
        }
    }
    unclaim_many(txn, &given_back).await?;
    let storing: Vec<StoredResponse> = items
        .iter()
        .zip(&written)
        .filter(|(_, w)| matches!(w, Written::Done))
        .map(|(p, _)| p.stored.clone())
        .collect();
    answers::insert_many(txn, &storing).await?;
    let stale: Vec<String> = storing
        .iter()
        .map(|r| tags::customer(&r.customer_id))
        .collect();
    let recorded = invalidation::record(txn, &stale).await?;
    Ok((written, recorded))
}
