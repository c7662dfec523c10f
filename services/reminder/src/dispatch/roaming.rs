//! Where a customer is, for quiet hours abroad: a roaming-attached event records the country's
//! time zone (the event memory of `store::ingest` keeps it), and while it holds, quiet hours and the
//! cap's calendar day are read on that zone's clock. The dispatcher asks through
//! [`RoamingZones`], so it does not depend on how the events are stored.

use std::collections::HashMap;
use std::fmt::Debug;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use futures::future::BoxFuture;

use vipcare_storage::Database;

use crate::domain::time_zone;
use crate::store::{StoreError, ingest};

/// The zones customers are roaming in at a time, asked for a round's customers at once.
pub trait RoamingZones: Send + Sync + Debug {
    /// An IANA zone name ("Europe/Paris") for each of `customer_ids` abroad; the customers at
    /// home are absent.
    fn zones<'a>(
        &'a self,
        customer_ids: &'a [&'a str],
        now: DateTime<Utc>,
    ) -> BoxFuture<'a, Result<HashMap<String, String>, StoreError>>;
}

/// Nobody roams: quiet hours on every customer's home clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct AtHome;

impl RoamingZones for AtHome {
    fn zones<'a>(
        &'a self,
        _customer_ids: &'a [&'a str],
        _now: DateTime<Utc>,
    ) -> BoxFuture<'a, Result<HashMap<String, String>, StoreError>> {
        Box::pin(futures::future::ready(Ok(HashMap::new())))
    }
}

/// The zone as the quiet hours read it. A name that is no zone (stored by an older version,
/// say) is read as home rather than failing the customer's reminders.
pub(super) fn parsed(zone: Option<String>) -> Option<Tz> {
    zone.and_then(|z| time_zone(&z).ok())
}

/// The zones the ingested roaming events recorded (`store::ingest`).
#[derive(Debug, Clone)]
pub struct StoredZones {
    db: Database,
}

impl StoredZones {
    pub fn new(db: Database) -> StoredZones {
        StoredZones { db }
    }
}

impl RoamingZones for StoredZones {
    fn zones<'a>(
        &'a self,
        customer_ids: &'a [&'a str],
        now: DateTime<Utc>,
    ) -> BoxFuture<'a, Result<HashMap<String, String>, StoreError>> {
        Box::pin(ingest::roaming_zones(self.db.conn(), customer_ids, now))
    }
}
