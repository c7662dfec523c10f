//! Field-by-field readers shared by create and update: each returns the domain value or a
//! violation naming the field's path relative to the customer.

use chrono::NaiveDate;
use vipcare_proto::common::v1 as common;
use vipcare_proto::profile::v1 as pb;

use super::date_from_proto;
use super::enums::{
    contact_channel_from_proto, id_type_from_proto, required_list, touchpoint_from_proto,
};
use crate::domain::{
    ContactChannel, GroupMembership, IdDocument, Invalid, LanguageTag, QuietHours, RegionCode,
    Touchpoint, Violation,
};

pub fn date(value: Option<common::Date>, field: &str) -> Result<Option<NaiveDate>, Violation> {
    date_from_proto(value).map_err(|e| e.at(field))
}

pub fn region(text: &str) -> Result<Option<RegionCode>, Violation> {
    if text.is_empty() {
        return Ok(None);
    }
    RegionCode::parse(text)
        .map(Some)
        .map_err(|e| e.at("region_code"))
}

/// Empty means not known.
pub fn language(text: &str) -> Result<Option<LanguageTag>, Violation> {
    if text.is_empty() {
        return Ok(None);
    }
    LanguageTag::parse(text)
        .map(Some)
        .map_err(|e| e.at("preferred_language"))
}

pub fn channels(prefs: Option<&pb::ContactPreferences>) -> Result<Vec<ContactChannel>, Violation> {
    let values = prefs
        .map(|p| p.preferred_channels.as_slice())
        .unwrap_or_default();
    required_list(values, contact_channel_from_proto)
        .map_err(|e| e.at("contact_preferences.preferred_channels"))
}

pub fn opt_outs(prefs: Option<&pb::ContactPreferences>) -> Result<Vec<Touchpoint>, Violation> {
    let values = prefs
        .map(|p| p.opted_out_touchpoints.as_slice())
        .unwrap_or_default();
    required_list(values, touchpoint_from_proto)
        .map_err(|e| e.at("contact_preferences.opted_out_touchpoints"))
}

/// Absent: the default. Present: start, end and time zone are all required.
pub fn quiet_hours(prefs: Option<&pb::ContactPreferences>) -> Result<QuietHours, Violation> {
    let Some(common::QuietHours {
        start,
        end,
        time_zone,
    }) = prefs.and_then(|p| p.quiet_hours.clone())
    else {
        return Ok(QuietHours::default());
    };
    let parse = |t: Option<common::ClockTime>, field: &str| {
        let common::ClockTime { hours, minutes } =
            t.ok_or_else(|| Invalid::new("required").at(field))?;
        QuietHours::clock_time(hours, minutes).map_err(|e| e.at(field))
    };
    let under = |v: Violation| v.under("contact_preferences.quiet_hours");
    let start = parse(start, "start").map_err(under)?;
    let end = parse(end, "end").map_err(under)?;
    QuietHours::new(start, end, &time_zone).map_err(under)
}

pub fn membership(
    group: Option<&pb::GroupMembership>,
) -> Result<Option<GroupMembership>, Violation> {
    let Some(pb::GroupMembership {
        group_id,
        name,
        key_person,
    }) = group
    else {
        return Ok(None);
    };
    GroupMembership::new(group_id, name, *key_person).map_err(|e| e.under("group"))
}

/// Absent, or type and number both empty: no document.
pub fn document(doc: Option<&pb::IdDocument>) -> Result<Option<IdDocument>, Violation> {
    let Some(pb::IdDocument { r#type, number }) = doc else {
        return Ok(None);
    };
    if *r#type == 0 && number.is_empty() {
        return Ok(None);
    }
    let kind = id_type_from_proto(*r#type)
        .map_err(|e| e.at("id_document.type"))?
        .ok_or_else(|| Invalid::new("required").at("id_document.type"))?;
    IdDocument::new(kind, number)
        .map(Some)
        .map_err(|e| e.at("id_document.number"))
}
