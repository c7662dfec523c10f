//! What one customer's due reminders go out as. The domain merges them ([`plan_messages`]): per
//! channel, mergeable ones within the window in one text, parts in priority order, split only
//! where the segment limit forces it. Here the messages that share a reminder (the pieces of a
//! text too long for one message) become one [`Unit`], sent together; and each message gets
//! its id — attempt id, message id and idempotency key at once — derived from what it carries
//! (which reminders, at which attempt, on which channel). The unit a reminder goes in is
//! recorded under the lease just before it goes; a worker that takes over a dead one's claim
//! composes each recorded unit from the same reminders again, so it sends the same messages
//! under the same keys and the provider drops the repeats.
//!
//! The daily cap admits whole units, most important first: a merged message counts once.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};

use crate::domain::{ContactChannel, MergeItem, MergePolicy, Reminder, plan_messages};

/// A reminder cleared to go, on the channel it is due on.
#[derive(Debug, Clone)]
pub(super) struct Ready {
    pub reminder: Reminder,
    pub channel: ContactChannel,
    /// The customer's channels for it, in order (where a fallback goes next).
    pub channels: Vec<ContactChannel>,
    pub mergeable: bool,
    /// Counts against the daily cap: capped by its rule, and no provider took it before (a
    /// retry after the phone was off was counted when its message first went).
    pub counted: bool,
    /// Important enough to escalate when it reaches no channel.
    pub important: bool,
}

/// One message of a unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Piece {
    /// Attempt id, message id and idempotency key.
    pub id: String,
    pub text: String,
    /// Indexes into the ready list, in text order.
    pub members: Vec<usize>,
}

/// Messages sent together: one, or the pieces of an over-long text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Unit {
    pub channel: ContactChannel,
    pub send_at: DateTime<Utc>,
    pub pieces: Vec<Piece>,
    /// Every reminder carried, in text order, once.
    pub members: Vec<usize>,
    pub counted: bool,
}

impl Unit {
    /// The lowest (most important) priority it carries.
    fn best_priority(&self, ready: &[Ready]) -> u8 {
        self.members
            .iter()
            .filter_map(|i| ready.get(*i))
            .map(|r| r.reminder.priority.get())
            .min()
            .unwrap_or(u8::MAX)
    }

    /// The message this member's attempt is recorded under, and the attempt's own id: the
    /// message's, or for a merged message the message's with the member's place in it.
    pub fn attempt_ids(&self, member: usize) -> Option<(String, String)> {
        let piece = self.pieces.iter().find(|p| p.members.contains(&member))?;
        if piece.members.len() == 1 {
            return Some((piece.id.clone(), piece.id.clone()));
        }
        let place = piece.members.iter().position(|m| *m == member)? + 1;
        Some((piece.id.clone(), format!("{}.{place}", piece.id)))
    }
}

/// The units `members` (indexes into `ready`) go out as, in send order.
pub(super) fn units(ready: &[Ready], members: &[usize], merge: &MergePolicy) -> Vec<Unit> {
    let items = members
        .iter()
        .filter_map(|i| ready.get(*i).map(|r| (*i, r)))
        .map(|(i, r)| MergeItem {
            id: i,
            customer_id: r.reminder.customer_id.clone(),
            channel: r.channel,
            priority: i32::from(r.reminder.priority.get()),
            planned_at: r.reminder.planned_send_at,
            mergeable: r.mergeable,
            text: r.reminder.text.clone(),
        })
        .collect();
    let mut out: Vec<Unit> = Vec::new();
    for message in plan_messages(items, merge) {
        let joins_last = out.last().is_some_and(|u| {
            u.channel == message.channel
                && message.reminder_ids.iter().any(|m| u.members.contains(m))
        });
        if !joins_last {
            out.push(Unit {
                channel: message.channel,
                send_at: message.send_at,
                pieces: Vec::new(),
                members: Vec::new(),
                counted: false,
            });
        }
        if let Some(unit) = out.last_mut() {
            for m in &message.reminder_ids {
                if !unit.members.contains(m) {
                    unit.members.push(*m);
                }
            }
            unit.pieces.push(Piece {
                id: String::new(),
                text: message.text,
                members: message.reminder_ids,
            });
        }
    }
    for unit in &mut out {
        unit.counted = unit
            .members
            .iter()
            .any(|m| ready.get(*m).is_some_and(|r| r.counted));
        let carried: Vec<(&str, u32)> = unit
            .members
            .iter()
            .filter_map(|m| ready.get(*m))
            .map(|r| (r.reminder.id.as_str(), r.reminder.attempts + 1))
            .collect();
        for (n, piece) in unit.pieces.iter_mut().enumerate() {
            piece.id = message_id(unit.channel, n, &carried);
        }
    }
    out
}

/// The units `ready` go out as, the reminders a dead worker was handing over in one unit
/// (`handing_over`, by reminder id) composed apart from the rest: alone they make the same
/// messages again, under the same ids, so the provider drops what already reached it.
pub(super) fn units_again(
    ready: &[Ready],
    handing_over: &HashMap<String, String>,
    merge: &MergePolicy,
) -> Vec<Unit> {
    let mut groups: BTreeMap<Option<&str>, Vec<usize>> = BTreeMap::new();
    for (i, r) in ready.iter().enumerate() {
        let unit = handing_over.get(&r.reminder.id).map(String::as_str);
        groups.entry(unit).or_default().push(i);
    }
    let mut out: Vec<Unit> = groups
        .values()
        .flat_map(|members| units(ready, members, merge))
        .collect();
    out.sort_by_key(|u| u.send_at);
    out
}

/// `units` split into those the cap admits and those it holds back: counted units, most
/// important first, while `sent_today` is under `limit`; uncounted ones always go.
pub(super) fn admit(
    units: Vec<Unit>,
    ready: &[Ready],
    mut sent_today: u32,
    limit: u32,
) -> (Vec<Unit>, Vec<Unit>) {
    let (counted, mut admitted): (Vec<Unit>, Vec<Unit>) =
        units.into_iter().partition(|u| u.counted);
    let mut ranked: Vec<(u8, Unit)> = counted
        .into_iter()
        .map(|u| (u.best_priority(ready), u))
        .collect();
    ranked.sort_by_key(|a| (a.0, a.1.send_at));
    let mut held = Vec::new();
    for (_, unit) in ranked {
        if sent_today < limit {
            sent_today += 1;
            admitted.push(unit);
        } else {
            held.push(unit);
        }
    }
    admitted.sort_by_key(|u| u.send_at);
    (admitted, held)
}

/// `m-` and 32 hex digits of SHA-256 over the channel, the piece and each reminder carried with
/// its attempt number: the same message always gets the same id, another message another.
fn message_id(channel: ContactChannel, piece: usize, carried: &[(&str, u32)]) -> String {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    hash.update(channel.code().as_bytes());
    hash.update(piece.to_be_bytes());
    for (id, attempt) in carried {
        hash.update(b"\n");
        hash.update(id.as_bytes());
        hash.update(attempt.to_be_bytes());
    }
    let digest = hash.finalize();
    format!("m-{}", hex::encode(&digest[..16]))
}

#[cfg(test)]
#[path = "compose_tests.rs"]
mod tests;
