//! The contract's enums to the domain's and back (see `vipcare_runtime::enum_map!`).

use vipcare_proto::complaint::v1 as pb;
use vipcare_runtime::enum_map;

use crate::domain::{
    ActionKind, Category, Channel, ClockKind, CompensationKind, CompensationState, ComplaintState,
    EntryKind, Level, RootCauseGap, Severity,
};

enum_map!(channel_from_proto: Channel <=> pb::Channel {
    Hall <=> Hall,
    Hotline <=> Hotline,
    Web <=> Web,
    OnSite <=> OnSite,
    AccountManager <=> AccountManager,
    Sms <=> Sms,
    Partner <=> Partner,
});

enum_map!(category_from_proto: Category <=> pb::Category {
    Billing <=> Billing,
    Network <=> Network,
    ServiceAttitude <=> ServiceAttitude,
    Product <=> Product,
    Price <=> Price,
    Benefit <=> Benefit,
    Reminder <=> Reminder,
    Policy <=> Policy,
    Other <=> Other,
});

enum_map!(severity_from_proto: Severity <=> pb::Severity {
    Low <=> Low,
    Medium <=> Medium,
    High <=> High,
    Critical <=> Critical,
});

enum_map!(gap_from_proto: RootCauseGap <=> pb::RootCauseGap {
    Knowledge <=> Knowledge,
    Standard <=> Standard,
    Delivery <=> Delivery,
    Communication <=> Communication,
});

enum_map!(state_from_proto: ComplaintState <=> pb::ComplaintState {
    Open <=> Open,
    Acknowledged <=> Acknowledged,
    InProgress <=> InProgress,
    WaitingCustomer <=> WaitingCustomer,
    Resolved <=> Resolved,
    Closed <=> Closed,
    Reopened <=> Reopened,
});

enum_map!(entry_kind_from_proto: EntryKind <=> pb::TimelineEntryKind {
    Opened <=> Opened,
    Acknowledged <=> Acknowledged,
    WorkStarted <=> WorkStarted,
    WaitingCustomer <=> WaitingCustomer,
    WorkResumed <=> WorkResumed,
    Call <=> Call,
    Visit <=> Visit,
    Note <=> Note,
    Transferred <=> Transferred,
    Resolved <=> Resolved,
    Confirmed <=> Confirmed,
    Closed <=> Closed,
    AutoClosed <=> AutoClosed,
    Reopened <=> Reopened,
});

enum_map!(clock_kind_from_proto: ClockKind <=> pb::ClockKind {
    Calendar <=> Calendar,
    Business <=> Business,
});

enum_map!(action_from_proto: ActionKind <=> pb::ActionKind {
    Call <=> Call,
    Visit <=> Visit,
    Note <=> Note,
});

enum_map!(level_from_proto: Level <=> pb::EscalationLevel {
    Level1 <=> EscalationLevel1,
    Level2 <=> EscalationLevel2,
});

enum_map!(compensation_kind_from_proto: CompensationKind <=> pb::CompensationKind {
    BillCredit <=> BillCredit,
    Points <=> Points,
    Voucher <=> Voucher,
    Gift <=> Gift,
});

enum_map!(compensation_state_from_proto: CompensationState <=> pb::CompensationState {
    Proposed <=> Proposed,
    Approved <=> Approved,
    Rejected <=> Rejected,
});

/// A contract enum as the `i32` a message field holds.
pub fn code<P: Into<i32>>(value: impl Into<P>) -> i32 {
    value.into().into()
}

/// A required enum field: UNSPECIFIED or an unknown number is refused, naming `field`.
pub fn required<T>(
    found: Result<Option<T>, vipcare_domain::Invalid>,
    field: &str,
) -> Result<T, vipcare_domain::Violation> {
    match found {
        Ok(Some(value)) => Ok(value),
        Ok(None) => Err(vipcare_domain::Invalid::new("required").at(field)),
        Err(invalid) => Err(invalid.at(field)),
    }
}
