//! Customer rows to domain customers and back. Lists are stored as delimited codes (the values
//! cannot contain the delimiters); a row that does not decode is corrupt data, an internal error.

use chrono::{NaiveTime, Timelike};

use super::entities::customer;
use crate::domain::{
    ContactChannel, ContactPreferences, Customer, CustomerId, CustomerName, CustomerProfile,
    CustomerStatus, Gender, GroupMembership, IdDocument, IdDocumentType, LanguageTag, Msisdn,
    QuietHours, RegionCode, Touchpoint,
};
use crate::error::Error;

/// What an erased customer's msisdn column holds: unique, and never a routable number.
pub fn erased_msisdn(id: &CustomerId) -> String {
    format!("erased:{id}")
}

pub fn to_row(c: &Customer) -> customer::Model {
    let p = &c.profile;
    let quiet = p.contact.quiet_hours;
    let minute = |t: NaiveTime| (t.hour() * 60 + t.minute()) as i32;
    let (group_id, group_name, key_person) = p.group.as_ref().map_or_else(
        || (String::new(), String::new(), false),
        |g| (g.group_id().to_owned(), g.name.clone(), g.key_person),
    );
    let (doc_type, doc_number) = p.id_document.as_ref().map_or_else(
        || (String::new(), String::new()),
        |d| (d.kind.code().to_owned(), d.number().to_owned()),
    );
    customer::Model {
        customer_id: c.id.to_string(),
        msisdn: p
            .msisdn
            .as_ref()
            .map_or_else(|| erased_msisdn(&c.id), |m| m.as_str().to_owned()),
        name: p.name.as_str().to_owned(),
        gender: p.gender.code().to_owned(),
        birth_date: p.birth_date,
        region_code: p
            .region_code
            .as_ref()
            .map(|r| r.as_str().to_owned())
            .unwrap_or_default(),
        preferred_language: p
            .preferred_language
            .as_ref()
            .map(|l| l.as_str().to_owned())
            .unwrap_or_default(),
        occupation: p.occupation.clone(),
        interests: p.interests.join("\n"),
        preferred_channels: codes(p.contact.preferred_channels().iter().map(|c| c.code())),
        quiet_start_minute: minute(quiet.start()),
        quiet_end_minute: minute(quiet.end()),
        quiet_time_zone: quiet.zone().name().to_owned(),
        opted_out_touchpoints: codes(p.contact.opted_out_touchpoints().iter().map(|t| t.code())),
        account_manager_id: p.account_manager_id.clone(),
        group_id,
        group_name,
        group_key_person: key_person,
        plan_code: p.plan_code.clone(),
        network_joined_on: p.network_joined_on,
        status: p.status.code().to_owned(),
        id_document_type: doc_type,
        id_document_number: doc_number,
        version: c.version,
        create_time: c.create_time,
        update_time: c.update_time,
        erase_time: c.erase_time,
    }
}

pub fn from_row(row: customer::Model) -> Result<Customer, Error> {
    let id = CustomerId::parse(&row.customer_id).map_err(|e| corrupt("customer_id", e.0))?;
    let erased = row.erase_time.is_some();
    let time = |minutes: i32| {
        QuietHours::clock_time(minutes / 60, minutes % 60).map_err(|e| corrupt("quiet hours", e.0))
    };
    let quiet = QuietHours::new(
        time(row.quiet_start_minute)?,
        time(row.quiet_end_minute)?,
        &row.quiet_time_zone,
    )
    .map_err(|v| corrupt("quiet hours", v.reason))?;
    let contact = ContactPreferences::new(
        decode(&row.preferred_channels, ContactChannel::from_code)?,
        quiet,
        decode(&row.opted_out_touchpoints, Touchpoint::from_code)?,
    )
    .map_err(|v| corrupt("contact preferences", v.reason))?;
    let profile = CustomerProfile {
        msisdn: if erased {
            None
        } else {
            Some(Msisdn::parse(&row.msisdn).map_err(|e| corrupt("msisdn", e.0))?)
        },
        name: if erased {
            CustomerName::erased()
        } else {
            CustomerName::parse(&row.name).map_err(|e| corrupt("name", e.0))?
        },
        gender: Gender::from_code(&row.gender).ok_or_else(|| corrupt("gender", row.gender))?,
        birth_date: row.birth_date,
        region_code: optional(&row.region_code, RegionCode::parse)?,
        preferred_language: optional(&row.preferred_language, LanguageTag::parse)?,
        occupation: row.occupation,
        interests: row
            .interests
            .split('\n')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        contact,
        account_manager_id: row.account_manager_id,
        group: GroupMembership::new(&row.group_id, &row.group_name, row.group_key_person)
            .map_err(|v| corrupt("group", v.reason))?,
        plan_code: row.plan_code,
        network_joined_on: row.network_joined_on,
        status: CustomerStatus::from_code(&row.status)
            .ok_or_else(|| corrupt("status", row.status))?,
        id_document: if row.id_document_type.is_empty() {
            None
        } else {
            let kind = IdDocumentType::from_code(&row.id_document_type)
                .ok_or_else(|| corrupt("id_document_type", row.id_document_type.clone()))?;
            Some(
                IdDocument::new(kind, &row.id_document_number)
                    .map_err(|e| corrupt("id number", e.0))?,
            )
        },
    };
    Ok(Customer {
        id,
        profile,
        version: row.version,
        create_time: row.create_time,
        update_time: row.update_time,
        erase_time: row.erase_time,
    })
}

fn codes<'a>(items: impl Iterator<Item = &'a str>) -> String {
    items.collect::<Vec<_>>().join(",")
}

fn decode<T>(text: &str, from_code: fn(&str) -> Option<T>) -> Result<Vec<T>, Error> {
    text.split(',')
        .filter(|s| !s.is_empty())
        .map(|code| from_code(code).ok_or_else(|| corrupt("code list", code.to_owned())))
        .collect()
}

fn optional<T>(
    text: &str,
    parse: fn(&str) -> Result<T, crate::domain::Invalid>,
) -> Result<Option<T>, Error> {
    if text.is_empty() {
        return Ok(None);
    }
    parse(text).map(Some).map_err(|e| corrupt(text, e.0))
}

fn corrupt(what: &str, detail: String) -> Error {
    Error::Internal(format!("stored customer has a bad {what}: {detail}"))
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::domain::sample_profile;

    #[test]
    fn rows_round_trip() {
        let c = Customer::create(sample_profile(), Utc::now());
        assert_eq!(from_row(to_row(&c)).unwrap(), c);
    }

    #[test]
    fn erased_customers_round_trip_with_a_unique_placeholder() {
        let mut c = Customer::create(sample_profile(), Utc::now());
        c.erase(Utc::now());
        let row = to_row(&c);
        assert_eq!(row.msisdn, format!("erased:{}", c.id));
        assert_eq!(from_row(row).unwrap(), c);
    }
}
