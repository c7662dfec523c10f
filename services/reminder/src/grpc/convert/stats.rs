//! Delivery statistics: the store's counts to the contract, in total and per group.

use vipcare_proto::reminder::v1 as pb;

use super::{channel_to_proto, duration_to_proto, touchpoint_to_proto};
use crate::store::stats::{DeliveryCounts, DeliveryStats, GroupKey};

pub fn stats_to_proto(stats: &DeliveryStats) -> pb::GetDeliveryStatsResponse {
    let DeliveryStats { total, groups } = stats;
    pb::GetDeliveryStatsResponse {
        total: Some(counts_to_proto(total, None)),
        groups: groups
            .iter()
            .map(|(key, counts)| counts_to_proto(counts, Some(*key)))
            .collect(),
    }
}

fn counts_to_proto(counts: &DeliveryCounts, key: Option<GroupKey>) -> pb::DeliveryStats {
    let arrival_rate = counts.arrival_rate();
    let DeliveryCounts {
        scheduled,
        sent,
        delivered,
        failed,
        expired,
        suppressed,
        deferred,
        cancelled,
        superseded,
        timeliness_p50,
        timeliness_p95,
    } = counts;
    let (touchpoint, channel) = match key {
        None => (0, 0),
        Some(GroupKey::Touchpoint(t)) => (touchpoint_to_proto(t) as i32, 0),
        // Reminders never attempted form the group whose channel is unspecified.
        Some(GroupKey::Channel(c)) => (0, c.map_or(0, |c| channel_to_proto(c) as i32)),
    };
    let count = |n: &u64| i64::try_from(*n).unwrap_or(i64::MAX);
    pb::DeliveryStats {
        touchpoint,
        channel,
        scheduled: count(scheduled),
        sent: count(sent),
        delivered: count(delivered),
        failed: count(failed),
        expired: count(expired),
        suppressed: count(suppressed),
        deferred: count(deferred),
        cancelled: count(cancelled),
        superseded: count(superseded),
        arrival_rate,
        timeliness_p50: timeliness_p50.map(duration_to_proto),
        timeliness_p95: timeliness_p95.map(duration_to_proto),
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;

    use super::*;
    use crate::domain::{ContactChannel, Touchpoint};

    #[test]
    fn groups_carry_their_key_and_rates() {
        let counts = DeliveryCounts {
            scheduled: 4,
            delivered: 3,
            timeliness_p50: Some(TimeDelta::seconds(90)),
            ..DeliveryCounts::default()
        };
        let stats = DeliveryStats {
            total: counts.clone(),
            groups: vec![
                (GroupKey::Touchpoint(Touchpoint::LowBalance), counts.clone()),
                (GroupKey::Channel(None), DeliveryCounts::default()),
                (GroupKey::Channel(Some(ContactChannel::Email)), counts),
            ],
        };
        let answer = stats_to_proto(&stats);
        let total = answer.total.unwrap();
        assert!((total.arrival_rate - 0.75).abs() < 1e-9);
        assert_eq!(total.timeliness_p50.unwrap().seconds, 90);
        assert_eq!(total.timeliness_p95, None);
        let keys: Vec<_> = answer
            .groups
            .iter()
            .map(|g| (g.touchpoint, g.channel))
            .collect();
        assert_eq!(keys, [(9, 0), (0, 0), (0, 3)]);
    }
}
