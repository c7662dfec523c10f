//! How many SMS a text costs. Text entirely in the GSM 03.38 default alphabet goes as GSM-7:
//! 160 septets in a single message, 153 per part once split (the rest of each part carries the
//! concatenation header); characters of the extension table (`€`, `[`, `{`, …) take an escape
//! and count double. Anything else (Chinese, emoji) forces UCS-2: 70 UTF-16 code units single,
//! 67 per part, an emoji taking two. Phones never split an escape pair or a surrogate pair
//! across parts, so parts are packed whole-character-wise rather than by plain division.

use vipcare_domain::{Invalid, coded_enum};

coded_enum! {
    /// How an SMS is encoded on the air.
    Encoding {
        Gsm7 = "GSM7",
        Ucs2 = "UCS2",
    }
}

impl Encoding {
    /// Units (septets or UTF-16 code units) in a message sent as one SMS.
    pub fn single_limit(self) -> usize {
        match self {
            Encoding::Gsm7 => 160,
            Encoding::Ucs2 => 70,
        }
    }

    /// Units per part once a message is split.
    pub fn part_limit(self) -> usize {
        match self {
            Encoding::Gsm7 => 153,
            Encoding::Ucs2 => 67,
        }
    }
}

/// The GSM 03.38 default alphabet: 128 positions less the escape (0x1B).
const GSM7_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?\
¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
/// The extension table, each reached through the escape and so two septets.
const GSM7_EXTENSION: &str = "\u{000C}^{}\\[~]|€";

fn gsm7_units(c: char) -> Option<usize> {
    if GSM7_BASIC.contains(c) {
        Some(1)
    } else if GSM7_EXTENSION.contains(c) {
        Some(2)
    } else {
        None
    }
}

/// What a text costs: its encoding, its length in that encoding's units (septets for GSM-7,
/// UTF-16 code units for UCS-2) and the number of SMS it takes (0 for an empty text).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SegmentCount {
    pub encoding: Encoding,
    pub characters: usize,
    pub segments: usize,
}

pub fn encoding_of(text: &str) -> Encoding {
    if text.chars().all(|c| gsm7_units(c).is_some()) {
        Encoding::Gsm7
    } else {
        Encoding::Ucs2
    }
}

fn units(c: char, encoding: Encoding) -> usize {
    match encoding {
        Encoding::Gsm7 => gsm7_units(c).unwrap_or(2),
        Encoding::Ucs2 => c.len_utf16(),
    }
}

pub fn count(text: &str) -> SegmentCount {
    let encoding = encoding_of(text);
    let characters = text.chars().map(|c| units(c, encoding)).sum();
    let segments = if characters == 0 {
        0
    } else if characters <= encoding.single_limit() {
        1
    } else {
        // Greedy packing: a character that does not fit whole starts the next part.
        let limit = encoding.part_limit();
        let (mut parts, mut used) = (1, 0);
        for c in text.chars() {
            let u = units(c, encoding);
            if used + u > limit {
                parts += 1;
                used = 0;
            }
            used += u;
        }
        parts
    };
    SegmentCount {
        encoding,
        characters,
        segments,
    }
}

/// The most SMS one message may take. Beyond ten parts, handsets reassemble concatenated
/// messages unreliably, so larger limits are refused rather than silently capped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct SegmentLimit(usize);

impl SegmentLimit {
    pub const MAX: usize = 10;

    pub fn new(segments: usize) -> Result<SegmentLimit, Invalid> {
        if (1..=Self::MAX).contains(&segments) {
            Ok(SegmentLimit(segments))
        } else {
            Err(Invalid::new(format!("must be 1 to {} segments", Self::MAX)))
        }
    }

    pub fn get(self) -> usize {
        self.0
    }

    pub fn admits(self, text: &str) -> bool {
        count(text).segments <= self.0
    }
}

impl Default for SegmentLimit {
    /// Five segments: 335 Chinese characters or 765 GSM-7 ones, room for the four-part
    /// account-opening message of DOMAIN.md while keeping a message readable on one screen or two.
    fn default() -> SegmentLimit {
        SegmentLimit(5)
    }
}

/// One message made of whole parts, except where a single part was too long on its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packed {
    pub text: String,
    /// Indexes of the parts (all or a piece of each) this message carries, in order.
    pub parts: Vec<usize>,
}

/// Packs ordered parts into as few messages as the limit allows, in order, joined by
/// `separator`. A part is cut only when it alone exceeds the limit; then its pieces each fill a
/// message, preferring to cut after punctuation or a space.
pub fn pack_parts<S: AsRef<str>>(parts: &[S], separator: &str, limit: SegmentLimit) -> Vec<Packed> {
    let mut out = Vec::new();
    let mut current: Option<Packed> = None;
    for (i, part) in parts.iter().enumerate() {
        let part = part.as_ref();
        if let Some(mut open) = current.take() {
            let joined = format!("{}{separator}{part}", open.text);
            if limit.admits(&joined) {
                open.text = joined;
                open.parts.push(i);
                current = Some(open);
                continue;
            }
            out.push(open);
        }
        let mut pieces = cut_to_fit(part, limit);
        // The last piece stays open: the next parts may still fit behind it.
        current = pieces.pop().map(|text| Packed {
            text,
            parts: vec![i],
        });
        out.extend(pieces.into_iter().map(|text| Packed {
            text,
            parts: vec![i],
        }));
    }
    out.extend(current);
    out
}

fn is_break(c: char) -> bool {
    c.is_whitespace() || "，。；！？、：,.;!?:".contains(c)
}

/// Cuts `text` into pieces each within the limit; the pieces concatenate to `text`.
fn cut_to_fit(text: &str, limit: SegmentLimit) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut rest = text;
    while !limit.admits(rest) {
        let bounds: Vec<usize> = rest.char_indices().map(|(b, _)| b).skip(1).collect();
        if bounds.is_empty() {
            break; // a single character always fits; kept so no input can loop or panic
        }
        // The longest prefix (in whole characters) that fits; cost only grows with length.
        let (mut lo, mut hi) = (0, bounds.len());
        while lo < hi {
            let mid = (lo + hi).div_ceil(2);
            if limit.admits(&rest[..bounds[mid - 1]]) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        let fit = lo.max(1);
        let natural = rest[..bounds[fit - 1]]
            .char_indices()
            .filter(|(_, c)| is_break(*c))
            .map(|(b, c)| b + c.len_utf8())
            .next_back()
            .filter(|end| *end * 2 > bounds[fit - 1]);
        let cut = natural.unwrap_or(bounds[fit - 1]);
        pieces.push(rest[..cut].to_owned());
        rest = &rest[cut..];
    }
    pieces.push(rest.to_owned());
    pieces
}

#[cfg(test)]
#[path = "segments_tests.rs"]
mod tests;
