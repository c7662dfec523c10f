//! How domain values are written down when the store keeps them as JSON: closed sets by their
//! stable text code (so renaming a variant in Rust leaves stored rows readable), billing months
//! as "YYYY-MM", times as epoch milliseconds like every time column of the schema.

/// Serde for `coded_enum!` types: the value is its code, an unknown code refuses to decode.
macro_rules! serde_by_code {
    ($($name:ident),+ $(,)?) => {$(
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.code())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let code = String::deserialize(d)?;
                $name::from_code(&code).ok_or_else(|| {
                    serde::de::Error::custom(format!(
                        concat!("unknown ", stringify!($name), " code {:?}"),
                        code
                    ))
                })
            }
        }
    )+};
}
pub(crate) use serde_by_code;

/// `Option<Period>` as "YYYY-MM", or "" for none.
pub(crate) mod optional_period {
    use serde::{Deserialize, Deserializer, Serializer};

    use crate::domain::Period;

    pub fn serialize<S: Serializer>(period: &Option<Period>, s: S) -> Result<S::Ok, S::Error> {
        match period {
            Some(p) => s.collect_str(p),
            None => s.serialize_str(""),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Period>, D::Error> {
        let text = String::deserialize(d)?;
        if text.is_empty() {
            return Ok(None);
        }
        Period::parse(&text)
            .map(Some)
            .map_err(|e| serde::de::Error::custom(e.0))
    }
}

pub(crate) use chrono::serde::ts_milliseconds as millis;
pub(crate) use chrono::serde::ts_milliseconds_option as optional_millis;

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Serialize};

    use crate::domain::{Period, QuotaCycle};

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Sample {
        cycle: QuotaCycle,
        #[serde(with = "super::optional_period")]
        period: Option<Period>,
        #[serde(with = "super::millis")]
        at: DateTime<Utc>,
    }

    #[test]
    fn values_are_written_by_their_codes() {
        let sample = Sample {
            cycle: QuotaCycle::Month,
            period: Period::parse("2026-06").ok(),
            at: DateTime::from_timestamp_millis(1_781_000_000_123).unwrap(),
        };
        let text = serde_json::to_string(&sample).unwrap();
        assert_eq!(
            text,
            r#"{"cycle":"MONTH","period":"2026-06","at":1781000000123}"#
        );
        assert_eq!(serde_json::from_str::<Sample>(&text).unwrap(), sample);
        let none = r#"{"cycle":"YEAR","period":"","at":0}"#;
        assert_eq!(serde_json::from_str::<Sample>(none).unwrap().period, None);
        for bad in [
            r#"{"cycle":"WEEK","period":"","at":0}"#,
            r#"{"cycle":"YEAR","period":"2026-13","at":0}"#,
        ] {
            assert!(serde_json::from_str::<Sample>(bad).is_err(), "{bad}");
        }
    }
}
