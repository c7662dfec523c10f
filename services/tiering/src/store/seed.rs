//! What a new installation starts with: policy version 1 (the default ladder) and the default
//! benefit catalogue. Seeding is idempotent, so every replica may run it at start.

use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;

use super::{benefits, policies};
use crate::domain::{TierPolicy, default_catalogue};
use crate::error::Error;

pub async fn defaults<C: ConnectionTrait>(conn: &C, now: DateTime<Utc>) -> Result<(), Error> {
    if policies::version(conn, 1).await?.is_none() {
        match policies::store_after(conn, 0, &TierPolicy::default(), "seed", now).await {
            // Another replica seeded it at the same moment.
            Ok(_) | Err(Error::StaleEtag { .. }) => {}
            Err(err) => return Err(err),
        }
    }
    if benefits::list(conn).await?.is_empty() {
        for benefit in default_catalogue() {
            benefits::insert_if_absent(conn, &benefit, now).await?;
        }
    }
    Ok(())
}
