//! What a round knows of its customers before it takes any share through the rules, each asked
//! once for the whole round: who they are (the directory: two calls however many customers),
//! where they roam, and when the cap last counted a message to them. Asked per customer, these
//! were most of a round's time: three round trips and two database reads for each customer.
//!
//! Each customer is in one share of a round, and its share is prepared before anything of the
//! round is sent, so what is read here is what a per-customer read at that moment would see.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;

use super::{Dispatcher, roaming};
use crate::store::StoreError;
use crate::store::attempts;
use crate::upstream::{Contact, UpstreamError};

/// Around now, wider than any zone's calendar day that holds now (UTC−12 to UTC+14, plus a
/// daylight-saving hour): the cap's day is within it wherever the customer is.
const CAP_WINDOW: Duration = Duration::hours(48);

pub(super) struct Known {
    /// The directory's answer for all of the round's customers, or why it gave none.
    contacts: Result<HashMap<String, Contact>, UpstreamError>,
    zones: HashMap<String, String>,
    /// When each message counted against the cap was sent, within [`CAP_WINDOW`] of now.
    counted: HashMap<String, Vec<DateTime<Utc>>>,
}

impl Known {
    /// Asks for `customers` at `now`: the directory while the database is read.
    pub async fn of(
        d: &Dispatcher,
        customers: &[&str],
        now: DateTime<Utc>,
    ) -> Result<Known, StoreError> {
        if customers.is_empty() {
            return Ok(Known {
                contacts: Ok(HashMap::new()),
                zones: HashMap::new(),
                counted: HashMap::new(),
            });
        }
        let conn = d.db.conn();
        let (contacts, zones, counted) = futures::join!(
            d.directory.contacts(customers),
            d.roaming.zones(customers, now),
            attempts::capped_sent(conn, customers, now - CAP_WINDOW, now + CAP_WINDOW),
        );
        Ok(Known {
            contacts,
            zones: zones?,
            counted: counted?,
        })
    }

    /// `Ok(None)` for a customer the profile does not know.
    pub fn contact(&self, customer_id: &str) -> Result<Option<&Contact>, &UpstreamError> {
        match &self.contacts {
            Ok(found) => Ok(found.get(customer_id)),
            Err(e) => Err(e),
        }
    }

    /// The zone the customer roams in, if abroad.
    pub fn roaming(&self, customer_id: &str) -> Option<Tz> {
        roaming::parsed(self.zones.get(customer_id).cloned())
    }

    /// Messages counted against the cap sent to the customer in `[from, until)`, a calendar
    /// day around now.
    pub fn counted(&self, customer_id: &str, from: DateTime<Utc>, until: DateTime<Utc>) -> u32 {
        let sent = self.counted.get(customer_id).map_or(&[][..], Vec::as_slice);
        let n = sent
            .iter()
            .filter(|at| **at >= from && **at < until)
            .count();
        u32::try_from(n).unwrap_or(u32::MAX)
    }
}
