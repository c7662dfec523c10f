//! Values every service's domain shares, free of transport and storage: the injectable clock
//! on the operator's calendar, refused values with the field that carried them, page sizes,
//! billing months, mobile numbers, free text without hidden characters, times in the range the
//! contracts can carry, when scheduled work is due, the touchpoints and contact channels reminders are sent by, and closed
//! sets of values with stable text codes.

mod clock;
mod contact;
mod msisdn;
mod period;
mod schedule;
mod text;
pub mod time;

pub use clock::{Clock, FixedClock, SystemClock};
pub use contact::{ContactChannel, Touchpoint};
pub use msisdn::Msisdn;
pub use period::Period;
pub use schedule::Schedule;
pub use text::{bidi_refused, bounded_text, is_bidi_format, tier_code};

/// Why a single value was refused. The code that knows the field path turns it into a
/// [`Violation`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Invalid(pub String);

impl Invalid {
    pub fn new(reason: impl Into<String>) -> Invalid {
        Invalid(reason.into())
    }

    /// Names the field the refused value came from.
    pub fn at(self, field: impl Into<String>) -> Violation {
        Violation {
            field: field.into(),
            reason: self.0,
        }
    }
}

/// A refused value and the path of the field that carried it, e.g. `customer.msisdn`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct Violation {
    pub field: String,
    pub reason: String,
}

impl Violation {
    /// Prefixes the path, so nested validators can report relative paths.
    pub fn under(self, parent: &str) -> Violation {
        Violation {
            field: format!("{parent}.{}", self.field),
            reason: self.reason,
        }
    }
}

/// Page sizes: 0 means `default`, larger than `max` is clamped, negative is refused.
pub fn page_size(requested: i32, default: u64, max: u64) -> Result<u64, Invalid> {
    match requested {
        n if n < 0 => Err(Invalid::new("must not be negative")),
        0 => Ok(default),
        n => Ok(u64::try_from(n).unwrap_or(max).min(max)),
    }
}

/// Most ids one batch read takes (BatchGetCustomers, BatchGetCustomerTiers): a dispatcher's
/// round in one indexed read, small enough that one call stays short.
pub const BATCH_IDS: usize = 500;

/// The ids of a batch read, parsed, each once, in the order given: 1 to [`BATCH_IDS`] of them,
/// a refused one named by its position (`customer_ids[3]`).
pub fn batch_ids<T>(
    ids: &[String],
    field: &str,
    parse: impl Fn(&str) -> Result<T, Invalid>,
) -> Result<Vec<T>, Violation> {
    if ids.is_empty() || ids.len() > BATCH_IDS {
        return Err(Invalid::new(format!("give 1 to {BATCH_IDS} ids")).at(field));
    }
    let mut seen = std::collections::HashSet::with_capacity(ids.len());
    let mut parsed = Vec::with_capacity(ids.len());
    for (i, id) in ids.iter().enumerate() {
        let id_parsed = parse(id).map_err(|e| e.at(format!("{field}[{i}]")))?;
        if seen.insert(id.as_str()) {
            parsed.push(id_parsed);
        }
    }
    Ok(parsed)
}

/// Declares a closed set of values with a stable text code, used in storage and settings.
#[macro_export]
macro_rules! coded_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $code:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            pub fn from_code(code: &str) -> Option<$name> {
                match code { $($code => Some($name::$variant),)+ _ => None }
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_size_defaults_clamps_and_refuses_negative() {
        assert_eq!(page_size(0, 50, 500), Ok(50));
        assert_eq!(page_size(7, 50, 500), Ok(7));
        assert_eq!(page_size(501, 50, 500), Ok(500));
        assert_eq!(page_size(i32::MAX, 50, 500), Ok(500));
        assert!(page_size(-1, 50, 500).is_err());
    }

    #[test]
    fn violation_paths_nest() {
        let v = Invalid::new("bad").at("time_zone").under("quiet_hours");
        assert_eq!(v.field, "quiet_hours.time_zone");
        assert_eq!(v.reason, "bad");
    }

    #[test]
    fn batch_ids_are_parsed_once_each_in_order_and_named_by_position() {
        let ids = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let upper = |s: &str| {
            if s.is_empty() {
                Err(Invalid::new("required"))
            } else {
                Ok(s.to_uppercase())
            }
        };
        assert_eq!(
            batch_ids(&ids(&["b", "a", "b"]), "customer_ids", upper),
            Ok(vec!["B".to_owned(), "A".to_owned()])
        );
        let refused = batch_ids(&ids(&["a", ""]), "customer_ids", upper).unwrap_err();
        assert_eq!(refused.field, "customer_ids[1]");
        assert_eq!(
            batch_ids(&[], "customer_ids", upper).unwrap_err().field,
            "customer_ids"
        );
        let many = vec!["a".to_owned(); BATCH_IDS + 1];
        assert!(batch_ids(&many, "customer_ids", upper).is_err());
        assert!(batch_ids(&many[..BATCH_IDS], "customer_ids", upper).is_ok());
    }
}
