//! The values surveys are written with: codes of scenarios, moments and attributes, names,
//! ids of halls, staff and records — each bounded, and free of what would make it show as
//! something else on a report or in the customer's message. Tier codes are the shared
//! `vipcare_domain::tier_code`.

use vipcare_domain::{Invalid, bidi_refused, bounded_text, is_bidi_format};

/// Longest hall, staff, complaint or event id, in characters.
pub const MAX_ID_CHARS: usize = 64;
/// Longest free-text comment on a response, in characters.
pub const MAX_COMMENT_CHARS: usize = 500;
/// Longest scenario, moment or attribute name, in characters.
pub const MAX_NAME_CHARS: usize = 60;

/// A code as `^[A-Z][A-Z0-9_]{1,39}$`: the scenario, moment and attribute codes that reports
/// and stored responses refer to, so they must stay plain and stable.
pub(crate) fn code(code: &str) -> Result<String, Invalid> {
    let bytes = code.as_bytes();
    let ok = (2..=40).contains(&bytes.len())
        && bytes[0].is_ascii_uppercase()
        && bytes[1..]
            .iter()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b'_');
    ok.then(|| code.to_owned()).ok_or_else(|| {
        Invalid::new("must be a code: an upper-case letter, then 1-39 of A-Z, 0-9 and _")
    })
}

/// A required one-line name of at most [`MAX_NAME_CHARS`] characters.
pub(crate) fn name(name: &str) -> Result<String, Invalid> {
    if name.trim().is_empty() {
        return Err(Invalid::new("required"));
    }
    bounded_text(name, MAX_NAME_CHARS)
}

/// An id: 1-64 characters, no spaces, control or bidirectional characters.
pub(crate) fn party_id(id: &str) -> Result<String, Invalid> {
    if id.is_empty() {
        return Err(Invalid::new("must not be empty: leave it out instead"));
    }
    if id.chars().any(char::is_whitespace) {
        return Err(Invalid::new("must not contain spaces"));
    }
    bounded_text(id, MAX_ID_CHARS)
}

/// A customer's comment, possibly empty: line breaks and tabs are how people write, so only
/// the other control characters are refused, with the hidden bidirectional ones. The complaint
/// service checks its multi-line text the same way: a rule for `vipcare_domain`.
pub(crate) fn comment(text: &str) -> Result<String, Invalid> {
    if text.chars().count() > MAX_COMMENT_CHARS {
        let reason = format!("must be at most {MAX_COMMENT_CHARS} characters");
        return Err(Invalid::new(reason));
    }
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(Invalid::new("must not contain control characters"));
    }
    if text.chars().any(is_bidi_format) {
        return Err(bidi_refused());
    }
    Ok(text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_start_with_a_letter_and_are_upper_case_words() {
        assert!(code("ON_SITE_VISIT").is_ok());
        assert!(code("A1").is_ok());
        assert!(code(&format!("A{}", "B".repeat(39))).is_ok());
        assert!(code(&format!("A{}", "B".repeat(40))).is_err());
        assert!(code("A").is_err());
        assert!(code("1A").is_err());
        assert!(code("_A").is_err());
        assert!(code("on_site").is_err());
        assert!(code("预约").is_err());
    }

    #[test]
    fn names_are_required_bounded_and_plain() {
        assert_eq!(name("预约"), Ok("预约".to_owned()));
        assert!(name("  ").is_err());
        assert!(name(&"约".repeat(MAX_NAME_CHARS + 1)).is_err());
        assert!(name("预\u{202E}约").is_err());
    }

    #[test]
    fn comments_may_span_lines_but_hide_nothing() {
        assert_eq!(comment(""), Ok(String::new()));
        assert!(comment("很好\n谢谢").is_ok());
        assert!(comment("a\u{0007}b").is_err());
        assert!(comment("a\u{202E}b").is_err());
        assert!(comment(&"好".repeat(MAX_COMMENT_CHARS)).is_ok());
        assert!(comment(&"好".repeat(MAX_COMMENT_CHARS + 1)).is_err());
    }

    #[test]
    fn ids_are_not_empty_without_spaces_and_bounded() {
        assert!(party_id("hall-12").is_ok());
        assert!(party_id("").is_err());
        assert!(party_id("hall 12").is_err());
        assert!(party_id(&"x".repeat(MAX_ID_CHARS + 1)).is_err());
    }
}
