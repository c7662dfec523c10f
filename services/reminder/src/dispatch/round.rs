//! One customer's share of a claim (or one staff task), taken through the rules and sent, in
//! two steps. [`Round::prepare`] takes what the round knows of the customer through the rules: what
//! cannot go (ends, waits for quiet hours or the cap) is queued for the round's write-back, and
//! what can is composed into units. The round records every customer's units under the lease at
//! once; then [`Round::deliver`] sends a customer's units in turn, each gated once more at the
//! moment it goes, and queues what the answers made of them. A crash before the round's
//! write-back repeats its messages under the same idempotency keys.

use std::collections::{HashMap, VecDeque};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::batch::{WriteBack, WriteBacks};
use super::compose::{self, Ready, Unit};
use super::gate::{Hold, Recipient, channel_of, gate};
use super::known::Known;
use super::lease::HeldLease;
use super::moves::Moved;
use super::send::hand_over_of;
use super::{Dispatcher, Rules};
use crate::domain::retry::escalates;
use crate::domain::{Reason, Reminder, ReminderState, is_capped};
use crate::store::StoreError;
use crate::store::attempts::SentMessage;
use crate::upstream::{Contact, UpstreamError};

pub(super) struct Round<'a> {
    pub d: &'a Dispatcher,
    pub rules: &'a Rules,
    pub lease: &'a HeldLease,
    /// The units a dead worker was handing the claim's reminders over in (see `compose`).
    pub handing_over: &'a HashMap<String, String>,
    /// Where the shares' write-backs wait for the round's write.
    pub writes: &'a WriteBacks,
}

/// A customer's share, ready to send: who they are, and the units the rules and the cap let go.
pub(super) struct Prepared {
    contact: Contact,
    roaming: Option<Tz>,
    ready: Vec<Ready>,
    units: Vec<Unit>,
}

impl Prepared {
    /// What must be recorded before the units go: each merged unit's reminders and its id.
    pub fn hand_overs(&self) -> impl Iterator<Item = (Vec<&str>, &str)> {
        self.units
            .iter()
            .filter_map(|u| hand_over_of(u, &self.ready))
    }
}

impl Round<'_> {
    /// A customer's due reminders through the rules: `None` when none can go now.
    pub fn prepare(
        &self,
        customer_id: &str,
        due: Vec<Reminder>,
        known: &Known,
    ) -> Result<Option<Prepared>, StoreError> {
        let now = self.d.clock.now();
        let (mut held, mut todo) = (Vec::new(), Vec::new());
        for r in due {
            // Stale before any send: no need to ask the directory.
            match gate(&r, &self.rules.of(r.touchpoint), Recipient::Staff, now) {
                Some(hold) if r.attempts == 0 => held.push(Moved::held(r, &hold, now)?),
                _ => todo.push(r),
            }
        }
        if todo.is_empty() {
            self.write_back(held, None, None);
            return Ok(None);
        }
        let contact = match known.contact(customer_id) {
            Ok(Some(contact)) => contact.clone(),
            Ok(None) => {
                let hold = Hold::end(
                    ReminderState::Failed,
                    Reason::NoChannel,
                    "not a customer the profile knows",
                );
                for r in todo {
                    held.push(Moved::held(r, &hold, now)?);
                }
                self.write_back(held, None, None);
                return Ok(None);
            }
            Err(err) => {
                tracing::warn!(%err, %customer_id, "contact unknown for now; reminders wait");
                for r in todo {
                    held.push(self.wait_for_directory(r, err, now)?);
                }
                self.write_back(held, None, None);
                return Ok(None);
            }
        };
        let roaming = known.roaming(customer_id);
        let to = Recipient::Customer {
            contact: &contact,
            roaming,
        };
        let ready = self.clear(todo, &contact, to, now, &mut held)?;
        let units = compose::units_again(&ready, self.handing_over, &self.d.merge);
        let (units, over) = self.cap(units, &ready, &contact, to, now, known);
        for unit in over {
            for hold in self.capped(&unit, &ready, &contact, to, now) {
                held.push(hold?);
            }
        }
        self.write_back(held, None, Some(&contact));
        Ok(Some(Prepared {
            contact,
            roaming,
            ready,
            units,
        }))
    }

    /// Sends a prepared share's units in turn. `recorded`: the round recorded them already.
    pub async fn deliver(&self, share: &Prepared, recorded: bool) -> Result<(), StoreError> {
        let to = Recipient::Customer {
            contact: &share.contact,
            roaming: share.roaming,
        };
        let units = share.units.iter().map(|u| (u.clone(), recorded)).collect();
        self.send_in_turn(units, &share.ready, &share.contact, to)
            .await
    }

    /// The reminders the rules let go now, on their channels; the others, held, into `held`.
    fn clear(
        &self,
        todo: Vec<Reminder>,
        contact: &Contact,
        to: Recipient<'_>,
        now: DateTime<Utc>,
        held: &mut Vec<Moved>,
    ) -> Result<Vec<Ready>, StoreError> {
        let mut ready = Vec::new();
        for r in todo {
            let rule = self.rules.of(r.touchpoint);
            let channels = contact.channels_for(&rule).to_vec();
            let verdict = match gate(&r, &rule, to, now) {
                Some(hold) => Err(hold),
                None => channel_of(&r, &channels),
            };
            let important = self.d.policy.is_important(&rule);
            match verdict {
                Ok(channel) => ready.push(Ready {
                    counted: is_capped(rule.urgent, rule.mandatory) && r.message_id.is_none(),
                    mergeable: rule.mergeable && !rule.urgent,
                    reminder: r,
                    channel,
                    channels,
                    important,
                }),
                Err(hold) => held.push(self.held(r, &hold, now, contact, important)?),
            }
        }
        Ok(ready)
    }

    /// Sends the units one after the other, each gated again at its moment: what has become
    /// stale or quiet meanwhile is held, and the rest of its unit composed anew (and recorded
    /// before it goes, as each unit not yet recorded is).
    async fn send_in_turn(
        &self,
        admitted: Vec<(Unit, bool)>,
        ready: &[Ready],
        contact: &Contact,
        to: Recipient<'_>,
    ) -> Result<(), StoreError> {
        let mut queue: VecDeque<(Unit, bool)> = admitted.into();
        while let Some((unit, recorded)) = queue.pop_front() {
            let now = self.d.clock.now();
            let (mut go, mut stop) = (Vec::new(), Vec::new());
            for m in &unit.members {
                let Some(item) = ready.get(*m) else { continue };
                let rule = self.rules.of(item.reminder.touchpoint);
                match gate(&item.reminder, &rule, to, now) {
                    None => go.push(*m),
                    Some(hold) => {
                        let r = item.reminder.clone();
                        stop.push(self.held(r, &hold, now, contact, item.important)?);
                    }
                }
            }
            if !stop.is_empty() {
                self.write_back(stop, None, Some(contact));
                for again in compose::units(ready, &go, &self.d.merge).into_iter().rev() {
                    queue.push_front((again, false));
                }
                continue;
            }
            if !recorded && !self.record_unit(&unit, ready).await? {
                continue; // taken over: its new worker sends it
            }
            let (moved, message) = self.send(&unit, ready, to, &contact.tier, now).await?;
            self.write_back(moved, message, Some(contact));
        }
        Ok(())
    }

    /// Back to wait while the profile or tiering cannot answer: a minute by default, or until
    /// the deadline when that is sooner (a reminder already stale waits the full pause, so a
    /// long outage costs one entry a pause, not a busy loop).
    fn wait_for_directory(
        &self,
        r: Reminder,
        err: &UpstreamError,
        now: DateTime<Utc>,
    ) -> Result<Moved, StoreError> {
        let pause = now + self.d.policy.directory_retry;
        let until = if r.deadline > now {
            pause.min(r.deadline)
        } else {
            pause
        };
        let mut hold = Hold::wait(ReminderState::Scheduled, Reason::ProviderUnavailable, until);
        hold.detail = Some(format!(
            "how to reach the customer is unknown for now: {err}"
        ));
        Ok(Moved::held(r, &hold, now)?)
    }

    /// A staff task: only its deadline holds it; it goes to the assignee on the rule's channels.
    pub async fn staff(&self, task: Reminder) -> Result<(), StoreError> {
        let now = self.d.clock.now();
        let rule = self.rules.of(task.touchpoint);
        let channels = rule.default_channels.clone();
        let verdict = match gate(&task, &rule, Recipient::Staff, now) {
            Some(hold) => Err(hold),
            None => channel_of(&task, &channels),
        };
        let channel = match verdict {
            Ok(channel) => channel,
            Err(hold) => {
                self.write_back(vec![Moved::held(task, &hold, now)?], None, None);
                return Ok(());
            }
        };
        let ready = vec![Ready {
            reminder: task,
            channel,
            channels,
            mergeable: false,
            counted: false,
            important: false,
        }];
        for unit in compose::units(&ready, &[0], &self.d.merge) {
            // A message to staff is not one the customer's cap counts.
            let (moved, _) = self.send(&unit, &ready, Recipient::Staff, "", now).await?;
            self.write_back(moved, None, None);
        }
        Ok(())
    }

    fn held(
        &self,
        r: Reminder,
        hold: &Hold,
        now: DateTime<Utc>,
        contact: &Contact,
        important: bool,
    ) -> Result<Moved, StoreError> {
        let mut moved = Moved::held(r, hold, now)?;
        moved.escalate = hold.to == ReminderState::Failed && escalates(&contact.tier, important);
        Ok(moved)
    }

    /// Queues what moved, with the message and the contact (for escalations), for the round's
    /// write-back under the lease.
    fn write_back(
        &self,
        moved: Vec<Moved>,
        message: Option<SentMessage>,
        contact: Option<&Contact>,
    ) {
        self.writes.push(WriteBack {
            moved,
            message,
            contact: contact.cloned(),
        });
    }
}
