//! One customer's share of a claim (or one staff task), taken through the rules and sent.
//! What cannot go now is written back first (ends, and waits for quiet hours or the cap); then
//! each unit is gated once more at the moment it is sent, recorded under the lease, handed to
//! its channel, and written back with its attempts and message before the next unit goes, so a
//! crash repeats at most the message in flight — under the same idempotency key.

use std::collections::{HashMap, VecDeque};

use chrono::{DateTime, Utc};

use super::batch::{Batches, WriteBack};
use super::compose::{self, Ready, Unit};
use super::gate::{Hold, Recipient, channel_of, gate};
use super::lease::HeldLease;
use super::moves::Moved;
use super::{Dispatcher, Rules, roaming};
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
    /// Where the customers' write-backs meet to be written together.
    pub batches: &'a Batches,
}

impl Round<'_> {
    /// A customer's due reminders.
    pub async fn customer(
        &self,
        customer_id: String,
        due: Vec<Reminder>,
    ) -> Result<(), StoreError> {
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
            return self.write_back(held, None, None).await;
        }
        let contact = match self.d.directory.contact(&customer_id).await {
            Ok(Some(contact)) => contact,
            Ok(None) => {
                let hold = Hold::end(
                    ReminderState::Failed,
                    Reason::NoChannel,
                    "not a customer the profile knows",
                );
                for r in todo {
                    held.push(Moved::held(r, &hold, now)?);
                }
                return self.write_back(held, None, None).await;
            }
            Err(err) => {
                tracing::warn!(%err, %customer_id, "contact unknown for now; reminders wait");
                for r in todo {
                    held.push(self.wait_for_directory(r, &err, now)?);
                }
                return self.write_back(held, None, None).await;
            }
        };
        let zone = self.d.roaming.zone(&customer_id, now).await?;
        let to = Recipient::Customer {
            contact: &contact,
            roaming: roaming::parsed(zone),
        };
        let ready = self.clear(todo, &contact, to, now, &mut held)?;
        let units = compose::units_again(&ready, self.handing_over, &self.d.merge);
        let (admitted, over) = self.cap(units, &ready, &contact, to, now).await?;
        for unit in over {
            for hold in self.capped(&unit, &ready, &contact, to, now) {
                held.push(hold?);
            }
        }
        self.write_back(held, None, Some(&contact)).await?;
        self.send_in_turn(admitted, &ready, &contact, to).await
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

    /// Sends the admitted units one after the other, each gated again at its moment: what has
    /// become stale or quiet meanwhile is held, and the rest of its unit composed anew.
    async fn send_in_turn(
        &self,
        admitted: Vec<Unit>,
        ready: &[Ready],
        contact: &Contact,
        to: Recipient<'_>,
    ) -> Result<(), StoreError> {
        let mut queue: VecDeque<Unit> = admitted.into();
        while let Some(unit) = queue.pop_front() {
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
                self.write_back(stop, None, Some(contact)).await?;
                for again in compose::units(ready, &go, &self.d.merge).into_iter().rev() {
                    queue.push_front(again);
                }
                continue;
            }
            if !self.record_unit(&unit, ready).await? {
                continue; // taken over: its new worker sends it
            }
            let (moved, message) = self.send(&unit, ready, to, &contact.tier, now).await?;
            self.write_back(moved, message, Some(contact)).await?;
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
                return self
                    .write_back(vec![Moved::held(task, &hold, now)?], None, None)
                    .await;
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
            self.write_back(moved, None, None).await?;
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

    /// Writes what moved, under the lease, with the message and any staff tasks, with the
    /// other customers' write-backs of the moment (`batch`). Reminders whose lease was taken
    /// over are left to their new worker.
    async fn write_back(
        &self,
        moved: Vec<Moved>,
        message: Option<SentMessage>,
        contact: Option<&Contact>,
    ) -> Result<(), StoreError> {
        let write = WriteBack {
            moved,
            message,
            contact: contact.cloned(),
        };
        self.batches.write(self, write).await
    }
}
