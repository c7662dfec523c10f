//! Sample data for the flows: complete customers, billing months relative to today, and the
//! small readers for statuses that assertions need.

use chrono::{Datelike, Months, Utc};
use tonic::{Code, Status};
use tonic_types::StatusExt;
use vipcare_proto::common::v1::{ContactChannel, Date};
use vipcare_proto::profile::v1::{
    ContactPreferences, Customer, CustomerStatus, Gender, GroupMembership, IdDocument,
    IdDocumentType,
};

/// A complete, valid customer with the given number and name; the rest is typical of a VIP.
pub fn customer(msisdn: &str, name: &str) -> Customer {
    Customer {
        msisdn: msisdn.to_owned(),
        name: name.to_owned(),
        gender: Gender::Male as i32,
        birth_date: Some(Date {
            year: 1980,
            month: 6,
            day: 15,
        }),
        region_code: "440100".to_owned(),
        preferred_language: "yue".to_owned(),
        occupation: "engineer".to_owned(),
        interests: vec!["golf".to_owned(), "tea".to_owned()],
        contact_preferences: Some(ContactPreferences {
            preferred_channels: vec![
                ContactChannel::AccountManager as i32,
                ContactChannel::Sms as i32,
            ],
            quiet_hours: None,
            opted_out_touchpoints: Vec::new(),
        }),
        account_manager_id: "am-001".to_owned(),
        group: Some(GroupMembership {
            group_id: "grp-001".to_owned(),
            name: "Pearl River Trading".to_owned(),
            key_person: false,
        }),
        plan_code: "5G-398".to_owned(),
        network_joined_on: Some(Date {
            year: 2010,
            month: 3,
            day: 1,
        }),
        status: CustomerStatus::Unspecified as i32,
        id_document: Some(IdDocument {
            r#type: IdDocumentType::ResidentIdCard as i32,
            number: "11010519800615002X".to_owned(),
        }),
        ..Customer::default()
    }
}

/// "YYYY-MM" of the month `n` months before the current one (UTC). Months 1 and later are in
/// the past in every time zone, whatever day the tests run.
pub fn months_ago(n: u32) -> String {
    let first = Utc::now()
        .date_naive()
        .with_day(1)
        .expect("every month has a day 1");
    let month = first
        .checked_sub_months(Months::new(n))
        .expect("a representable month");
    format!("{:04}-{:02}", month.year(), month.month())
}

/// "YYYY-MM" of a month that is in the future in every time zone.
pub fn months_ahead(n: u32) -> String {
    let first = Utc::now()
        .date_naive()
        .with_day(1)
        .expect("every month has a day 1");
    let month = first
        .checked_add_months(Months::new(n))
        .expect("a representable month");
    format!("{:04}-{:02}", month.year(), month.month())
}

/// The field named by the first field violation of an INVALID_ARGUMENT status.
pub fn violated_field(status: &Status) -> String {
    assert_eq!(
        status.code(),
        Code::InvalidArgument,
        "expected INVALID_ARGUMENT, got {status:?}"
    );
    let bad_request = status
        .get_details_bad_request()
        .unwrap_or_else(|| panic!("INVALID_ARGUMENT without field violations: {status:?}"));
    bad_request
        .field_violations
        .first()
        .map(|v| v.field.clone())
        .unwrap_or_else(|| panic!("BadRequest with no violation: {status:?}"))
}
