//! A complaint as the service keeps it: who raised it, about what and how serious, who took it
//! first (and so answers for it to the end, DOMAIN.md section 4) and who works on it now, where
//! it is in its life, how it was resolved, and a timeline of everything done. A complaint is
//! opened from a checked [`ComplaintDraft`] and changed only through
//! [`lifecycle::apply`](super::lifecycle::apply), which keeps the timeline and the version.

use chrono::{DateTime, Utc};
use vipcare_domain::{Invalid, Violation, coded_enum};

use super::codes::{Category, Channel, ComplaintState, RootCauseGap, Severity};
use super::repeat::Repeat;
use super::text::{multiline, party_id, required_line};

/// Longest summary, in characters: one line a list or an SMS can show.
pub const MAX_SUMMARY_CHARS: usize = 200;
/// Longest description, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 4000;

coded_enum! {
    /// What a timeline entry records: the opening, then one kind per accepted move.
    EntryKind {
        Opened = "OPENED",
        Acknowledged = "ACKNOWLEDGED",
        WorkStarted = "WORK_STARTED",
        WaitingCustomer = "WAITING_CUSTOMER",
        WorkResumed = "WORK_RESUMED",
        Call = "CALL",
        Visit = "VISIT",
        Note = "NOTE",
        Transferred = "TRANSFERRED",
        Resolved = "RESOLVED",
        /// The customer confirmed the resolution.
        Confirmed = "CONFIRMED",
        Closed = "CLOSED",
        /// Closed without the customer's answer, a week after the resolution.
        AutoClosed = "AUTO_CLOSED",
        Reopened = "REOPENED",
    }
}

/// One entry of a complaint's timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineEntry {
    pub at: DateTime<Utc>,
    /// The staff member (or customer id) who made the move.
    pub actor: String,
    pub kind: EntryKind,
    pub text: String,
}

/// How a complaint was resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolution {
    /// What was done, as the customer is told.
    pub text: String,
    /// Which service gap caused it, for the quality reports.
    pub root_cause_gap: RootCauseGap,
    /// `Some` when it cannot be solved: the reasonable explanation the customer is given.
    pub cannot_be_solved: Option<String>,
    pub resolved_by: String,
    pub resolved_at: DateTime<Utc>,
}

/// A complaint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Complaint {
    pub id: String,
    pub customer_id: String,
    pub channel: Channel,
    pub category: Category,
    pub severity: Severity,
    pub summary: String,
    /// Empty when none was given.
    pub description: String,
    /// Who first took it: accountable to the end, never changed by a transfer.
    pub first_contact_owner: String,
    /// Who works on it now; the owner until it is transferred.
    pub handler: String,
    pub state: ComplaintState,
    pub opened_at: DateTime<Utc>,
    /// The customer's tier when it was opened: the SLA and the follow-up go by it, and a later
    /// change of tier must not move deadlines already promised.
    pub tier_at_opening: String,
    pub reopen_count: u32,
    /// `Some` while RESOLVED or CLOSED; a reopen clears it (the timeline keeps the old one).
    pub resolution: Option<Resolution>,
    /// Complaints this one is linked to, e.g. the earlier one it repeats.
    pub related_ids: Vec<String>,
    pub timeline: Vec<TimelineEntry>,
    /// 1 when opened, one more per accepted move: writers compare it to detect a move made
    /// meanwhile. It always equals the number of timeline entries.
    pub version: u64,
}

impl Complaint {
    /// A new OPEN complaint, handled by its first-contact owner, its timeline begun. A repeat
    /// (see [`super::repeat`]) starts linked to the earlier complaint, one severity higher.
    pub fn open(
        id: String,
        draft: ComplaintDraft,
        tier_at_opening: String,
        repeat: Option<Repeat>,
    ) -> Complaint {
        let ComplaintDraft {
            customer_id,
            channel,
            category,
            severity,
            summary,
            description,
            first_contact_owner,
            opened_at,
        } = draft;
        let mut text = format!("opened via {}", channel.code());
        let (severity, related_ids) = match repeat {
            Some(Repeat { of, severity }) => {
                text.push_str(&format!(
                    "; repeats {of} within 30 days, severity {}",
                    severity.code()
                ));
                (severity, vec![of])
            }
            None => (severity, Vec::new()),
        };
        let entry = TimelineEntry {
            at: opened_at,
            actor: first_contact_owner.clone(),
            kind: EntryKind::Opened,
            text,
        };
        Complaint {
            id,
            customer_id,
            channel,
            category,
            severity,
            summary,
            description,
            handler: first_contact_owner.clone(),
            first_contact_owner,
            state: ComplaintState::Open,
            opened_at,
            tier_at_opening,
            reopen_count: 0,
            resolution: None,
            related_ids,
            timeline: vec![entry],
            version: 1,
        }
    }

    /// Not yet RESOLVED or CLOSED: someone still owes the customer an answer.
    pub fn is_open(&self) -> bool {
        !matches!(
            self.state,
            ComplaintState::Resolved | ComplaintState::Closed
        )
    }
}

/// A complaint as it was taken, before it is checked. `None` means "not given".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewComplaint {
    pub customer_id: String,
    pub channel: Option<Channel>,
    pub category: Option<Category>,
    pub severity: Option<Severity>,
    pub summary: String,
    /// May be empty.
    pub description: String,
    /// The staff member taking it.
    pub first_contact_owner: String,
}

/// A checked [`NewComplaint`], ready to be opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComplaintDraft {
    pub customer_id: String,
    pub channel: Channel,
    pub category: Category,
    pub severity: Severity,
    pub summary: String,
    pub description: String,
    pub first_contact_owner: String,
    pub opened_at: DateTime<Utc>,
}

impl ComplaintDraft {
    /// Checks every field and names each refused one (`summary`, `channel`, ...), so the person
    /// taking the complaint fixes them all at once; nothing is half-accepted.
    pub fn new(values: NewComplaint, now: DateTime<Utc>) -> Result<ComplaintDraft, Vec<Violation>> {
        let NewComplaint {
            customer_id,
            channel,
            category,
            severity,
            summary,
            description,
            first_contact_owner,
        } = values;
        let mut found = Vec::new();
        let customer_id = checked(&mut found, "customer_id", party_id(&customer_id));
        let channel = checked(&mut found, "channel", given(channel));
        let category = checked(&mut found, "category", given(category));
        let severity = checked(&mut found, "severity", given(severity));
        let summary = checked(
            &mut found,
            "summary",
            required_line(&summary, MAX_SUMMARY_CHARS),
        );
        let description = checked(
            &mut found,
            "description",
            multiline(&description, MAX_DESCRIPTION_CHARS),
        );
        let owner = checked(
            &mut found,
            "first_contact_owner",
            party_id(&first_contact_owner),
        );
        match (
            customer_id,
            channel,
            category,
            severity,
            summary,
            description,
            owner,
        ) {
            (
                Some(customer_id),
                Some(channel),
                Some(category),
                Some(severity),
                Some(summary),
                Some(description),
                Some(first_contact_owner),
            ) => Ok(ComplaintDraft {
                customer_id,
                channel,
                category,
                severity,
                summary,
                description,
                first_contact_owner,
                opened_at: now,
            }),
            _ => Err(found),
        }
    }
}

fn given<T>(value: Option<T>) -> Result<T, Invalid> {
    value.ok_or_else(|| Invalid::new("required"))
}

fn checked<T>(found: &mut Vec<Violation>, field: &str, result: Result<T, Invalid>) -> Option<T> {
    result.map_err(|refused| found.push(refused.at(field))).ok()
}

#[cfg(test)]
#[path = "complaint_tests.rs"]
mod tests;
