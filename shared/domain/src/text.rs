//! Free text people type (names, reasons, notes): bounded in characters, and free of what would
//! make it show as something else — control characters and bidirectional formatting characters.

use crate::Invalid;

/// Bidirectional formatting characters: the embeddings and overrides (U+202A–U+202E), the
/// isolates (U+2066–U+2069) and the marks (U+200E, U+200F, U+061C). They are invisible, yet
/// reorder what is shown around them, so a name or note could read as something else.
pub fn is_bidi_format(c: char) -> bool {
    matches!(
        c,
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}'
    )
}

/// Free text of at most `max_chars` characters (not bytes) without control characters (Cc)
/// or bidirectional formatting characters.
pub fn bounded_text(text: &str, max_chars: usize) -> Result<String, Invalid> {
    if text.chars().count() > max_chars {
        return Err(Invalid::new(format!(
            "must be at most {max_chars} characters"
        )));
    }
    if text.chars().any(char::is_control) {
        return Err(Invalid::new("must not contain control characters"));
    }
    if text.chars().any(is_bidi_format) {
        return Err(bidi_refused());
    }
    Ok(text.to_owned())
}

/// A tier code as every service names tiers (`DIAMOND`, `GOLD`, an operator's own): 1 to 32
/// capital letters, digits or underscores. Tiers are tiering's to define, so the others check
/// only the shape, and an unknown tier simply matches nothing.
pub fn tier_code(code: &str) -> Result<&str, Invalid> {
    let ok = (1..=32).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
    ok.then_some(code)
        .ok_or_else(|| Invalid::new("must be a tier code: 1-32 of A-Z, 0-9 and _"))
}

/// The refusal of a bidirectional formatting character, wherever text is checked.
pub fn bidi_refused() -> Invalid {
    Invalid::new(
        "must not contain bidirectional formatting characters (U+202A-E, U+2066-9, U+200E/F, U+061C)",
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn tier_codes_are_upper_case_words_of_at_most_32() {
        assert_eq!(tier_code("DIAMOND"), Ok("DIAMOND"));
        assert_eq!(tier_code("VIP_2"), Ok("VIP_2"));
        for bad in ["diamond", "", "GOLD CARD", &"A".repeat(33)] {
            assert!(tier_code(bad).is_err(), "{bad:?}");
        }
    }

    use super::*;

    #[test]
    fn text_is_bounded_in_characters_and_refuses_hidden_characters() {
        assert_eq!(bounded_text("张三丰", 3), Ok("张三丰".to_owned()));
        assert!(bounded_text("张三丰四", 3).is_err());
        assert!(bounded_text("a\u{0007}b", 10).is_err());
        assert!(bounded_text("abc\u{202E}fed", 10).is_err());
        assert!(bounded_text("x\u{2066}y", 10).is_err());
    }
}
