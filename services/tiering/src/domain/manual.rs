//! Manual tiers: an override an agent sets for a reason, in force until its expiry (or for good
//! without one). What an override may say is checked here, before anything is written.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::codes::{millis, optional_millis};
use super::{Invalid, bounded};

/// A manual tier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Override {
    pub tier: String,
    pub reason: String,
    pub actor: String,
    #[serde(with = "optional_millis")]
    pub expire_time: Option<DateTime<Utc>>,
    #[serde(with = "millis")]
    pub create_time: DateTime<Utc>,
}

/// The longest reason an override (or its removal) may give.
pub const MAX_REASON: usize = 200;
/// The longest actor (an employee or account-manager id).
pub const MAX_ACTOR: usize = 64;

impl Override {
    pub fn in_force(&self, now: DateTime<Utc>) -> bool {
        self.expire_time.is_none_or(|expiry| now < expiry)
    }

    /// Why the override is set or removed: required, trimmed, at most [`MAX_REASON`].
    pub fn reason(text: &str) -> Result<String, Invalid> {
        bounded(text, MAX_REASON)
    }

    /// Who set it: required, trimmed, at most [`MAX_ACTOR`].
    pub fn actor(text: &str) -> Result<String, Invalid> {
        bounded(text, MAX_ACTOR)
    }

    /// When it runs out: none, or a time after `now` (one already past would never be in force).
    pub fn expiry(
        time: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, Invalid> {
        match time {
            Some(t) if t <= now => Err(Invalid::new("must be in the future")),
            other => Ok(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_override_says_why_and_who_and_ends_in_the_future() {
        let now: DateTime<Utc> = "2026-06-15T04:00:00Z".parse().unwrap();
        assert_eq!(
            Override::reason("  board member "),
            Ok("board member".into())
        );
        assert!(Override::reason("").is_err());
        assert!(Override::reason(&"r".repeat(201)).is_err());
        assert!(Override::actor(&"a".repeat(65)).is_err());
        assert_eq!(Override::expiry(None, now), Ok(None));
        let later = now + chrono::Duration::seconds(1);
        assert_eq!(Override::expiry(Some(later), now), Ok(Some(later)));
        assert!(Override::expiry(Some(now), now).is_err());
    }

    #[test]
    fn an_override_is_in_force_until_its_expiry() {
        let now: DateTime<Utc> = "2026-06-15T04:00:00Z".parse().unwrap();
        let manual = Override {
            tier: "DIAMOND".into(),
            reason: "board member".into(),
            actor: "emp-7".into(),
            expire_time: Some(now),
            create_time: now,
        };
        assert!(manual.in_force(now - chrono::Duration::milliseconds(1)));
        assert!(!manual.in_force(now));
    }
}
