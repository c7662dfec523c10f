//! Who the customer is: ids, the mobile number, the name, region, language and identity
//! document, each checked once when it is made.

use std::fmt;

use uuid::Uuid;

use super::{Invalid, coded_enum};

/// Server-assigned customer id: a UUIDv7 in canonical text, so text order is creation order
/// and keyset paging by id is stable under inserts.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CustomerId(String);

impl CustomerId {
    pub fn generate() -> CustomerId {
        CustomerId(Uuid::now_v7().to_string())
    }

    pub fn parse(text: &str) -> Result<CustomerId, Invalid> {
        if text.is_empty() {
            return Err(Invalid::new("required"));
        }
        match Uuid::try_parse(text) {
            Ok(id) if id.to_string() == text => Ok(CustomerId(text.to_owned())),
            _ => Err(Invalid::new("not a customer id")),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CustomerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The mobile number, by the rule every service shares.
pub use vipcare_domain::Msisdn;

/// The customer's full name: required, at most 64 characters, no control characters and no
/// `*` (so a masked name read back and sent again is refused instead of overwriting the name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerName(String);

impl CustomerName {
    pub const MAX_CHARS: usize = 64;

    pub fn parse(text: &str) -> Result<CustomerName, Invalid> {
        if text.trim().is_empty() {
            return Err(Invalid::new("required"));
        }
        if text.contains('*') {
            return Err(Invalid::new("must not contain '*' (is it a masked name?)"));
        }
        bounded_text(text, Self::MAX_CHARS).map(CustomerName)
    }

    /// The marker an erased customer's name is replaced with.
    pub fn erased() -> CustomerName {
        CustomerName("已注销".to_owned())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Administrative division code (GB/T 2260): 6 digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionCode(String);

impl RegionCode {
    pub fn parse(text: &str) -> Result<RegionCode, Invalid> {
        if text.len() == 6 && text.bytes().all(|b| b.is_ascii_digit()) {
            Ok(RegionCode(text.to_owned()))
        } else {
            Err(Invalid::new("must be 6 digits (GB/T 2260), e.g. 440100"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A BCP 47 language tag, dialects allowed ("zh-CN", "yue", "zh-Hant-HK", "en"): a primary
/// subtag of 2–3 letters, then subtags of 1–8 letters or digits, at most 35 characters.
/// Stored in canonical case (language lower, script title, region upper).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LanguageTag(String);

impl LanguageTag {
    pub fn parse(text: &str) -> Result<LanguageTag, Invalid> {
        let refuse = || Invalid::new("must be a BCP 47 language tag, e.g. zh-CN, yue, en");
        if text.len() > 35 {
            return Err(refuse());
        }
        let mut parts = Vec::new();
        for (i, sub) in text.split('-').enumerate() {
            let alpha = sub.bytes().all(|b| b.is_ascii_alphabetic());
            let ok = if i == 0 {
                (2..=3).contains(&sub.len()) && alpha
            } else {
                (1..=8).contains(&sub.len()) && sub.bytes().all(|b| b.is_ascii_alphanumeric())
            };
            if !ok {
                return Err(refuse());
            }
            parts.push(match (i, sub.len()) {
                (1.., 2) if alpha => sub.to_ascii_uppercase(),
                (1.., 4) if alpha => {
                    let lower = sub.to_ascii_lowercase();
                    lower[..1].to_ascii_uppercase() + &lower[1..]
                }
                _ => sub.to_ascii_lowercase(),
            });
        }
        Ok(LanguageTag(parts.join("-")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

coded_enum! {
    /// Kinds of identity document.
    IdDocumentType {
        ResidentIdCard = "resident_id_card",
        Passport = "passport",
        HkMacaoPermit = "hk_macao_permit",
        TaiwanPermit = "taiwan_permit",
        ForeignPermanentResident = "foreign_permanent_resident",
    }
}

/// An identity document: a type and a number of at most 32 letters and digits. A resident ID
/// card number (GB 11643) is 17 digits and a check digit, `X` standing for 10; a lowercase `x`
/// is stored as `X`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdDocument {
    pub kind: IdDocumentType,
    number: String,
}

impl IdDocument {
    pub const MAX_CHARS: usize = 32;

    /// Refusals never repeat the number: it is personal data.
    pub fn new(kind: IdDocumentType, number: &str) -> Result<IdDocument, Invalid> {
        if number.is_empty() {
            return Err(Invalid::new("required"));
        }
        if kind == IdDocumentType::ResidentIdCard {
            return resident_id_number(number).map(|number| IdDocument { kind, number });
        }
        if number.chars().count() > Self::MAX_CHARS
            || !number
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            return Err(Invalid::new(
                "must be at most 32 letters, digits or '-' characters",
            ));
        }
        Ok(IdDocument {
            kind,
            number: number.to_owned(),
        })
    }

    pub fn number(&self) -> &str {
        &self.number
    }
}

/// A resident ID card number whose check digit (ISO 7064 MOD 11-2) matches, in canonical case.
fn resident_id_number(number: &str) -> Result<String, Invalid> {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: [u8; 11] = *b"10X98765432";
    let shape =
        || Invalid::new("a resident ID card number is 17 digits and a check digit (0-9 or X)");
    let Some((last, body)) = number.as_bytes().split_last() else {
        return Err(shape());
    };
    let last = last.to_ascii_uppercase();
    if body.len() != 17 || !body.iter().all(u8::is_ascii_digit) {
        return Err(shape());
    }
    if !(last.is_ascii_digit() || last == b'X') {
        return Err(shape());
    }
    let sum: u32 = body
        .iter()
        .zip(WEIGHTS)
        .map(|(digit, weight)| u32::from(digit - b'0') * weight)
        .sum();
    if CHECK.get((sum % 11) as usize) != Some(&last) {
        return Err(Invalid::new(
            "the check digit does not match the number (ISO 7064 MOD 11-2): is it mistyped?",
        ));
    }
    Ok(number.to_ascii_uppercase())
}

pub use vipcare_domain::{bidi_refused, bounded_text, is_bidi_format};

#[cfg(test)]
#[path = "identity_tests.rs"]
mod tests;
