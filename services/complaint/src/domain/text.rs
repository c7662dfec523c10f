//! The values complaints are written with: ids of people and records, one-line text (a
//! summary, a reason) and multi-line text (a description, a resolution, a call note), each
//! bounded in characters and free of what would make it show as something else on the agent's
//! screen or in the customer's message.

use vipcare_domain::{Invalid, bidi_refused, bounded_text, is_bidi_format};

/// Longest customer, staff or record id, in characters.
pub const MAX_ID_CHARS: usize = 64;
/// Longest reason (waiting, transfer, reopen, compensation), in characters.
pub const MAX_REASON_CHARS: usize = 500;
/// Longest note, action text, resolution or explanation, in characters.
pub const MAX_NOTE_CHARS: usize = 2000;

/// An id: 1-64 characters, no spaces, control or bidirectional characters.
pub(crate) fn party_id(id: &str) -> Result<String, Invalid> {
    if id.is_empty() {
        return Err(Invalid::new("required"));
    }
    if id.chars().any(char::is_whitespace) {
        return Err(Invalid::new("must not contain spaces"));
    }
    bounded_text(id, MAX_ID_CHARS)
}

/// Required one-line text: not blank, bounded, no control or bidirectional characters.
pub(crate) fn required_line(text: &str, max_chars: usize) -> Result<String, Invalid> {
    if text.trim().is_empty() {
        return Err(Invalid::new("required"));
    }
    bounded_text(text, max_chars)
}

/// Multi-line text, possibly empty: line breaks and tabs are how people write a description or
/// a call note, so only the other control characters are refused.
pub(crate) fn multiline(text: &str, max_chars: usize) -> Result<String, Invalid> {
    if text.chars().count() > max_chars {
        return Err(Invalid::new(format!(
            "must be at most {max_chars} characters"
        )));
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

/// Required multi-line text: as [`multiline`], and not blank.
pub(crate) fn required_multiline(text: &str, max_chars: usize) -> Result<String, Invalid> {
    if text.trim().is_empty() {
        return Err(Invalid::new("required"));
    }
    multiline(text, max_chars)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_required_without_spaces_and_bounded() {
        assert_eq!(party_id("staff-007"), Ok("staff-007".to_owned()));
        assert!(party_id("").is_err());
        assert!(party_id("staff 007").is_err());
        assert!(party_id(&"x".repeat(MAX_ID_CHARS + 1)).is_err());
    }

    #[test]
    fn one_line_text_refuses_blank_and_line_breaks_multi_line_allows_them() {
        assert!(required_line("   ", 10).is_err());
        assert!(required_line("a\nb", 10).is_err());
        assert_eq!(required_multiline("a\nb\tc", 10), Ok("a\nb\tc".to_owned()));
        assert!(required_multiline(" \n ", 10).is_err());
        assert!(multiline("a\u{0007}b", 10).is_err());
        assert!(multiline("a\u{202E}b", 10).is_err());
        assert!(multiline("四个汉字", 3).is_err());
        assert_eq!(multiline("", 3), Ok(String::new()));
    }
}
