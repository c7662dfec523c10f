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
    use crate::domain::{
        Basis, Benefit, Period, QuotaCycle, SpendTrend, TierPolicy, default_catalogue,
    };

    #[test]
    fn domain_values_read_back_as_written() {
        let policy = TierPolicy::default();
        let back: TierPolicy = from_json("policy", &to_json(&policy).unwrap()).unwrap();
        assert_eq!(back, policy);
        let catalogue = default_catalogue();
        let back: Vec<Benefit> = from_json("benefits", &to_json(&catalogue).unwrap()).unwrap();
        assert_eq!(back, catalogue);
    }

    /// Text as rows hold it: renaming a domain field or code must fail here, not on rows.
    #[test]
    fn stored_text_keeps_its_shape() {
        let benefit = Benefit {
            code: "spa_visit".into(),
            name: "Spa visit".into(),
            description: String::new(),
            eligible_tiers: vec!["GOLD".into()],
            cycle: QuotaCycle::Year,
            quota_per_tier: [("GOLD".to_owned(), 2)].into(),
            partner_ids: vec!["spas".into()],
            active: true,
        };
        let text = r#"{"code":"spa_visit","name":"Spa visit","description":"","eligible_tiers":["GOLD"],"cycle":"YEAR","quota_per_tier":{"GOLD":2},"partner_ids":["spas"],"active":true}"#;
        assert_eq!(to_json(&benefit).unwrap(), text);
        assert_eq!(from_json::<Benefit>("benefit", text).unwrap(), benefit);

        let basis = r#"{"summary":{"customer_id":"c1","arpu_3m_fen":15000,"arpu_6m_fen":15800,"arpu_12m_fen":14000,"months_with_data":11,"tenure_months":40,"spend_trend":"STABLE","spend_change_percent":-2.5,"household_arpu_fen":30000,"family_members":1,"referrals":2,"group_key_person":false,"status":"ACTIVE","latest_period":"2026-05","previous_arpu_3m_fen":15400,"plan_code":"5G-199","period":"2026-06","months_counted":9},"standing":{"tier":"GOLD","periods_below":1},"manual":{"tier":"DIAMOND","reason":"board member","actor":"am-7","expire_time":null,"create_time":1781496000000},"now":1781496000000}"#;
        let read: Basis = from_json("basis", basis).unwrap();
        assert_eq!(read.summary.spend_trend, SpendTrend::Stable);
        assert_eq!(read.summary.period, Period::parse("2026-06").ok());
        assert_eq!(read.manual.as_ref().map(|o| o.expire_time), Some(None));
        assert_eq!(to_json(&read).unwrap(), basis);
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
