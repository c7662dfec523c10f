//! GetDeliveryStats: what became of the reminders due (by `send_at`) in a time range, in total
//! and by touchpoint or by the channel of their last attempt. Counts are grouped in SQL; the
//! timeliness percentiles are taken in Rust from the delays of the delivered reminders of the
//! range, one number each.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::ConnectionTrait;

use super::codec::coded;
use super::error::corrupt;
use super::{StoreError, ms, statement};
use crate::domain::{ContactChannel, ReminderState, Touchpoint};

/// How the counts are grouped besides the total.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grouping {
    None,
    Touchpoint,
    Channel,
}

/// One group: a touchpoint, or the channel of the last attempt (`None`: never attempted).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum GroupKey {
    Touchpoint(Touchpoint),
    Channel(Option<ContactChannel>),
}

/// The counts and measures of one group (or the total).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeliveryCounts {
    /// Every reminder due in the range.
    pub scheduled: u64,
    /// Handed to a channel at least once.
    pub sent: u64,
    pub delivered: u64,
    pub failed: u64,
    pub expired: u64,
    pub suppressed: u64,
    /// Deferred at least once (quiet hours or cap).
    pub deferred: u64,
    pub cancelled: u64,
    pub superseded: u64,
    /// Median delay from due to delivered; `None` with nothing delivered. Early (a merged
    /// message goes up to a window early) counts as zero.
    pub timeliness_p50: Option<TimeDelta>,
    pub timeliness_p95: Option<TimeDelta>,
}

impl DeliveryCounts {
    /// Delivered over the reminders meant to reach the customer; 0 when there are none.
    pub fn arrival_rate(&self) -> f64 {
        let meant = self
            .scheduled
            .saturating_sub(self.cancelled + self.superseded + self.suppressed);
        if meant == 0 {
            0.0
        } else {
            self.delivered as f64 / meant as f64
        }
    }

    fn add(&mut self, state: ReminderState, n: u64, sent: u64, deferred: u64) {
        self.scheduled += n;
        self.sent += sent;
        self.deferred += deferred;
        let slot = match state {
            ReminderState::Delivered => &mut self.delivered,
            ReminderState::Failed => &mut self.failed,
            ReminderState::Expired => &mut self.expired,
            ReminderState::Suppressed => &mut self.suppressed,
            ReminderState::Cancelled => &mut self.cancelled,
            ReminderState::Superseded => &mut self.superseded,
            ReminderState::Scheduled
            | ReminderState::Deferred
            | ReminderState::Dispatching
            | ReminderState::Sent => return,
        };
        *slot += n;
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeliveryStats {
    pub total: DeliveryCounts,
    /// In touchpoint or channel order; empty without grouping.
    pub groups: Vec<(GroupKey, DeliveryCounts)>,
}

const EVER: &str = "CASE WHEN EXISTS (SELECT 1 FROM reminder_history h \
    WHERE h.reminder_id = r.reminder_id AND h.state = $3) THEN 1 ELSE 0 END";

/// The statistics of reminders with `send_at` in `[start, end)`.
pub async fn delivery_stats<C: ConnectionTrait>(
    conn: &C,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    grouping: Grouping,
) -> Result<DeliveryStats, StoreError> {
    let deferred = EVER.replace("$3", "$4");
    let sql = format!(
        "SELECT r.touchpoint, r.channel, r.state, COUNT(*) AS n, SUM({EVER}) AS sent, \
         SUM({deferred}) AS deferred FROM reminders r WHERE r.send_ms >= $1 AND r.send_ms < $2 \
         GROUP BY r.touchpoint, r.channel, r.state"
    );
    let range: [sea_orm::Value; 2] = [ms(start).into(), ms(end).into()];
    let values = [
        range[0].clone(),
        range[1].clone(),
        "SENT".into(),
        "DEFERRED".into(),
    ];
    let rows = conn.query_all_raw(statement(conn, &sql, values)).await?;
    let mut stats = DeliveryStats::default();
    let mut groups: BTreeMap<GroupKey, DeliveryCounts> = BTreeMap::new();
    for row in &rows {
        let key = group_key(row, grouping)?;
        let state = coded("state", row, ReminderState::from_code)?;
        let number = |column: &str| -> Result<u64, StoreError> {
            let n: i64 = row.try_get("", column)?;
            u64::try_from(n).map_err(|_| corrupt(column, n))
        };
        let (n, sent, deferred) = (number("n")?, number("sent")?, number("deferred")?);
        stats.total.add(state, n, sent, deferred);
        if let Some(key) = key {
            groups.entry(key).or_default().add(state, n, sent, deferred);
        }
    }
    let lags = conn
        .query_all_raw(statement(
            conn,
            "SELECT r.touchpoint, r.channel, h.at_ms - r.send_ms AS lag_ms \
             FROM reminders r JOIN reminder_history h ON h.reminder_id = r.reminder_id \
             WHERE r.send_ms >= $1 AND r.send_ms < $2 AND r.state = 'DELIVERED' \
             AND h.state = 'DELIVERED'",
            range,
        ))
        .await?;
    let mut all = Vec::with_capacity(lags.len());
    let mut by_group: BTreeMap<GroupKey, Vec<i64>> = BTreeMap::new();
    for row in &lags {
        let lag = row.try_get::<i64>("", "lag_ms")?.max(0);
        all.push(lag);
        if let Some(key) = group_key(row, grouping)? {
            by_group.entry(key).or_default().push(lag);
        }
    }
    (stats.total.timeliness_p50, stats.total.timeliness_p95) = percentiles(all);
    for (key, lags) in by_group {
        let counts = groups.entry(key).or_default();
        (counts.timeliness_p50, counts.timeliness_p95) = percentiles(lags);
    }
    stats.groups = groups.into_iter().collect();
    Ok(stats)
}

fn group_key(
    row: &sea_orm::QueryResult,
    grouping: Grouping,
) -> Result<Option<GroupKey>, StoreError> {
    Ok(match grouping {
        Grouping::None => None,
        Grouping::Touchpoint => Some(GroupKey::Touchpoint(coded(
            "touchpoint",
            row,
            Touchpoint::from_code,
        )?)),
        Grouping::Channel => {
            let channel: Option<String> = row.try_get("", "channel")?;
            let channel = channel
                .map(|c| ContactChannel::from_code(&c).ok_or_else(|| corrupt("channel", c)))
                .transpose()?;
            Some(GroupKey::Channel(channel))
        }
    })
}

/// The 50th and 95th percentiles (nearest rank) of delays in milliseconds.
fn percentiles(mut lags: Vec<i64>) -> (Option<TimeDelta>, Option<TimeDelta>) {
    if lags.is_empty() {
        return (None, None);
    }
    lags.sort_unstable();
    let rank = |p: usize| {
        let i = (lags.len() * p).div_ceil(100).max(1) - 1;
        TimeDelta::milliseconds(lags[i.min(lags.len() - 1)])
    };
    (Some(rank(50)), Some(rank(95)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        assert_eq!(percentiles(vec![]), (None, None));
        let one = Some(TimeDelta::milliseconds(7));
        assert_eq!(percentiles(vec![7]), (one, one));
        let lags: Vec<i64> = (1..=100).rev().collect();
        assert_eq!(
            percentiles(lags),
            (
                Some(TimeDelta::milliseconds(50)),
                Some(TimeDelta::milliseconds(95))
            )
        );
    }

    #[test]
    fn arrival_rate_leaves_out_what_was_never_meant_to_arrive() {
        let counts = DeliveryCounts {
            scheduled: 10,
            delivered: 6,
            cancelled: 1,
            superseded: 1,
            suppressed: 0,
            ..DeliveryCounts::default()
        };
        assert!((counts.arrival_rate() - 0.75).abs() < 1e-9);
        assert_eq!(DeliveryCounts::default().arrival_rate(), 0.0);
    }
}
