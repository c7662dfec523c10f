//! Values every service's domain shares, free of transport and storage: the injectable clock
//! on the operator's calendar, refused values with the field that carried them, page sizes,
//! billing months, mobile numbers, free text without hidden characters, times in the range the
//! contracts can carry, the touchpoints and contact channels reminders are sent by, and closed
//! sets of values with stable text codes.

mod clock;
mod contact;
mod msisdn;
mod period;
mod text;
pub mod time;

pub use clock::{Clock, FixedClock, SystemClock};
pub use contact::{ContactChannel, Touchpoint};
pub use msisdn::Msisdn;
pub use period::Period;
pub use text::{bidi_refused, bounded_text, is_bidi_format};

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
}
