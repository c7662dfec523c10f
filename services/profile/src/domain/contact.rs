//! How and when the customer wants to be reached: channels in order of preference, quiet
//! hours in the customer's own time zone ("respect the customer's daily rhythm") and the
//! touchpoints the customer opted out of.

use chrono::{DateTime, NaiveTime, Utc};
use chrono_tz::Tz;

pub use vipcare_domain::{ContactChannel, Touchpoint};

use super::{Invalid, Violation};

/// Hours in which nothing that is not urgent may reach the customer. `start` after `end` spans
/// midnight. Equal start and end are refused: it is unclear whether that means never or always.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuietHours {
    start: NaiveTime,
    end: NaiveTime,
    zone: Tz,
}

impl Default for QuietHours {
    /// 22:00–08:00 Asia/Shanghai.
    fn default() -> QuietHours {
        QuietHours {
            start: NaiveTime::from_hms_opt(22, 0, 0).unwrap_or_default(),
            end: NaiveTime::from_hms_opt(8, 0, 0).unwrap_or_default(),
            zone: chrono_tz::Asia::Shanghai,
        }
    }
}

impl QuietHours {
    /// Violations name `start`, `end` or `time_zone`.
    pub fn new(start: NaiveTime, end: NaiveTime, zone: &str) -> Result<QuietHours, Violation> {
        let zone: Tz = zone.parse().map_err(|_| {
            Invalid::new("must be an IANA time zone, e.g. Asia/Shanghai").at("time_zone")
        })?;
        if start == end {
            return Err(Invalid::new("must differ from start").at("end"));
        }
        Ok(QuietHours { start, end, zone })
    }

    /// A time of day from hours and minutes, as the contract carries it.
    pub fn clock_time(hours: i32, minutes: i32) -> Result<NaiveTime, Invalid> {
        let h = u32::try_from(hours).ok().filter(|h| *h < 24);
        let m = u32::try_from(minutes).ok().filter(|m| *m < 60);
        h.zip(m)
            .and_then(|(h, m)| NaiveTime::from_hms_opt(h, m, 0))
            .ok_or_else(|| Invalid::new("must be a time of day: hours 0-23, minutes 0-59"))
    }

    pub fn start(&self) -> NaiveTime {
        self.start
    }

    pub fn end(&self) -> NaiveTime {
        self.end
    }

    pub fn zone(&self) -> Tz {
        self.zone
    }

    /// Whether `at` falls in the quiet hours on the customer's wall clock.
    pub fn contains(&self, at: DateTime<Utc>) -> bool {
        let local = at.with_timezone(&self.zone).time();
        if self.start < self.end {
            self.start <= local && local < self.end
        } else {
            local >= self.start || local < self.end
        }
    }
}

/// How and when the customer wants to be contacted.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ContactPreferences {
    preferred_channels: Vec<ContactChannel>,
    pub quiet_hours: QuietHours,
    opted_out_touchpoints: Vec<Touchpoint>,
}

impl ContactPreferences {
    pub fn new(
        preferred_channels: Vec<ContactChannel>,
        quiet_hours: QuietHours,
        opted_out_touchpoints: Vec<Touchpoint>,
    ) -> Result<ContactPreferences, Violation> {
        let prefs = ContactPreferences::default()
            .with_channels(preferred_channels)?
            .with_opt_outs(opted_out_touchpoints)?;
        Ok(ContactPreferences {
            quiet_hours,
            ..prefs
        })
    }

    /// Channels in order of preference; a repeat is refused (the order would be ambiguous).
    pub fn with_channels(self, channels: Vec<ContactChannel>) -> Result<Self, Violation> {
        no_repeats(&channels).map_err(|e| e.at("preferred_channels"))?;
        Ok(ContactPreferences {
            preferred_channels: channels,
            ..self
        })
    }

    pub fn with_opt_outs(self, touchpoints: Vec<Touchpoint>) -> Result<Self, Violation> {
        no_repeats(&touchpoints).map_err(|e| e.at("opted_out_touchpoints"))?;
        Ok(ContactPreferences {
            opted_out_touchpoints: touchpoints,
            ..self
        })
    }

    pub fn preferred_channels(&self) -> &[ContactChannel] {
        &self.preferred_channels
    }

    pub fn opted_out_touchpoints(&self) -> &[Touchpoint] {
        &self.opted_out_touchpoints
    }
}

fn no_repeats<T: PartialEq>(items: &[T]) -> Result<(), Invalid> {
    for (i, item) in items.iter().enumerate() {
        if items[..i].contains(item) {
            return Err(Invalid::new("must not repeat a value"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn default_quiet_hours_span_midnight_in_shanghai() {
        let quiet = QuietHours::default();
        // 23:30 Shanghai is 15:30 UTC; 12:00 Shanghai is 04:00 UTC.
        assert!(quiet.contains("2024-05-01T15:30:00Z".parse().unwrap()));
        assert!(quiet.contains("2024-05-01T23:59:00Z".parse().unwrap()));
        assert!(!quiet.contains("2024-05-01T04:00:00Z".parse().unwrap()));
        assert!(
            !quiet.contains("2024-05-01T00:00:00Z".parse().unwrap()),
            "08:00 is awake"
        );
    }

    #[test]
    fn daytime_quiet_hours_and_other_zones() {
        let quiet = QuietHours::new(at(12, 0), at(14, 0), "Europe/London").unwrap();
        assert!(quiet.contains("2024-01-10T12:30:00Z".parse().unwrap()));
        assert!(!quiet.contains("2024-01-10T14:00:00Z".parse().unwrap()));
    }

    #[test]
    fn bad_quiet_hours_name_the_field() {
        let err = QuietHours::new(at(22, 0), at(8, 0), "Mars/Olympus").unwrap_err();
        assert_eq!(err.field, "time_zone");
        let err = QuietHours::new(at(8, 0), at(8, 0), "Asia/Shanghai").unwrap_err();
        assert_eq!(err.field, "end");
        assert!(QuietHours::clock_time(24, 0).is_err());
        assert!(QuietHours::clock_time(23, 60).is_err());
        assert!(QuietHours::clock_time(-1, 0).is_err());
        assert_eq!(QuietHours::clock_time(23, 59), Ok(at(23, 59)));
    }

    #[test]
    fn channels_keep_their_order_and_refuse_repeats() {
        use ContactChannel::*;
        let prefs =
            ContactPreferences::new(vec![Email, Sms], QuietHours::default(), vec![]).unwrap();
        assert_eq!(prefs.preferred_channels(), &[Email, Sms]);
        let err = ContactPreferences::new(vec![Sms, Email, Sms], QuietHours::default(), vec![])
            .unwrap_err();
        assert_eq!(err.field, "preferred_channels");
        let err = ContactPreferences::new(
            vec![],
            QuietHours::default(),
            vec![Touchpoint::LowBalance, Touchpoint::LowBalance],
        )
        .unwrap_err();
        assert_eq!(err.field, "opted_out_touchpoints");
    }
}
