//! How a request names what tiering works on: a customer by the id the profile service issued
//! or by mobile number, a period to evaluate, an evaluation run. Each is checked here once, so
//! the handlers and the store hold values known to be well formed.

use super::{Invalid, Period, Violation};

/// How a request names a customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CustomerRef {
    Id(String),
    Msisdn(String),
}

impl CustomerRef {
    /// The `oneof customer { customer_id, msisdn }` of a request, whichever is set; a refusal
    /// names the field that carried the value, or `customer` when neither is set.
    pub fn parse(id: Option<&str>, msisdn: Option<&str>) -> Result<CustomerRef, Violation> {
        match (id, msisdn) {
            (Some(id), _) => Ok(CustomerRef::Id(
                customer_id(id).map_err(|e| e.at("customer_id"))?.to_owned(),
            )),
            (None, Some(m)) => Ok(CustomerRef::Msisdn(
                mobile_number(m).map_err(|e| e.at("msisdn"))?,
            )),
            (None, None) => Err(Invalid::new("customer_id or msisdn is required").at("customer")),
        }
    }
}

/// A customer id as the profile service issues them, checked for shape only (whether the
/// customer exists is the profile's to say).
pub fn customer_id(text: &str) -> Result<&str, Invalid> {
    if text.is_empty() {
        return Err(Invalid::new("required"));
    }
    if text.len() > 64 || !text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return Err(Invalid::new("not a customer id"));
    }
    Ok(text)
}

/// A mobile number, by the rule every service shares.
pub fn mobile_number(text: &str) -> Result<String, Invalid> {
    vipcare_domain::Msisdn::parse(text).map(String::from)
}

/// A period to evaluate: not after `current`, since its data cannot exist yet and a customer
/// evaluated for a later period can no longer be evaluated for the ones before it.
pub fn evaluable_period(text: &str, current: Period) -> Result<Period, Invalid> {
    let period = Period::parse(text)?;
    if period > current {
        return Err(Invalid::new(format!(
            "must not be after the current period {current}"
        )));
    }
    Ok(period)
}

/// An evaluation run's id: the server issues them, so anything longer is no run of ours.
pub fn run_id(text: &str) -> Result<&str, Invalid> {
    if text.is_empty() || text.len() > 64 {
        return Err(Invalid::new("required, at most 64 characters"));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn customers_are_named_by_id_first_then_by_number() {
        assert_eq!(
            CustomerRef::parse(Some("c-1"), Some("13800138000")),
            Ok(CustomerRef::Id("c-1".into()))
        );
        assert_eq!(
            CustomerRef::parse(None, Some("13800138000")),
            Ok(CustomerRef::Msisdn("13800138000".into()))
        );
        let field = |id, m| CustomerRef::parse(id, m).unwrap_err().field;
        assert_eq!(field(None, None), "customer");
        assert_eq!(field(Some("a b"), None), "customer_id");
        assert_eq!(field(Some(""), None), "customer_id");
        assert_eq!(field(None, Some("12")), "msisdn");
        assert!(customer_id(&"a".repeat(65)).is_err());
    }

    #[test]
    fn only_periods_up_to_the_current_one_are_evaluated() {
        let current = Period::parse("2026-06").unwrap();
        assert_eq!(
            evaluable_period("2026-06", current),
            Ok(current),
            "the current period"
        );
        assert!(evaluable_period("2026-05", current).is_ok());
        let later = evaluable_period("2026-07", current).unwrap_err();
        assert!(later.0.contains("2026-06"), "{later}");
        assert!(evaluable_period("2026-13", current).is_err());
        assert!(evaluable_period("", current).is_err());
    }

    #[test]
    fn run_ids_are_bounded() {
        assert_eq!(run_id("r-1"), Ok("r-1"));
        assert!(run_id("").is_err());
        assert!(run_id(&"r".repeat(65)).is_err());
    }
}
