//! Privacy masking. Callers without the `pii:read` scope see the surname, the first three and
//! last four digits of the number, the last four characters of the id number and the birth
//! year; everything else of the profile is not personal and is shown as is.

use chrono::Datelike;

use chrono::{DateTime, Utc};

use super::{AuditRecord, Channel, Customer, IdDocumentType};

/// How much of the personal data a caller may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disclosure {
    Full,
    Masked,
}

/// Who is reading, and how much of the personal data they may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Viewer {
    pub client: String,
    pub channel: Option<Channel>,
    pub disclosure: Disclosure,
}

impl Viewer {
    /// The audit record owed when this viewer is shown `customer` unmasked by `action`; `None`
    /// for masked reads and for customers with nothing personal left.
    pub fn audit(
        &self,
        customer: &Customer,
        action: &str,
        now: DateTime<Utc>,
    ) -> Option<AuditRecord> {
        let fields = customer.personal_fields();
        (self.disclosure == Disclosure::Full && !fields.is_empty()).then(|| {
            AuditRecord::new(
                customer.id.clone(),
                &self.client,
                self.channel,
                action,
                &fields,
                now,
            )
        })
    }
}

/// The personal fields of a customer as one caller may see them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonalData {
    pub name: String,
    /// Empty once erased.
    pub msisdn: String,
    /// (year, month, day); month and day are 0 when masked.
    pub birth_date: Option<(i32, u32, u32)>,
    pub id_document: Option<(IdDocumentType, String)>,
    pub masked: bool,
}

impl Customer {
    pub fn personal_data(&self, disclosure: Disclosure) -> PersonalData {
        let p = &self.profile;
        let masked = disclosure == Disclosure::Masked;
        let msisdn = p.msisdn.as_ref().map(|m| m.as_str()).unwrap_or_default();
        PersonalData {
            name: if masked && !self.is_erased() {
                mask_name(p.name.as_str())
            } else {
                p.name.as_str().to_owned()
            },
            msisdn: if masked {
                mask_msisdn(msisdn)
            } else {
                msisdn.to_owned()
            },
            birth_date: p.birth_date.map(|d| {
                if masked {
                    (d.year(), 0, 0)
                } else {
                    (d.year(), d.month(), d.day())
                }
            }),
            id_document: p.id_document.as_ref().map(|doc| {
                let number = if masked {
                    mask_id_number(doc.number())
                } else {
                    doc.number().to_owned()
                };
                (doc.kind, number)
            }),
            masked,
        }
    }

    /// The personal fields an unmasked read discloses, for the audit record. Empty for an
    /// erased customer: nothing personal is left to disclose.
    pub fn personal_fields(&self) -> Vec<&'static str> {
        if self.is_erased() {
            return Vec::new();
        }
        let p = &self.profile;
        let mut fields = vec!["name", "msisdn"];
        if p.birth_date.is_some() {
            fields.push("birth_date");
        }
        if p.id_document.is_some() {
            fields.push("id_document");
        }
        fields
    }
}

/// 张三丰 → 张**: the first character (the surname) and one `*` per remaining character.
pub fn mask_name(name: &str) -> String {
    let mut chars = name.chars();
    chars.next().map_or_else(String::new, |first| {
        std::iter::once(first).chain(chars.map(|_| '*')).collect()
    })
}

/// 13800138000 → 138****8000.
pub fn mask_msisdn(msisdn: &str) -> String {
    if msisdn.len() != 11 || !msisdn.is_ascii() {
        return "*".repeat(msisdn.chars().count());
    }
    format!("{}****{}", &msisdn[..3], &msisdn[7..])
}

/// Keeps the last four characters; the rest become `*`.
pub fn mask_id_number(number: &str) -> String {
    let count = number.chars().count();
    number
        .chars()
        .enumerate()
        .map(|(i, c)| if i + 4 >= count { c } else { '*' })
        .collect()
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::domain::customer::tests::sample_profile;

    #[test]
    fn masks_each_personal_field() {
        assert_eq!(mask_name("张三丰"), "张**");
        assert_eq!(mask_name("李四"), "李*");
        assert_eq!(mask_name("Ada Lovelace"), "A***********");
        assert_eq!(mask_name(""), "");
        assert_eq!(mask_msisdn("13800138000"), "138****8000");
        assert_eq!(mask_id_number("11010519800615002X"), "**************002X");
        assert_eq!(mask_id_number("E123"), "E123");
    }

    #[test]
    fn masked_view_hides_and_full_view_shows() {
        let c = Customer::create(sample_profile(), Utc::now());
        let masked = c.personal_data(Disclosure::Masked);
        assert!(masked.masked);
        assert_eq!(masked.name, "张**");
        assert_eq!(masked.msisdn, "138****8000");
        assert_eq!(masked.birth_date, Some((1980, 0, 0)));
        assert_eq!(masked.id_document.unwrap().1, "**************019X");
        let full = c.personal_data(Disclosure::Full);
        assert!(!full.masked);
        assert_eq!(full.name, "张三丰");
        assert_eq!(full.msisdn, "13800138000");
        assert_eq!(full.birth_date, Some((1980, 6, 15)));
        assert_eq!(
            c.personal_fields(),
            vec!["name", "msisdn", "birth_date", "id_document"]
        );
    }

    #[test]
    fn only_unmasked_reads_are_audited() {
        let c = Customer::create(sample_profile(), Utc::now());
        let mut viewer = Viewer {
            client: "hall-7".into(),
            channel: Some(Channel::Hall),
            disclosure: Disclosure::Masked,
        };
        assert_eq!(viewer.audit(&c, "GetCustomer", Utc::now()), None);
        viewer.disclosure = Disclosure::Full;
        let record = viewer.audit(&c, "GetCustomer", Utc::now()).unwrap();
        assert_eq!(
            (record.client.as_str(), record.action.as_str()),
            ("hall-7", "GetCustomer")
        );
        assert_eq!(
            record.fields,
            ["name", "msisdn", "birth_date", "id_document"]
        );
    }

    #[test]
    fn an_erased_customer_discloses_nothing() {
        let mut c = Customer::create(sample_profile(), Utc::now());
        c.erase(Utc::now());
        assert!(c.personal_fields().is_empty());
        let masked = c.personal_data(Disclosure::Masked);
        assert_eq!(masked.name, "已注销");
        assert_eq!(masked.msisdn, "");
    }
}
