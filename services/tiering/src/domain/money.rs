//! Amounts in words (fen shown as yuan with two decimals) and the one sum tiering makes of them.
//! Amounts come from the profile service's summaries; tiering adds nothing up itself, it only
//! compares two spends, and does so in a way that cannot overflow whatever the summary says.

/// How much more `a` is than `b`, two spends in fen, each counted as at least zero: a month
/// of refunds is no spend, not negative spend. Both then lie in 0..=i64::MAX, so the result
/// always fits: no panic, no wrapped number, however corrupt the amounts.
pub(crate) fn spend_above(a: i64, b: i64) -> i64 {
    a.max(0) - b.max(0)
}

/// `15800` → "¥158.00".
pub(crate) fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let fen = fen.unsigned_abs();
    format!("{sign}¥{}.{:02}", fen / 100, fen % 100)
}

#[cfg(test)]
mod tests {
    #[test]
    fn spends_compare_without_overflow() {
        use super::spend_above;
        assert_eq!(spend_above(20_000, 15_000), 5_000);
        assert_eq!(spend_above(15_000, 20_000), -5_000);
        assert_eq!(spend_above(i64::MAX, i64::MIN), i64::MAX);
        assert_eq!(spend_above(i64::MIN, i64::MAX), -i64::MAX);
        assert_eq!(spend_above(10_000, -5_000), 10_000, "refunds are no spend");
    }

    #[test]
    fn fen_print_as_yuan() {
        assert_eq!(super::yuan(15800), "¥158.00");
        assert_eq!(super::yuan(5), "¥0.05");
        assert_eq!(super::yuan(-120), "-¥1.20");
        assert_eq!(super::yuan(i64::MIN), "-¥92233720368547758.08");
    }
}
