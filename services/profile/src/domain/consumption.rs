//! Monthly consumption from the billing feeds: one record per customer and month ("YYYY-MM"),
//! amounts in fen. Roaming and value-added services are parts of the month's spend.
//!
//! Every amount has an upper bound far above any real line's month and low enough that the
//! sums built on it (a year of months, a household) stay far from `i64`'s limit.

use chrono::NaiveDate;

use super::{CustomerId, Invalid, Period, Violation};

/// Usage and spend of one month, as the feed reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Usage {
    pub spend_fen: i64,
    pub data_mb: i64,
    pub voice_minutes: i64,
    pub roaming_fen: i64,
    pub vas_fen: i64,
}

/// The most one line can spend in a month, in fen (¥100 million); also bounds roaming and VAS.
pub const MAX_FEN: i64 = 10_000_000_000;
/// The most data one line can use in a month, in MB (1 PB).
pub const MAX_DATA_MB: i64 = 1_000_000_000;
/// The most voice minutes one line can use in a month (a month has at most 44,640 minutes;
/// the bound leaves room for concurrent calls of a trunk line).
pub const MAX_VOICE_MINUTES: i64 = 1_000_000;

/// One checked month of one customer's consumption.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consumption {
    customer_id: CustomerId,
    period: Period,
    usage: Usage,
}

impl Consumption {
    /// Amounts must lie between 0 and their bound, roaming plus VAS must fit in the spend, and
    /// the month must not lie after `today`'s. Violations name the request's field.
    pub fn new(
        customer_id: CustomerId,
        period: Period,
        usage: Usage,
        today: NaiveDate,
    ) -> Result<Consumption, Violation> {
        if period > Period::of(today) {
            return Err(Invalid::new("must not be in the future").at("period"));
        }
        let amounts = [
            ("spend_fen", usage.spend_fen, MAX_FEN),
            ("data_mb", usage.data_mb, MAX_DATA_MB),
            ("voice_minutes", usage.voice_minutes, MAX_VOICE_MINUTES),
            ("roaming_fen", usage.roaming_fen, MAX_FEN),
            ("vas_fen", usage.vas_fen, MAX_FEN),
        ];
        for (field, value, max) in amounts {
            if value < 0 {
                return Err(Invalid::new("must not be negative").at(field));
            }
            if value > max {
                return Err(Invalid::new(format!("must be at most {max}")).at(field));
            }
        }
        let parts = usage.roaming_fen.checked_add(usage.vas_fen);
        if parts.is_none_or(|parts| parts > usage.spend_fen) {
            return Err(
                Invalid::new("roaming_fen plus vas_fen must not exceed spend_fen").at("spend_fen"),
            );
        }
        Ok(Consumption {
            customer_id,
            period,
            usage,
        })
    }

    pub fn customer_id(&self) -> &CustomerId {
        &self.customer_id
    }

    pub fn period(&self) -> Period {
        self.period
    }

    pub fn usage(&self) -> Usage {
        self.usage
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 5, 20).unwrap()
    }

    fn usage(spend: i64, roaming: i64, vas: i64) -> Usage {
        Usage {
            spend_fen: spend,
            data_mb: 1024,
            voice_minutes: 300,
            roaming_fen: roaming,
            vas_fen: vas,
        }
    }

    #[test]
    fn the_current_month_is_allowed_the_next_is_not() {
        let id = CustomerId::generate();
        let now = Period::parse("2024-05").unwrap();
        assert!(Consumption::new(id.clone(), now, usage(100, 0, 0), today()).is_ok());
        let next = Period::parse("2024-06").unwrap();
        let err = Consumption::new(id, next, usage(100, 0, 0), today()).unwrap_err();
        assert_eq!(err.field, "period");
    }

    #[test]
    fn amounts_are_checked() {
        let id = CustomerId::generate();
        let p = Period::parse("2024-01").unwrap();
        let err = Consumption::new(id.clone(), p, usage(100, -1, 0), today()).unwrap_err();
        assert_eq!(err.field, "roaming_fen");
        let err = Consumption::new(id.clone(), p, usage(100, 60, 41), today()).unwrap_err();
        assert_eq!(err.field, "spend_fen");
        assert!(Consumption::new(id.clone(), p, usage(100, 60, 40), today()).is_ok());
        let err = Consumption::new(id, p, usage(i64::MAX, 0, 0), today()).unwrap_err();
        assert_eq!(err.field, "spend_fen", "beyond the bound");
    }

    #[test]
    fn amounts_are_bounded_inclusively() {
        let id = CustomerId::generate();
        let p = Period::parse("2024-01").unwrap();
        let most = Usage {
            spend_fen: MAX_FEN,
            data_mb: MAX_DATA_MB,
            voice_minutes: MAX_VOICE_MINUTES,
            roaming_fen: MAX_FEN / 2,
            vas_fen: MAX_FEN / 2,
        };
        assert!(Consumption::new(id.clone(), p, most, today()).is_ok());
        let beyond = [
            (
                "spend_fen",
                Usage {
                    spend_fen: MAX_FEN + 1,
                    ..most
                },
            ),
            (
                "data_mb",
                Usage {
                    data_mb: MAX_DATA_MB + 1,
                    ..most
                },
            ),
            (
                "voice_minutes",
                Usage {
                    voice_minutes: MAX_VOICE_MINUTES + 1,
                    ..most
                },
            ),
            (
                "roaming_fen",
                Usage {
                    roaming_fen: MAX_FEN + 1,
                    ..most
                },
            ),
            (
                "vas_fen",
                Usage {
                    vas_fen: i64::MAX,
                    ..most
                },
            ),
        ];
        for (field, usage) in beyond {
            let err = Consumption::new(id.clone(), p, usage, today()).unwrap_err();
            assert_eq!(err.field, field);
            assert!(err.reason.starts_with("must be at most"), "{}", err.reason);
        }
    }
}
