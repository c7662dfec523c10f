//! What a complaint is and the rules it is handled by, free of transport and storage.

pub mod calendar;
pub mod clock;
pub mod codes;
pub mod escalation;
pub mod sla;

pub mod compensation;
pub mod complaint;
pub mod follow_up;
pub mod lifecycle;
pub mod promise;
pub mod repeat;
pub mod report;
pub mod text;

pub use codes::{Category, Channel, ComplaintState, RootCauseGap, Severity};

pub use calendar::{BusinessCalendar, CalendarDraft, WorkingHours};
pub use clock::{ClockError, ClockStatus, Goal, Pause, SlaClock};
pub use escalation::{Level, due_levels, next_check};
pub use sla::{ClockKind, SlaPolicy, SlaTarget};

pub use compensation::{
    Compensation, CompensationKind, CompensationLimits, CompensationState, DecisionRefusal,
    ProposedCompensation, granted_per_kind,
};
pub use complaint::{
    Complaint, ComplaintDraft, EntryKind, NewComplaint, Resolution, TimelineEntry,
};
pub use follow_up::{FollowUp, ProgressIntervals};
pub use lifecycle::{
    ActionKind, ClockEffect, CustomerNotice, Effects, IllegalMove, Move, MoveName, Refusal, apply,
    may,
};
pub use promise::{AlreadyFulfilled, BrokenPromise, Promise};
pub use repeat::{EarlierComplaint, Repeat, find_repeat};
