use chrono::NaiveTime;
use vipcare_proto::common::v1 as common;
use vipcare_proto::profile::v1 as profile_pb;

use super::convert::{channel, contact_of, touchpoint};
use super::*;
use crate::domain::rule::default_rule;

fn hm(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap()
}

fn customer() -> profile_pb::Customer {
    profile_pb::Customer {
        customer_id: "c-1".into(),
        name: "张**".into(),
        msisdn: "138****8000".into(),
        pii_masked: true,
        account_manager_id: "am-7".into(),
        contact_preferences: Some(profile_pb::ContactPreferences {
            preferred_channels: vec![
                common::ContactChannel::AppPush as i32,
                common::ContactChannel::Unspecified as i32,
                99,
                common::ContactChannel::Sms as i32,
            ],
            quiet_hours: Some(common::QuietHours {
                start: Some(common::ClockTime {
                    hours: 21,
                    minutes: 30,
                }),
                end: Some(common::ClockTime {
                    hours: 7,
                    minutes: 0,
                }),
                time_zone: "Europe/Paris".into(),
            }),
            opted_out_touchpoints: vec![common::Touchpoint::Care as i32, 77],
        }),
        ..profile_pb::Customer::default()
    }
}

#[test]
fn every_contract_value_maps_to_the_domain_value_of_the_same_name() {
    for c in ContactChannel::ALL {
        let found = (1..=10).find_map(|v| channel(v).filter(|x| x == c));
        assert_eq!(found, Some(*c), "{}", c.code());
    }
    for t in Touchpoint::ALL {
        let found = (1..=30).find_map(|v| touchpoint(v).filter(|x| x == t));
        assert_eq!(found, Some(*t), "{}", t.code());
    }
    assert_eq!(channel(0), None);
    assert_eq!(
        channel(common::ContactChannel::Email as i32),
        Some(ContactChannel::Email)
    );
    assert_eq!(
        touchpoint(common::Touchpoint::StaffTask as i32),
        Some(Touchpoint::StaffTask)
    );
    assert_eq!(touchpoint(0), None);
}

#[test]
fn the_profile_customer_becomes_a_contact_in_the_customers_own_terms() {
    let contact = contact_of(customer(), "PLATINUM".into());
    assert_eq!(contact.customer_id, "c-1");
    // Unknown and unspecified channels are dropped; the order stays.
    assert_eq!(
        contact.channels,
        [ContactChannel::AppPush, ContactChannel::Sms]
    );
    assert_eq!(contact.opted_out, [Touchpoint::Care]);
    assert_eq!(contact.quiet_hours.start(), hm(21, 30));
    assert_eq!(contact.quiet_hours.end(), hm(7, 0));
    assert_eq!(contact.quiet_hours.home_zone(), chrono_tz::Europe::Paris);
    // A masked number is no address.
    assert_eq!(contact.msisdn, None);
    assert_eq!(contact.tier, "PLATINUM");
    assert_eq!(contact.account_manager_id.as_deref(), Some("am-7"));
}

#[test]
fn missing_preferences_mean_the_defaults_and_an_unmasked_number_is_kept() {
    let bare = profile_pb::Customer {
        customer_id: "c-2".into(),
        msisdn: "13800138000".into(),
        pii_masked: false,
        ..profile_pb::Customer::default()
    };
    let contact = contact_of(bare, String::new());
    assert!(contact.channels.is_empty() && contact.opted_out.is_empty());
    assert_eq!(contact.quiet_hours, QuietHours::default());
    assert_eq!(contact.msisdn.as_deref(), Some("13800138000"));
    assert_eq!(contact.account_manager_id, None);
    // Quiet hours the profile should have refused fall back to the default, not to none.
    let mut odd = customer();
    if let Some(p) = odd.contact_preferences.as_mut() {
        p.quiet_hours = Some(common::QuietHours {
            start: Some(common::ClockTime {
                hours: 25,
                minutes: 0,
            }),
            end: None,
            time_zone: "Mars/Olympus".into(),
        });
    }
    assert_eq!(
        contact_of(odd, String::new()).quiet_hours,
        QuietHours::default()
    );
}

#[test]
fn channels_come_from_the_customer_or_else_the_touchpoint() {
    let rule = default_rule(Touchpoint::PromotionExpiry);
    let mut contact = Contact::new("c-1");
    assert_eq!(
        contact.channels_for(&rule),
        rule.default_channels.as_slice()
    );
    contact.channels = vec![ContactChannel::Email];
    assert_eq!(contact.channels_for(&rule), [ContactChannel::Email]);
    contact.msisdn = Some("13800138000".into());
    contact.account_manager_id = Some("am-1".into());
    assert_eq!(
        contact.address(ContactChannel::Sms).as_deref(),
        Some("13800138000")
    );
    assert_eq!(
        contact.address(ContactChannel::AccountManager).as_deref(),
        Some("am-1")
    );
    assert_eq!(contact.address(ContactChannel::AppPush), None);
}
