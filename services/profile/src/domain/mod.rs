//! The profile's rules, free of transport and storage: validated values (msisdn, names, periods,
//! quiet hours), the customer and its changes, privacy masking and erasure, and the value-summary
//! arithmetic that tiering builds on. Values are checked when they are made, so code holding a
//! `Msisdn` or a `Period` never checks again.

mod consumption;
mod contact;
mod customer;
mod identity;
mod masking;
mod relation;
mod value;
mod worklog;

pub use consumption::{Consumption, MAX_DATA_MB, MAX_FEN, MAX_VOICE_MINUTES, Usage};
pub use contact::{ContactChannel, ContactPreferences, QuietHours, Touchpoint};
pub use customer::{
    Customer, CustomerProfile, CustomerStatus, Gender, GroupMembership, ProfileChange,
};
pub use identity::{
    CustomerId, CustomerName, IdDocument, IdDocumentType, LanguageTag, Msisdn, RegionCode,
    bounded_text, is_bidi_format,
};
pub use masking::{Disclosure, PersonalData, Viewer, mask_id_number, mask_msisdn, mask_name};
pub use relation::{Relation, RelationKind};
pub use value::{
    Bill, MonthlySpend, SUMMARY_MONTHS, SpendTrend, SummaryInput, ValueSummary, summarize, window,
};
pub use vipcare_domain::{
    Clock, FixedClock, Invalid, Period, SystemClock, Violation, batch_ids, coded_enum, page_size,
};
pub use worklog::{AuditRecord, Channel, NoteKind, ServiceNote};

#[cfg(test)]
pub(crate) use customer::tests::sample_profile;
