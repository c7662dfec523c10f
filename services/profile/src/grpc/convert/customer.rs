//! `Customer` messages: the whole profile on create, the masked or full customer on the way
//! out, and an update mask turned into profile changes.

use vipcare_proto::common::v1 as common;
use vipcare_proto::profile::v1 as pb;

use super::enums::{
    contact_channel_to_proto, gender_from_proto, status_from_proto, touchpoint_to_proto,
};
use super::fields::{
    channels, date, document, language, membership, opt_outs, quiet_hours, region,
};
use super::{date_to_proto, timestamp};
use crate::domain::{
    ContactPreferences, Customer, CustomerName, CustomerProfile, CustomerStatus, Disclosure,
    Invalid, Msisdn, ProfileChange, Violation,
};

/// The profile of a new customer. Output-only fields are ignored; status defaults to ACTIVE,
/// quiet hours to 22:00–08:00 Asia/Shanghai. Violations name `customer.<field>`.
pub fn profile_from_proto(customer: &pb::Customer) -> Result<CustomerProfile, Violation> {
    fields_of(customer).map_err(|v| v.under("customer"))
}

fn fields_of(customer: &pb::Customer) -> Result<CustomerProfile, Violation> {
    let pb::Customer {
        customer_id: _,
        msisdn,
        name,
        gender,
        birth_date,
        region_code,
        preferred_language,
        occupation,
        interests,
        contact_preferences,
        account_manager_id,
        group,
        plan_code,
        network_joined_on,
        status,
        id_document,
        etag: _,
        create_time: _,
        update_time: _,
        pii_masked: _,
        erase_time: _,
    } = customer;
    let prefs = contact_preferences.as_ref();
    let profile = CustomerProfile {
        msisdn: Some(Msisdn::parse(msisdn).map_err(|e| e.at("msisdn"))?),
        name: CustomerName::parse(name).map_err(|e| e.at("name"))?,
        gender: gender_from_proto(*gender).map_err(|e| e.at("gender"))?,
        birth_date: date(*birth_date, "birth_date")?,
        region_code: region(region_code)?,
        preferred_language: language(preferred_language)?,
        occupation: CustomerProfile::occupation(occupation).map_err(|e| e.at("occupation"))?,
        interests: CustomerProfile::interests(interests).map_err(|e| e.at("interests"))?,
        contact: ContactPreferences::new(channels(prefs)?, quiet_hours(prefs)?, opt_outs(prefs)?)
            .map_err(|e| e.under("contact_preferences"))?,
        account_manager_id: CustomerProfile::account_manager_id(account_manager_id)
            .map_err(|e| e.at("account_manager_id"))?,
        group: membership(group.as_ref())?,
        plan_code: CustomerProfile::plan_code(plan_code).map_err(|e| e.at("plan_code"))?,
        network_joined_on: date(*network_joined_on, "network_joined_on")?,
        status: status_from_proto(*status)
            .map_err(|e| e.at("status"))?
            .unwrap_or(CustomerStatus::Active),
        id_document: document(id_document.as_ref())?,
    };
    Ok(profile)
}

/// The changes named by an update mask, read from `customer`. Output-only and unknown paths
/// are refused under `update_mask`; value violations name `customer.<path>`.
pub fn changes_from_proto(
    customer: &pb::Customer,
    paths: &[String],
) -> Result<Vec<ProfileChange>, Violation> {
    if paths.is_empty() {
        return Err(Invalid::new("name at least one field to change").at("update_mask"));
    }
    let mut changes = Vec::new();
    for path in paths {
        if OUTPUT_ONLY.contains(&path.as_str()) {
            return Err(Invalid::new(format!("{path} is output only")).at("update_mask"));
        }
        match change_for(customer, path).map_err(|v| v.under("customer"))? {
            Some(more) => changes.extend(more),
            None => return Err(Invalid::new(format!("unknown field {path:?}")).at("update_mask")),
        }
    }
    Ok(changes)
}

const OUTPUT_ONLY: &[&str] = &[
    "customer_id",
    "etag",
    "create_time",
    "update_time",
    "pii_masked",
    "erase_time",
];

/// The changes one mask path makes; `None` for a path the contract does not have.
fn change_for(c: &pb::Customer, path: &str) -> Result<Option<Vec<ProfileChange>>, Violation> {
    use ProfileChange as Change;
    let prefs = c.contact_preferences.as_ref();
    let at = |e: Invalid| e.at(path);
    let change = match path {
        "msisdn" => Change::Msisdn(Msisdn::parse(&c.msisdn).map_err(at)?),
        "name" => Change::Name(CustomerName::parse(&c.name).map_err(at)?),
        "gender" => Change::Gender(gender_from_proto(c.gender).map_err(at)?),
        "birth_date" => Change::BirthDate(date(c.birth_date, path)?),
        "region_code" => Change::RegionCode(region(&c.region_code)?),
        "preferred_language" => Change::PreferredLanguage(language(&c.preferred_language)?),
        "occupation" => Change::Occupation(CustomerProfile::occupation(&c.occupation).map_err(at)?),
        "interests" => Change::Interests(CustomerProfile::interests(&c.interests).map_err(at)?),
        "contact_preferences" => {
            return Ok(Some(vec![
                Change::PreferredChannels(channels(prefs)?),
                Change::QuietHours(quiet_hours(prefs)?),
                Change::OptedOutTouchpoints(opt_outs(prefs)?),
            ]));
        }
        "contact_preferences.preferred_channels" => Change::PreferredChannels(channels(prefs)?),
        "contact_preferences.quiet_hours" => Change::QuietHours(quiet_hours(prefs)?),
        "contact_preferences.opted_out_touchpoints" => {
            Change::OptedOutTouchpoints(opt_outs(prefs)?)
        }
        "account_manager_id" => Change::AccountManagerId(
            CustomerProfile::account_manager_id(&c.account_manager_id).map_err(at)?,
        ),
        "group" => Change::Group(membership(c.group.as_ref())?),
        "plan_code" => Change::PlanCode(CustomerProfile::plan_code(&c.plan_code).map_err(at)?),
        "network_joined_on" => Change::NetworkJoinedOn(date(c.network_joined_on, path)?),
        "status" => Change::Status(
            status_from_proto(c.status)
                .map_err(at)?
                .ok_or_else(|| Invalid::new("required").at(path))?,
        ),
        "id_document" => Change::IdDocument(document(c.id_document.as_ref())?),
        _ => return Ok(None),
    };
    Ok(Some(vec![change]))
}

/// The customer as `disclosure` allows this caller to see it.
pub fn customer_to_proto(customer: &Customer, disclosure: Disclosure) -> pb::Customer {
    let personal = customer.personal_data(disclosure);
    let Customer {
        id,
        profile,
        version: _,
        create_time,
        update_time,
        erase_time,
    } = customer;
    let prefs = &profile.contact;
    let quiet = prefs.quiet_hours;
    let clock = |t: chrono::NaiveTime| {
        use chrono::Timelike;
        common::ClockTime {
            hours: t.hour() as i32,
            minutes: t.minute() as i32,
        }
    };
    pb::Customer {
        customer_id: id.to_string(),
        msisdn: personal.msisdn,
        name: personal.name,
        gender: pb::Gender::from(profile.gender) as i32,
        birth_date: personal.birth_date.map(|(year, month, day)| common::Date {
            year,
            month: month as i32,
            day: day as i32,
        }),
        region_code: profile
            .region_code
            .as_ref()
            .map(|r| r.as_str().to_owned())
            .unwrap_or_default(),
        preferred_language: profile
            .preferred_language
            .as_ref()
            .map(|l| l.as_str().to_owned())
            .unwrap_or_default(),
        occupation: profile.occupation.clone(),
        interests: profile.interests.clone(),
        contact_preferences: Some(pb::ContactPreferences {
            preferred_channels: prefs
                .preferred_channels()
                .iter()
                .map(|c| contact_channel_to_proto(*c) as i32)
                .collect(),
            quiet_hours: Some(common::QuietHours {
                start: Some(clock(quiet.start())),
                end: Some(clock(quiet.end())),
                time_zone: quiet.zone().name().to_owned(),
            }),
            opted_out_touchpoints: prefs
                .opted_out_touchpoints()
                .iter()
                .map(|t| touchpoint_to_proto(*t) as i32)
                .collect(),
        }),
        account_manager_id: profile.account_manager_id.clone(),
        group: profile.group.as_ref().map(|g| pb::GroupMembership {
            group_id: g.group_id().to_owned(),
            name: g.name.clone(),
            key_person: g.key_person,
        }),
        plan_code: profile.plan_code.clone(),
        network_joined_on: profile.network_joined_on.map(date_to_proto),
        status: pb::CustomerStatus::from(profile.status) as i32,
        id_document: personal.id_document.map(|(kind, number)| pb::IdDocument {
            r#type: pb::IdDocumentType::from(kind) as i32,
            number,
        }),
        etag: customer.etag(),
        create_time: Some(timestamp(*create_time)),
        update_time: Some(timestamp(*update_time)),
        pii_masked: personal.masked,
        erase_time: erase_time.map(timestamp),
    }
}
