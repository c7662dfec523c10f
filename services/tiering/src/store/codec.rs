//! Values kept as JSON of domain types (policies, benefits, churn reasons, what run decisions
//! were made from, redemption answers): written as serde gives them, read back or reported as
//! corrupt data. Flat values get columns of their own; JSON is for the nested ones.

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::corrupt;
use crate::error::Error;

/// The JSON text of a domain value.
pub fn to_json<T: Serialize + ?Sized>(value: &T) -> Result<String, Error> {
    serde_json::to_string(value)
        .map_err(|e| Error::Internal(format!("a value to store does not encode: {e}")))
}

/// A stored value back; `what` names it if it does not decode.
pub fn from_json<T: DeserializeOwned>(what: &str, text: &str) -> Result<T, Error> {
    serde_json::from_str(text).map_err(|e| corrupt(what, e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Benefit, TierPolicy, default_catalogue};

    #[test]
    fn domain_values_read_back_as_written() {
        let policy = TierPolicy::default();
        let back: TierPolicy = from_json("policy", &to_json(&policy).unwrap()).unwrap();
        assert_eq!(back, policy);
        let catalogue = default_catalogue();
        let back: Vec<Benefit> = from_json("benefits", &to_json(&catalogue).unwrap()).unwrap();
        assert_eq!(back, catalogue);
    }

    #[test]
    fn what_does_not_decode_is_an_internal_error_naming_it() {
        let err = from_json::<TierPolicy>("policy", "{\"tiers\":").unwrap_err();
        assert!(
            matches!(&err, Error::Internal(m) if m.starts_with("stored policy")),
            "{err:?}"
        );
    }
}
