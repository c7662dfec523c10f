//! Merging: "too many, out of order" was a complaint (opening an account sent many SMS in
//! random order). Mergeable reminders for one customer and channel planned within the merge
//! window of the earliest go out as one message, their texts in priority order (lower number
//! first; ties by planned time, then id) joined by a separator. An SMS is split only where the
//! segment limit forces it, between parts wherever possible (see [`segments::pack_parts`]).
//! Other channels have no segments and are not split. Non-mergeable reminders go alone.
//!
//! A merged message goes at the earliest planned time of its reminders: the later ones go up to
//! a window early rather than the first waiting, and early never breaks a deadline.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeDelta, Utc};
use vipcare_domain::{Invalid, Violation};

use super::segments::{self, SegmentLimit};
use super::touchpoint::ContactChannel;

/// How reminders are merged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergePolicy {
    window: TimeDelta,
    separator: String,
    sms_limit: SegmentLimit,
}

impl Default for MergePolicy {
    /// A 10-minute window, parts on lines of their own, SMS of at most 5 segments.
    fn default() -> MergePolicy {
        MergePolicy {
            window: TimeDelta::minutes(10),
            separator: "\n".to_owned(),
            sms_limit: SegmentLimit::default(),
        }
    }
}

impl MergePolicy {
    /// Violations name `window` or `separator`. A zero window merges only reminders planned
    /// for the same instant.
    pub fn new(
        window: TimeDelta,
        separator: &str,
        sms_limit: SegmentLimit,
    ) -> Result<MergePolicy, Violation> {
        if window < TimeDelta::zero() || window > TimeDelta::days(1) {
            return Err(Invalid::new("must be zero to one day").at("window"));
        }
        if separator.chars().count() > 8 {
            return Err(Invalid::new("must be at most 8 characters").at("separator"));
        }
        Ok(MergePolicy {
            window,
            separator: separator.to_owned(),
            sms_limit,
        })
    }

    pub fn window(&self) -> TimeDelta {
        self.window
    }

    pub fn sms_limit(&self) -> SegmentLimit {
        self.sms_limit
    }
}

/// A reminder ready to go, with its rendered text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergeItem<Id> {
    pub id: Id,
    pub customer_id: String,
    pub channel: ContactChannel,
    /// Lower goes first.
    pub priority: i32,
    pub planned_at: DateTime<Utc>,
    pub mergeable: bool,
    pub text: String,
}

/// One message to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message<Id> {
    pub customer_id: String,
    pub channel: ContactChannel,
    pub send_at: DateTime<Utc>,
    pub text: String,
    /// The reminders it carries (all of each text, or a piece of an over-long one), in order.
    pub reminder_ids: Vec<Id>,
}

/// The messages `items` go out as, ordered by send time; messages of one merge keep their
/// order.
pub fn plan_messages<Id: Ord + Clone>(
    items: Vec<MergeItem<Id>>,
    policy: &MergePolicy,
) -> Vec<Message<Id>> {
    let mut groups: BTreeMap<(String, ContactChannel), Vec<MergeItem<Id>>> = BTreeMap::new();
    for item in items {
        groups
            .entry((item.customer_id.clone(), item.channel))
            .or_default()
            .push(item);
    }
    let mut out = Vec::new();
    for ((customer_id, channel), items) in groups {
        let (mut mergeable, alone): (Vec<_>, Vec<_>) = items.into_iter().partition(|i| i.mergeable);
        for item in alone {
            let send_at = item.planned_at;
            out.extend(compose(&customer_id, channel, send_at, vec![item], policy));
        }
        mergeable.sort_by(|a, b| (a.planned_at, &a.id).cmp(&(b.planned_at, &b.id)));
        let mut rest = mergeable.as_slice();
        while let Some(first) = rest.first() {
            let anchor = first.planned_at;
            let n = rest
                .iter()
                .take_while(|i| i.planned_at - anchor <= policy.window)
                .count();
            let (window, later) = rest.split_at(n);
            out.extend(compose(
                &customer_id,
                channel,
                anchor,
                window.to_vec(),
                policy,
            ));
            rest = later;
        }
    }
    // Stable: the pieces of one merge stay in order.
    out.sort_by_key(|m| m.send_at);
    out
}

fn compose<Id: Ord + Clone>(
    customer_id: &str,
    channel: ContactChannel,
    send_at: DateTime<Utc>,
    mut items: Vec<MergeItem<Id>>,
    policy: &MergePolicy,
) -> Vec<Message<Id>> {
    items.sort_by(|a, b| (a.priority, a.planned_at, &a.id).cmp(&(b.priority, b.planned_at, &b.id)));
    let message = |text: String, ids: Vec<Id>| Message {
        customer_id: customer_id.to_owned(),
        channel,
        send_at,
        text,
        reminder_ids: ids,
    };
    let texts: Vec<&str> = items.iter().map(|i| i.text.as_str()).collect();
    if channel != ContactChannel::Sms {
        let ids = items.iter().map(|i| i.id.clone()).collect();
        return vec![message(texts.join(&policy.separator), ids)];
    }
    segments::pack_parts(&texts, &policy.separator, policy.sms_limit)
        .into_iter()
        .map(|packed| {
            let ids = packed
                .parts
                .iter()
                .filter_map(|p| items.get(*p).map(|i| i.id.clone()))
                .collect();
            message(packed.text, ids)
        })
        .collect()
}

#[cfg(test)]
#[path = "merge_tests.rs"]
mod tests;
