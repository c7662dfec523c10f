//! What a promise or a follow-up leads to at the reminder service. A promise: a staff task for
//! the complaint's handler before it falls due (so it is kept, not remembered too late) and a
//! progress notice to the customer now, naming the promised time (so they know when to expect
//! it). A follow-up: a staff task for whoever planned it, at its time, and — when the customer
//! is to know — a notice now, as an appointment.
//!
//! Each carries a dedupe key of the complaint and the promise or follow-up it is about, so a
//! relay that delivers twice schedules once.

use chrono::{DateTime, Utc};

use crate::domain::{Complaint, Promise};
use crate::notices::{Notice, dedupe_key};
use crate::store::follow_ups::StoredFollowUp;

/// How much of a promise or a note a staff task quotes: with the complaint number and the
/// wording around it the task stays within what a reminder variable may hold (500).
const QUOTED_CHARS: usize = 400;

/// What a follow-up the customer is told of says to them: the note is for staff.
const FOLLOW_UP_PROGRESS: &str = "我们已为您预约回访,届时将与您联系";

/// The notices of `promise`, made now on `complaint` of the customer named `customer_name`.
pub fn promise_made(
    complaint: &Complaint,
    customer_name: &str,
    promise: &Promise,
    now: DateTime<Utc>,
) -> [Notice; 2] {
    let task = format!("兑现对客户的承诺:{}", quoted(&promise.text));
    [
        Notice::staff_task(
            complaint,
            customer_name,
            &complaint.handler,
            &task,
            promise.due_at,
            promise.remind_handler_at().max(now),
            dedupe_key(&complaint.id, "promise-task", &promise.id),
        ),
        Notice::progress(
            complaint,
            &promise.text,
            promise.due_at,
            now,
            dedupe_key(&complaint.id, "promise", &promise.id),
        ),
    ]
}

/// The notices of `planned`, a follow-up planned now on `complaint`.
pub fn follow_up_planned(
    complaint: &Complaint,
    customer_name: &str,
    planned: &StoredFollowUp,
    now: DateTime<Utc>,
) -> Vec<Notice> {
    let at = planned.follow_up.at;
    let task = format!("回访:{}", quoted(&planned.follow_up.note));
    let mut notices = vec![Notice::staff_task(
        complaint,
        customer_name,
        &planned.scheduled_by,
        &task,
        at,
        at,
        dedupe_key(&complaint.id, "follow-up-task", &planned.id),
    )];
    if planned.follow_up.notify_customer {
        notices.push(Notice::progress(
            complaint,
            FOLLOW_UP_PROGRESS,
            at,
            now,
            dedupe_key(&complaint.id, "follow-up", &planned.id),
        ));
    }
    notices
}

/// `text` cut to [`QUOTED_CHARS`], marked where it was cut.
fn quoted(text: &str) -> String {
    match text.char_indices().nth(QUOTED_CHARS) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
#[path = "reminders_tests.rs"]
mod tests;
