//! Amounts in words: fen shown as yuan with two decimals.

/// `15800` → "¥158.00".
pub(crate) fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let fen = fen.unsigned_abs();
    format!("{sign}¥{}.{:02}", fen / 100, fen % 100)
}

#[cfg(test)]
mod tests {
    #[test]
    fn fen_print_as_yuan() {
        assert_eq!(super::yuan(15800), "¥158.00");
        assert_eq!(super::yuan(5), "¥0.05");
        assert_eq!(super::yuan(-120), "-¥1.20");
    }
}
