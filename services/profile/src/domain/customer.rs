//! The customer: a profile of writable fields, the server-kept id, version and times, the
//! changes an update may make, and privacy erasure.

use chrono::{DateTime, Datelike, NaiveDate, Utc};

use super::{
    ContactPreferences, CustomerId, CustomerName, IdDocument, Invalid, LanguageTag, Msisdn,
    RegionCode, Violation, bounded_text, coded_enum,
};
use crate::domain::{ContactChannel, QuietHours, Touchpoint};

coded_enum! {
    /// Gender as the customer states it.
    Gender { Unspecified = "unspecified", Male = "male", Female = "female", Other = "other" }
}

coded_enum! {
    /// Lifecycle of the subscription. New customers are active.
    CustomerStatus { Active = "active", Suspended = "suspended", Closed = "closed" }
}

/// The customer's enterprise group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupMembership {
    group_id: String,
    pub name: String,
    pub key_person: bool,
}

impl GroupMembership {
    /// `None` when the group id is empty and nothing else is set; a name or key-person flag
    /// without a group id is refused.
    pub fn new(group_id: &str, name: &str, key_person: bool) -> Result<Option<Self>, Violation> {
        if group_id.is_empty() {
            if name.is_empty() && !key_person {
                return Ok(None);
            }
            return Err(
                Invalid::new("required when the group has a name or key person").at("group_id"),
            );
        }
        let group_id = bounded_text(group_id, 64).map_err(|e| e.at("group_id"))?;
        let name = bounded_text(name, 128).map_err(|e| e.at("name"))?;
        Ok(Some(GroupMembership {
            group_id,
            name,
            key_person,
        }))
    }

    pub fn group_id(&self) -> &str {
        &self.group_id
    }
}

/// What a caller may write about a customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerProfile {
    /// `None` only once the customer is erased.
    pub msisdn: Option<Msisdn>,
    pub name: CustomerName,
    pub gender: Gender,
    pub birth_date: Option<NaiveDate>,
    pub region_code: Option<RegionCode>,
    /// `None`: not known.
    pub preferred_language: Option<LanguageTag>,
    pub occupation: String,
    pub interests: Vec<String>,
    pub contact: ContactPreferences,
    pub account_manager_id: String,
    pub group: Option<GroupMembership>,
    pub plan_code: String,
    pub network_joined_on: Option<NaiveDate>,
    pub status: CustomerStatus,
    pub id_document: Option<IdDocument>,
}

impl CustomerProfile {
    pub fn occupation(text: &str) -> Result<String, Invalid> {
        bounded_text(text, 64)
    }

    pub fn account_manager_id(text: &str) -> Result<String, Invalid> {
        bounded_text(text, 64)
    }

    pub fn plan_code(text: &str) -> Result<String, Invalid> {
        bounded_text(text, 32)
    }

    /// At most 20 interests, each 1–32 characters, no repeats.
    pub fn interests(items: &[String]) -> Result<Vec<String>, Invalid> {
        if items.len() > 20 {
            return Err(Invalid::new("at most 20 interests"));
        }
        for (i, item) in items.iter().enumerate() {
            if item.trim().is_empty() {
                return Err(Invalid::new("an interest must not be empty"));
            }
            bounded_text(item, 32)?;
            if items[..i].contains(item) {
                return Err(Invalid::new("must not repeat an interest"));
            }
        }
        Ok(items.to_vec())
    }

    /// Dates must not lie in the future; birth years start at 1900.
    pub fn check_dates(&self, today: NaiveDate) -> Result<(), Violation> {
        if self
            .birth_date
            .is_some_and(|born| born > today || born.year() < 1900)
        {
            return Err(Invalid::new("must be a past date after 1900").at("birth_date"));
        }
        if self.network_joined_on.is_some_and(|joined| joined > today) {
            return Err(Invalid::new("must not be in the future").at("network_joined_on"));
        }
        Ok(())
    }
}

/// One change an update makes; each names a path of the update mask.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProfileChange {
    Msisdn(Msisdn),
    Name(CustomerName),
    Gender(Gender),
    BirthDate(Option<NaiveDate>),
    RegionCode(Option<RegionCode>),
    PreferredLanguage(Option<LanguageTag>),
    Occupation(String),
    Interests(Vec<String>),
    PreferredChannels(Vec<ContactChannel>),
    QuietHours(QuietHours),
    OptedOutTouchpoints(Vec<Touchpoint>),
    AccountManagerId(String),
    Group(Option<GroupMembership>),
    PlanCode(String),
    NetworkJoinedOn(Option<NaiveDate>),
    Status(CustomerStatus),
    IdDocument(Option<IdDocument>),
}

/// A customer as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Customer {
    pub id: CustomerId,
    pub profile: CustomerProfile,
    /// Bumped by every write; the etag is derived from it.
    pub version: i64,
    pub create_time: DateTime<Utc>,
    pub update_time: DateTime<Utc>,
    pub erase_time: Option<DateTime<Utc>>,
}

impl Customer {
    pub fn create(profile: CustomerProfile, now: DateTime<Utc>) -> Customer {
        Customer {
            id: CustomerId::generate(),
            profile,
            version: 1,
            create_time: now,
            update_time: now,
            erase_time: None,
        }
    }

    pub fn etag(&self) -> String {
        format!("v{}", self.version)
    }

    pub fn is_erased(&self) -> bool {
        self.erase_time.is_some()
    }

    /// Applies the changes of one update; the caller checks erasure and the etag first.
    /// Violations name paths relative to the customer.
    pub fn apply(
        &mut self,
        changes: Vec<ProfileChange>,
        now: DateTime<Utc>,
    ) -> Result<(), Violation> {
        let p = &mut self.profile;
        for change in changes {
            match change {
                ProfileChange::Msisdn(v) => p.msisdn = Some(v),
                ProfileChange::Name(v) => p.name = v,
                ProfileChange::Gender(v) => p.gender = v,
                ProfileChange::BirthDate(v) => p.birth_date = v,
                ProfileChange::RegionCode(v) => p.region_code = v,
                ProfileChange::PreferredLanguage(v) => p.preferred_language = v,
                ProfileChange::Occupation(v) => p.occupation = v,
                ProfileChange::Interests(v) => p.interests = v,
                ProfileChange::PreferredChannels(v) => {
                    p.contact = p.contact.clone().with_channels(v).map_err(contact)?
                }
                ProfileChange::QuietHours(v) => p.contact.quiet_hours = v,
                ProfileChange::OptedOutTouchpoints(v) => {
                    p.contact = p.contact.clone().with_opt_outs(v).map_err(contact)?
                }
                ProfileChange::AccountManagerId(v) => p.account_manager_id = v,
                ProfileChange::Group(v) => p.group = v,
                ProfileChange::PlanCode(v) => p.plan_code = v,
                ProfileChange::NetworkJoinedOn(v) => p.network_joined_on = v,
                ProfileChange::Status(v) => p.status = v,
                ProfileChange::IdDocument(v) => p.id_document = v,
            }
        }
        self.touch(now);
        Ok(())
    }

    /// Privacy erasure: personal fields are anonymised, the msisdn is released, and what the
    /// business needs in aggregate (status, plan, tenure, region, group id and key-person flag,
    /// account manager, contact preferences) is kept. Returns false when already erased.
    pub fn erase(&mut self, now: DateTime<Utc>) -> bool {
        if self.is_erased() {
            return false;
        }
        let p = &mut self.profile;
        p.msisdn = None;
        p.name = CustomerName::erased();
        p.gender = Gender::Unspecified;
        p.birth_date = None;
        p.occupation.clear();
        p.interests.clear();
        p.id_document = None;
        if let Some(group) = p.group.as_mut() {
            group.name.clear();
        }
        self.erase_time = Some(now);
        self.touch(now);
        true
    }

    fn touch(&mut self, now: DateTime<Utc>) {
        self.version += 1;
        self.update_time = now;
    }
}

fn contact(v: Violation) -> Violation {
    v.under("contact_preferences")
}

#[cfg(test)]
#[path = "customer_tests.rs"]
pub(crate) mod tests;
