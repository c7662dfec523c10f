//! What a new installation starts with: the default rule of every touchpoint and the seeded
//! templates. Seeding inserts only what is missing, so every replica may run it at start, a
//! release that adds a touchpoint or template brings it along, and an operator's edit of a
//! rule or template is never overwritten.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, TransactionSession, TransactionTrait};

use super::{StoreError, rules, templates};
use crate::domain::{default_rules, seed_templates};

/// How many rules and templates this run inserted (zero once seeded).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seeded {
    pub rules: u64,
    pub templates: u64,
}

pub async fn defaults<C: ConnectionTrait + TransactionTrait>(
    conn: &C,
    now: DateTime<Utc>,
) -> Result<Seeded, StoreError> {
    let txn = conn.begin().await?;
    let seeded = Seeded {
        rules: rules::insert_missing(&txn, &default_rules()).await?,
        templates: templates::insert_missing(&txn, &seed_templates(), now).await?,
    };
    txn.commit().await?;
    Ok(seeded)
}
