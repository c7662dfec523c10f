//! Monthly consumption from the billing feeds: one record per customer and month ("YYYY-MM"),
//! amounts in fen. Roaming and value-added services are parts of the month's spend.

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

/// One checked month of one customer's consumption.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consumption {
    customer_id: CustomerId,
    period: Period,
    usage: Usage,
}

impl Consumption {
    /// Amounts must not be negative, roaming plus VAS must fit in the spend, and the month
    /// must not lie after `today`'s. Violations name the request's field.
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
            ("spend_fen", usage.spend_fen),
            ("data_mb", usage.data_mb),
            ("voice_minutes", usage.voice_minutes),
            ("roaming_fen", usage.roaming_fen),
            ("vas_fen", usage.vas_fen),
        ];
        if let Some((field, _)) = amounts.iter().find(|(_, v)| *v < 0) {
            return Err(Invalid::new("must not be negative").at(*field));
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
        let err = Consumption::new(id, p, usage(i64::MAX, i64::MAX, 1), today()).unwrap_err();
        assert_eq!(err.field, "spend_fen", "overflow is refused, not wrapped");
    }
}
