//! Sample data for the flows: complete customers and billing months relative to today.

use chrono::{Datelike, Months, Timelike, Utc};
use vipcare_proto::common::v1::{ClockTime, ContactChannel, Date, QuietHours};
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
            number: "11010519800615019X".to_owned(),
        }),
        ..Customer::default()
    }
}

/// As [`customer`], reached by SMS only and with quiet hours hours away whenever the test runs,
/// so a notice to them goes out at once (the default quiet hours, 22:00–08:00 Shanghai, would
/// hold it back on a machine that runs the tests at night).
pub fn reachable_now(msisdn: &str, name: &str) -> Customer {
    let shanghai = Utc::now() + chrono::TimeDelta::hours(8);
    let at = |h: u32| ClockTime {
        hours: ((shanghai.hour() + h) % 24) as i32,
        minutes: 0,
    };
    let mut c = customer(msisdn, name);
    c.contact_preferences = Some(ContactPreferences {
        preferred_channels: vec![ContactChannel::Sms as i32],
        quiet_hours: Some(QuietHours {
            start: Some(at(6)),
            end: Some(at(7)),
            time_zone: "Asia/Shanghai".into(),
        }),
        opted_out_touchpoints: Vec::new(),
    });
    c
}

/// "YYYY-MM" of the month `n` months before the current one on the operator's calendar
/// (Asia/Shanghai, UTC+8 all year), the calendar value summaries count their months by.
pub fn months_ago(n: u32) -> String {
    let first = (Utc::now() + chrono::Duration::hours(8))
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
