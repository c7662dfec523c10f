//! Mobile numbers: the one rule every service checks a customer's number by, so the gateway
//! never refuses a number the profile service stores, nor passes one tiering would refuse.

use std::fmt;

use crate::Invalid;

/// A mainland mobile number: 11 digits, `^1[3-9]\d{9}$`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Msisdn(String);

impl Msisdn {
    /// The number in `text`, or why it is not one ("required" when empty).
    pub fn parse(text: &str) -> Result<Msisdn, Invalid> {
        Msisdn::parse_static(text).map_err(Invalid::new)
    }

    /// [`Msisdn::parse`] with the refusal as fixed text, for errors that carry no owned
    /// strings (the gateway's).
    pub fn parse_static(text: &str) -> Result<Msisdn, &'static str> {
        let b = text.as_bytes();
        let valid = b.len() == 11
            && b[0] == b'1'
            && (b'3'..=b'9').contains(&b[1])
            && b.iter().all(u8::is_ascii_digit);
        match (valid, text.is_empty()) {
            (true, _) => Ok(Msisdn(text.to_owned())),
            (false, true) => Err("required"),
            (false, false) => Err("must be a mainland mobile number: 11 digits, 13x-19x"),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Msisdn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<Msisdn> for String {
    fn from(msisdn: Msisdn) -> String {
        msisdn.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mainland_mobile_numbers_are_accepted() {
        for good in ["13800138000", "19912345678", "13000000000"] {
            assert_eq!(Msisdn::parse(good).unwrap().as_str(), good);
        }
    }

    #[test]
    fn other_numbers_are_refused_saying_why() {
        assert_eq!(Msisdn::parse(""), Err(Invalid::new("required")));
        for bad in [
            "1380013800",
            "138001380001",
            "12800138000",
            "23800138000",
            "1380013800a",
            "+8613800138000",
            "１３８００１３８０００",
        ] {
            let refused = Msisdn::parse(bad).expect_err(bad);
            assert!(refused.0.contains("11 digits"), "{bad:?}: {refused}");
        }
    }
}
