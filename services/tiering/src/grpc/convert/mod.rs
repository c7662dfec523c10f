//! Conversions between the `vipcare.tiering.v1` contract (and the profile's value summaries)
//! and the domain. Messages are destructured field by field in both directions, so a field
//! added to the contract or to a domain type fails to compile here until someone decides what
//! it means; refusals name the field's path in the request.

mod benefit;
mod churn;
mod evaluation;
mod policy;
mod summary;
mod tier;

pub use benefit::{
    balance_to_proto, benefit_from_proto, benefit_to_proto, redeemed_from_proto, redeemed_to_proto,
    redemption_from_proto, redemption_to_proto, refusal_to_proto,
};
pub use churn::{at_risk_to_proto, churn_to_proto, reasons_from_proto};
pub use evaluation::{decision_to_proto, evaluation_to_proto, run_to_proto};
#[cfg(test)]
pub use policy::policy_to_proto;
pub use policy::{policy_from_proto, stored_policy_to_proto};
pub use summary::{status_from_proto, summary_from_proto, summary_to_proto};
pub use tier::{change_to_proto, customer_tier_to_proto, notice_to_proto};

use chrono::{DateTime, Utc};
use prost_types::Timestamp;
use vipcare_domain::time::timestamp_in_range;
use vipcare_storage::page;

use crate::domain::{Invalid, Violation, page_size};

pub fn timestamp(t: DateTime<Utc>) -> Timestamp {
    Timestamp {
        seconds: t.timestamp(),
        nanos: t.timestamp_subsec_nanos() as i32,
    }
}

/// A timestamp from a request, refused outside protobuf's valid range: stored, such a time
/// would make every later answer that shows it unreadable to JSON clients.
pub fn time_from_proto(t: &Timestamp) -> Result<DateTime<Utc>, Invalid> {
    let Timestamp { seconds, nanos } = *t;
    timestamp_in_range(seconds, nanos)
}

/// Page size (0 → 50, clamped to 500) and the cursor inside the page token.
pub fn paging(page_size_asked: i32, page_token: &str) -> Result<(u64, Option<String>), Violation> {
    let size = page_size(page_size_asked, 50, 500).map_err(|e| e.at("page_size"))?;
    if page_token.is_empty() {
        return Ok((size, None));
    }
    let cursor = page::decode(page_token).ok_or_else(not_our_token)?;
    Ok((size, Some(cursor)))
}

/// A page token this service did not issue (or one altered on the way back).
pub fn not_our_token() -> Violation {
    Invalid::new("not a token this service issued").at("page_token")
}

#[cfg(test)]
mod tests {
    use super::*;
    use vipcare_storage::idempotency::RequestKey;

    #[test]
    fn request_ids_are_bounded() {
        let key = |id: &str| RequestKey::of("hall", "M", id, &Timestamp::default());
        assert_eq!(key(""), Ok(None));
        assert!(key("r-1").unwrap().is_some());
        assert_eq!(key(&"r".repeat(129)).unwrap_err().field, "request_id");
    }

    #[test]
    fn pages_default_clamp_and_refuse_foreign_tokens() {
        assert_eq!(paging(0, ""), Ok((50, None)));
        assert_eq!(paging(10_000, ""), Ok((500, None)));
        assert_eq!(paging(-1, "").unwrap_err().field, "page_size");
        assert_eq!(paging(10, "not-a-token").unwrap_err().field, "page_token");
        let token = page::encode("c-9");
        assert_eq!(paging(10, &token), Ok((10, Some("c-9".into()))));
    }
}
