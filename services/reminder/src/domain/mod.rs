//! What a reminder is and the rules it is sent by, free of transport and storage.

pub mod cap;
pub mod events;
pub mod merge;
pub mod quiet;
pub mod reminder;
pub mod retry;
pub mod rule;
pub mod segments;
pub mod state;
pub mod template;
pub mod touchpoint;

pub use touchpoint::{ContactChannel, Touchpoint};

pub use cap::{CapDecision, CapQuery, DailyCap, calendar_day, is_capped};
pub use merge::{MergeItem, MergePolicy, Message, plan_messages};
pub use quiet::{QuietDecision, QuietHours, time_zone};
pub use reminder::{
    HistoryEntry, Reminder, ReminderDraft, Rendered, ScheduleValues, new_reminder_id,
};
pub use retry::{AttemptReport, Backoff, DeliveryOutcome, FailureCause, RetryPlan, RetryPolicy};
pub use rule::{
    ACCOUNT_OPENING_PARTS, Priority, RuleChange, RuleField, TouchpointRule, default_rule,
    default_rules,
};
pub use segments::{Encoding, SegmentCount, SegmentLimit};
pub use state::{Change, IllegalMove, Reason, ReminderState};
pub use template::{Template, TemplateDraft, TemplateText, Variables, seed_templates};
