//! Opaque page tokens around keyset cursors, so pages stay stable while rows are inserted.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

const VERSION: &str = "v1:";

/// Wraps a cursor (e.g. the last id of a page) into an opaque token.
pub fn encode(cursor: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("{VERSION}{cursor}"))
}

/// The cursor inside a token, or `None` when the token was not made by `encode`.
pub fn decode(token: &str) -> Option<String> {
    let bytes = URL_SAFE_NO_PAD.decode(token).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    text.strip_prefix(VERSION).map(str::to_owned)
}

/// The page size to use: 0 means `default`, above `max` is clamped, negative is refused.
pub fn clamp_page_size(requested: i32, default: u64, max: u64) -> Result<u64, &'static str> {
    match requested {
        n if n < 0 => Err("must not be negative"),
        0 => Ok(default),
        n => Ok((n as u64).min(max)),
    }
}

/// The token of the next page when a query asked for `size + 1` rows and found more than
/// `size`: the extra row is dropped and the last kept row's cursor wrapped. Empty on the last page.
pub fn next_token<T>(rows: &mut Vec<T>, size: u64, cursor: impl Fn(&T) -> String) -> String {
    if rows.len() as u64 <= size {
        return String::new();
    }
    rows.truncate(size as usize);
    rows.last()
        .map(|last| encode(&cursor(last)))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_reject_foreign_text() {
        let token = encode("0192f0c8-7d8e-7000-8000-000000000001");
        assert_eq!(
            decode(&token).as_deref(),
            Some("0192f0c8-7d8e-7000-8000-000000000001")
        );
        assert_eq!(decode("not a token!"), None);
        assert_eq!(decode(&URL_SAFE_NO_PAD.encode("v0:x")), None);
    }

    #[test]
    fn page_sizes_are_clamped() {
        assert_eq!(clamp_page_size(0, 50, 500), Ok(50));
        assert_eq!(clamp_page_size(10_000, 50, 500), Ok(500));
        assert_eq!(clamp_page_size(7, 50, 500), Ok(7));
        assert!(clamp_page_size(-1, 50, 500).is_err());
    }

    #[test]
    fn the_next_token_points_after_the_last_kept_row() {
        let mut rows = vec![1, 2, 3];
        assert_eq!(
            decode(&next_token(&mut rows, 2, |r| r.to_string())).as_deref(),
            Some("2")
        );
        assert_eq!(rows, [1, 2]);
        assert_eq!(next_token(&mut rows, 2, |r| r.to_string()), "");
    }
}
