//! Billing months ("YYYY-MM"): the unit of consumption records and of tier evaluations.

use std::fmt;

use chrono::{Datelike, NaiveDate};

use crate::Invalid;

/// A billing month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    year: i32,
    month: u32,
}

impl Period {
    /// Exactly "YYYY-MM", years 1900–9999.
    pub fn parse(text: &str) -> Result<Period, Invalid> {
        let refuse = || Invalid::new("must be a month as YYYY-MM, e.g. 2024-05");
        let b = text.as_bytes();
        if b.len() != 7 || b[4] != b'-' {
            return Err(if text.is_empty() {
                Invalid::new("required")
            } else {
                refuse()
            });
        }
        let digits = |s: &str| s.bytes().all(|c| c.is_ascii_digit());
        let (year, month) = (&text[..4], &text[5..]);
        if !digits(year) || !digits(month) {
            return Err(refuse());
        }
        let year: i32 = year.parse().map_err(|_| refuse())?;
        let month: u32 = month.parse().map_err(|_| refuse())?;
        if year < 1900 || !(1..=12).contains(&month) {
            return Err(refuse());
        }
        Ok(Period { year, month })
    }

    /// The month `date` falls in.
    pub fn of(date: NaiveDate) -> Period {
        Period {
            year: date.year(),
            month: date.month(),
        }
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn month(self) -> u32 {
        self.month
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl Period {
    /// The month after this one.
    pub fn next(self) -> Period {
        if self.month == 12 {
            Period {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Period {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    /// The month before this one.
    pub fn previous(self) -> Period {
        if self.month == 1 {
            Period {
                year: self.year - 1,
                month: 12,
            }
        } else {
            Period {
                year: self.year,
                month: self.month - 1,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_parse_strictly_and_print_back() {
        assert_eq!(Period::parse("2024-05").unwrap().to_string(), "2024-05");
        for bad in [
            "", "2024-5", "2024-13", "2024-00", "24-05-01", "2024/05", "1899-12", "+024-05",
        ] {
            assert!(Period::parse(bad).is_err(), "{bad} accepted");
        }
        assert!(Period::parse("2023-12").unwrap() < Period::parse("2024-01").unwrap());
    }

    #[test]
    fn months_step_across_years() {
        let dec = Period::parse("2024-12").unwrap();
        assert_eq!(dec.next().to_string(), "2025-01");
        assert_eq!(dec.next().previous(), dec);
        assert_eq!(
            Period::parse("2024-05").unwrap().previous().to_string(),
            "2024-04"
        );
    }
}
