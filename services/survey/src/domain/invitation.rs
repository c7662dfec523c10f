//! An invitation's one rule the domain owns: its link works once, for 7 days after sending
//! (the token itself, and how it is hashed and stored, are the service's concern); and the
//! context it was sent in, so a response can be traced to the hall, the staff member, the
//! complaint or the event it is about.

use chrono::{DateTime, TimeDelta, Utc};
use vipcare_domain::Violation;

use super::text::party_id;

/// How long an invitation's link works after it is sent.
pub const EXPIRY: TimeDelta = TimeDelta::days(7);

/// Why an invitation's link no longer works.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenRefusal {
    #[error("this survey was already answered on {}", at.format("%Y-%m-%d"))]
    Used { at: DateTime<Utc> },
    #[error("this survey expired on {}", at.format("%Y-%m-%d"))]
    Expired { at: DateTime<Utc> },
}

/// Whether an invitation sent at `sent_at` (and answered at `used_at`, if it was) may be
/// answered `now`. Used comes first: a customer who answered is told so, not that it expired.
pub fn usable(
    sent_at: DateTime<Utc>,
    used_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<(), TokenRefusal> {
    if let Some(at) = used_at {
        return Err(TokenRefusal::Used { at });
    }
    let expires_at = sent_at + EXPIRY;
    if now >= expires_at {
        return Err(TokenRefusal::Expired { at: expires_at });
    }
    Ok(())
}

/// What a survey is about, each id optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SurveyContext {
    pub complaint_id: Option<String>,
    pub hall_id: Option<String>,
    pub staff_id: Option<String>,
    pub event_id: Option<String>,
}

impl SurveyContext {
    /// Checks the given ids (1-64 characters, no spaces) and names every refused one
    /// (`context.hall_id`, ...).
    pub fn new(
        complaint_id: Option<&str>,
        hall_id: Option<&str>,
        staff_id: Option<&str>,
        event_id: Option<&str>,
    ) -> Result<SurveyContext, Vec<Violation>> {
        let mut found = Vec::new();
        let mut check = |id: Option<&str>, field: &str| {
            id.and_then(|id| {
                party_id(id)
                    .map_err(|e| found.push(e.at(format!("context.{field}"))))
                    .ok()
            })
        };
        let context = SurveyContext {
            complaint_id: check(complaint_id, "complaint_id"),
            hall_id: check(hall_id, "hall_id"),
            staff_id: check(staff_id, "staff_id"),
            event_id: check(event_id, "event_id"),
        };
        if found.is_empty() {
            Ok(context)
        } else {
            Err(found)
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(day: u32, hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, day, hour, 0, 0).unwrap()
    }

    #[test]
    fn a_link_works_for_seven_days() {
        assert_eq!(usable(at(1, 9), None, at(8, 8)), Ok(()));
        assert_eq!(
            usable(at(1, 9), None, at(8, 9)),
            Err(TokenRefusal::Expired { at: at(8, 9) })
        );
    }

    #[test]
    fn a_used_link_says_so_even_when_expired() {
        let refused = usable(at(1, 9), Some(at(2, 10)), at(20, 9)).unwrap_err();
        assert_eq!(refused, TokenRefusal::Used { at: at(2, 10) });
        assert_eq!(
            refused.to_string(),
            "this survey was already answered on 2026-03-02"
        );
    }

    #[test]
    fn context_ids_are_optional_and_checked() {
        let context = SurveyContext::new(None, Some("hall-7"), Some("li"), None).unwrap();
        assert_eq!(context.hall_id.as_deref(), Some("hall-7"));
        assert_eq!(context.complaint_id, None);
        let long = "x".repeat(65);
        let refused = SurveyContext::new(Some(""), Some("hall 7"), None, Some(&long)).unwrap_err();
        let fields: Vec<&str> = refused.iter().map(|v| v.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "context.complaint_id",
                "context.hall_id",
                "context.event_id"
            ]
        );
    }
}
