//! A schedule request's values checked into a [`ReminderDraft`]: every refused field named,
//! relative to the request, and the rule's defaults filled in (send time, deadline, priority).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use vipcare_domain::{Invalid, Violation, bounded_text};

use crate::domain::Touchpoint;
use crate::domain::rule::{Priority, TouchpointRule};
use crate::domain::template::{Variables, template_code};

/// Longest dedupe key, in characters.
pub const MAX_DEDUPE_KEY_CHARS: usize = 128;
/// Longest customer or staff id, in characters.
pub const MAX_PARTY_ID_CHARS: usize = 64;
/// Longest event id, in characters.
pub const MAX_EVENT_ID_CHARS: usize = 128;

/// A schedule request's values as they came, before they are checked. Empty text and a zero
/// priority mean "not given", as the contract writes them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScheduleValues {
    pub customer_id: String,
    /// Empty for the touchpoint's default template.
    pub template_code: String,
    pub variables: BTreeMap<String, String>,
    /// `None` (or a past time) for now.
    pub send_at: Option<DateTime<Utc>>,
    /// `None` for `send_at` plus the rule's default deadline.
    pub deadline: Option<DateTime<Utc>>,
    /// 0 for the rule's priority.
    pub priority: i32,
    pub dedupe_key: String,
    /// Required for a staff task, empty otherwise.
    pub staff_assignee: String,
    /// The event the reminder comes from; empty when scheduled directly.
    pub source_event_id: String,
}

/// A checked schedule request, waiting for its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderDraft {
    pub customer_id: String,
    pub touchpoint: Touchpoint,
    /// `None`: the touchpoint's default template for the customer's channel and locale.
    pub template_code: Option<String>,
    pub variables: Variables,
    pub send_at: DateTime<Utc>,
    pub deadline: DateTime<Utc>,
    pub priority: Priority,
    pub dedupe_key: Option<String>,
    pub staff_assignee: Option<String>,
    pub source_event_id: Option<String>,
}

impl ReminderDraft {
    /// Checks `values` against the touchpoint's `rule`. Every refused field is named, relative
    /// to the request (`deadline`, `variables.PLAN_NAME`, ...); nothing is half-accepted.
    pub fn new(
        values: ScheduleValues,
        rule: &TouchpointRule,
        now: DateTime<Utc>,
    ) -> Result<ReminderDraft, Vec<Violation>> {
        let ScheduleValues {
            customer_id,
            template_code: code,
            variables,
            send_at,
            deadline,
            priority,
            dedupe_key,
            staff_assignee,
            source_event_id,
        } = values;
        let mut found = Vec::new();
        note(&mut found, party_id(&customer_id), "customer_id");
        if !code.is_empty() {
            note(&mut found, template_code(&code), "template_code");
        }
        let variables = Variables::new(variables)
            .map_err(|refused| found.extend(refused))
            .ok();
        // A time already past means "now": the request was late, the reminder need not be.
        let send_at = send_at.map_or(now, |t| t.max(now));
        let deadline = deadline.unwrap_or(send_at + rule.default_deadline);
        if deadline <= send_at {
            let refused = Invalid::new("must be after the send time (or now, if that is later)");
            found.push(refused.at("deadline"));
        }
        let priority = match priority {
            0 => Ok(rule.priority),
            n => Priority::new(n),
        };
        note(&mut found, priority.clone().map(|_| ()), "priority");
        note(
            &mut found,
            optional(&dedupe_key, MAX_DEDUPE_KEY_CHARS),
            "dedupe_key",
        );
        let assignee = match (rule.touchpoint.is_staff_task(), staff_assignee.is_empty()) {
            (true, true) => Err(Invalid::new("required for a staff task")),
            (true, false) => party_id(&staff_assignee),
            (false, false) => Err(Invalid::new("only a staff task has an assignee")),
            (false, true) => Ok(()),
        };
        note(&mut found, assignee, "staff_assignee");
        note(
            &mut found,
            optional(&source_event_id, MAX_EVENT_ID_CHARS),
            "source_event_id",
        );
        match (variables, priority) {
            (Some(variables), Ok(priority)) if found.is_empty() => Ok(ReminderDraft {
                customer_id,
                touchpoint: rule.touchpoint,
                template_code: some(code),
                variables,
                send_at,
                deadline,
                priority,
                dedupe_key: some(dedupe_key),
                staff_assignee: some(staff_assignee),
                source_event_id: some(source_event_id),
            }),
            _ => Err(found),
        }
    }
}

fn note(found: &mut Vec<Violation>, result: Result<(), Invalid>, field: &str) {
    if let Err(refused) = result {
        found.push(refused.at(field));
    }
}

/// An id: 1-64 characters, no spaces, control or bidirectional characters.
fn party_id(id: &str) -> Result<(), Invalid> {
    if id.is_empty() {
        return Err(Invalid::new("required"));
    }
    if id.chars().any(char::is_whitespace) {
        return Err(Invalid::new("must not contain spaces"));
    }
    bounded_text(id, MAX_PARTY_ID_CHARS).map(|_| ())
}

/// Optional text: empty, or non-blank and bounded.
fn optional(text: &str, max: usize) -> Result<(), Invalid> {
    if !text.is_empty() && text.trim().is_empty() {
        return Err(Invalid::new("must not be blank (leave it empty for none)"));
    }
    bounded_text(text, max).map(|_| ())
}

fn some(text: String) -> Option<String> {
    (!text.is_empty()).then_some(text)
}
