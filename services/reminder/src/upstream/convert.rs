//! The profile's and tiering's answers as the dispatcher reads them: the contract's values
//! mapped to the domain's (what the contract does not define is dropped).

use chrono::NaiveTime;
use vipcare_proto::common::v1 as common;
use vipcare_proto::profile::v1 as profile_pb;

use super::Contact;
use crate::domain::{ContactChannel, QuietHours, Touchpoint};

/// The customer and tier as the dispatcher needs them. Values the contract does not define are
/// dropped; quiet hours the profile should never have stored fall back to the default, which
/// errs towards silence at night.
pub(super) fn contact_of(customer: profile_pb::Customer, tier: String) -> Contact {
    let profile_pb::Customer {
        customer_id,
        name,
        msisdn,
        contact_preferences,
        account_manager_id,
        pii_masked,
        ..
    } = customer;
    let prefs = contact_preferences.unwrap_or_default();
    let profile_pb::ContactPreferences {
        preferred_channels,
        quiet_hours,
        opted_out_touchpoints,
    } = prefs;
    Contact {
        customer_id,
        name,
        msisdn: (!pii_masked && !msisdn.is_empty()).then_some(msisdn),
        email: None,
        channels: preferred_channels.into_iter().filter_map(channel).collect(),
        quiet_hours: quiet_hours.and_then(quiet).unwrap_or_default(),
        opted_out: opted_out_touchpoints
            .into_iter()
            .filter_map(touchpoint)
            .collect(),
        tier,
        account_manager_id: (!account_manager_id.is_empty()).then_some(account_manager_id),
    }
}

/// The contract's names are the domain codes in upper case behind a prefix (codes are stable
/// by design), so one rule maps every value and a new one cannot be mapped to the wrong thing.
pub(super) fn channel(value: i32) -> Option<ContactChannel> {
    let name = common::ContactChannel::try_from(value).ok()?.as_str_name();
    ContactChannel::from_code(&name.strip_prefix("CONTACT_CHANNEL_")?.to_ascii_lowercase())
}

pub(super) fn touchpoint(value: i32) -> Option<Touchpoint> {
    let name = common::Touchpoint::try_from(value).ok()?.as_str_name();
    Touchpoint::from_code(&name.strip_prefix("TOUCHPOINT_")?.to_ascii_lowercase())
}

fn quiet(q: common::QuietHours) -> Option<QuietHours> {
    let common::QuietHours {
        start,
        end,
        time_zone,
    } = q;
    let time = |t: Option<common::ClockTime>| {
        let common::ClockTime { hours, minutes } = t?;
        NaiveTime::from_hms_opt(u32::try_from(hours).ok()?, u32::try_from(minutes).ok()?, 0)
    };
    QuietHours::new(time(start)?, time(end)?, &time_zone).ok()
}
