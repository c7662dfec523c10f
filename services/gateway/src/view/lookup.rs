//! The validated ways to name a customer at the gateway.

use std::fmt;

use crate::error::GatewayError;

/// A mobile number, by the rule every service shares (`vipcare_domain::Msisdn`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Msisdn(vipcare_domain::Msisdn);

impl Msisdn {
    pub fn parse(text: &str) -> Result<Msisdn, GatewayError> {
        vipcare_domain::Msisdn::parse_static(text)
            .map(Msisdn)
            .map_err(|reason| GatewayError::Invalid {
                field: "msisdn",
                reason,
            })
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl fmt::Display for Msisdn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A server-assigned customer id. The profile service owns its exact format; the gateway only
/// keeps ids that could never exist (and would end up in cache keys) away from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerId(String);

impl CustomerId {
    pub fn parse(text: &str) -> Result<CustomerId, GatewayError> {
        let reason = if text.is_empty() {
            "required"
        } else if text.len() > 64 || !text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            "not a customer id"
        } else {
            return Ok(CustomerId(text.to_owned()));
        };
        Err(GatewayError::Invalid {
            field: "customer_id",
            reason,
        })
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

/// How a view is asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ViewLookup {
    Id(CustomerId),
    Msisdn(Msisdn),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused_field(result: Result<impl fmt::Debug, GatewayError>) -> &'static str {
        match result {
            Err(GatewayError::Invalid { field, .. }) => field,
            other => panic!("expected invalid input, got {other:?}"),
        }
    }

    #[test]
    fn mainland_mobile_numbers_are_accepted() {
        assert_eq!(
            Msisdn::parse("13800138000").unwrap().as_str(),
            "13800138000"
        );
        assert!(Msisdn::parse("19912345678").is_ok());
    }

    #[test]
    fn other_numbers_are_refused_naming_msisdn() {
        for bad in [
            "",
            "1380013800",
            "138001380001",
            "12800138000",
            "23800138000",
            "1380013800a",
        ] {
            assert_eq!(refused_field(Msisdn::parse(bad)), "msisdn", "{bad:?}");
        }
    }

    #[test]
    fn customer_ids_are_checked_for_shape_only() {
        assert!(CustomerId::parse("0190a0c4-7b7e-7cc3-9a5e-3f2b1c4d5e6f").is_ok());
        for bad in ["", "a b", "gateway:view:x", &"a".repeat(65)] {
            assert_eq!(
                refused_field(CustomerId::parse(bad)),
                "customer_id",
                "{bad:?}"
            );
        }
    }
}
