//! Redemptions: one use of a benefit, taken from the quota of the cycle it falls in, and who
//! may act for a partner. A partner client acts only as itself, whatever it names; the
//! operator's own channels may name any partner, or none for their own counters.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::Invalid;
use super::codes::millis;

/// One use of a benefit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Redemption {
    pub redemption_id: String,
    pub customer_id: String,
    pub benefit_code: String,
    /// Empty for the operator's own channels.
    pub partner_id: String,
    /// The cycle the unit was taken from, "2026" or "2026-11".
    pub cycle_key: String,
    pub tier: String,
    /// The calling client, or "internal".
    pub client: String,
    /// The calling client's channel as the gateway named it ("hall", "partner", …).
    pub channel: String,
    pub request_id: String,
    #[serde(with = "millis")]
    pub redeem_time: DateTime<Utc>,
}

/// A redemption and what it left of the cycle's quota: the answer a repeat of the request gets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Redeemed {
    pub redemption: Redemption,
    /// Uses left this cycle after this one (0 when unlimited).
    pub remaining: i32,
    pub unlimited: bool,
}

/// Why a caller may not act for the partner it named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PartnerRefused {
    /// A partner client named another partner.
    NotItself,
    /// The partner id itself is refused.
    Invalid(Invalid),
}

/// The longest partner id (partners are client names).
pub const MAX_PARTNER_ID: usize = 64;

/// The partner a benefit call is made through. `partner_client` is the calling client's name
/// when it is a partner: it may only name itself, and is assumed when it names nobody. Other
/// callers (`None`) name a partner or none.
pub fn acting_partner(
    partner_client: Option<&str>,
    partner_id: &str,
) -> Result<Option<String>, PartnerRefused> {
    if let Some(client) = partner_client {
        return match partner_id {
            "" => Ok(Some(client.to_owned())),
            p if p == client => Ok(Some(p.to_owned())),
            _ => Err(PartnerRefused::NotItself),
        };
    }
    if partner_id.len() > MAX_PARTNER_ID {
        return Err(PartnerRefused::Invalid(Invalid::new(format!(
            "at most {MAX_PARTNER_ID} characters"
        ))));
    }
    Ok((!partner_id.is_empty()).then(|| partner_id.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_partner_acts_only_as_itself() {
        let lounges = Some("airport-lounges");
        assert_eq!(
            acting_partner(lounges, ""),
            Ok(Some("airport-lounges".into()))
        );
        assert_eq!(
            acting_partner(lounges, "airport-lounges"),
            Ok(Some("airport-lounges".into()))
        );
        assert_eq!(
            acting_partner(lounges, "merchants"),
            Err(PartnerRefused::NotItself)
        );
    }

    #[test]
    fn the_operators_channels_name_any_partner_or_none() {
        assert_eq!(acting_partner(None, ""), Ok(None));
        assert_eq!(
            acting_partner(None, "merchants"),
            Ok(Some("merchants".into()))
        );
        assert!(matches!(
            acting_partner(None, &"p".repeat(65)),
            Err(PartnerRefused::Invalid(_))
        ));
    }

    #[test]
    fn a_redemption_reads_back_as_stored() {
        let redeemed = Redeemed {
            redemption: Redemption {
                redemption_id: "0190a0c4-7b7e-7cc3-9a5e-3f2b1c4d5e6f".into(),
                customer_id: "c1".into(),
                benefit_code: "airport_lounge".into(),
                partner_id: "airport-lounges".into(),
                cycle_key: "2026".into(),
                tier: "GOLD".into(),
                client: "airport-lounges".into(),
                channel: "partner".into(),
                request_id: "visit-7".into(),
                redeem_time: "2026-06-15T04:00:00.250Z".parse().unwrap(),
            },
            remaining: 1,
            unlimited: false,
        };
        let text = serde_json::to_string(&redeemed).unwrap();
        assert_eq!(serde_json::from_str::<Redeemed>(&text).unwrap(), redeemed);
    }
}
