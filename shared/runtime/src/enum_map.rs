//! Contract enums to domain enums and back, for every service's `grpc::convert`.
//! UNSPECIFIED becomes `None` (the caller decides whether that means "any" or "required"); a
//! number the contract does not define is refused rather than guessed. Every map is an
//! exhaustive `match`, so a value added on either side fails to compile until someone decides
//! what it means.

/// `enum_map!(from_fn: Domain <=> pb::Proto { A <=> A, … })` implements `From<Domain>` for the
/// contract enum and writes `from_fn(i32) -> Result<Option<Domain>, Invalid>`;
/// `enum_map!(from_fn, to_fn: …)` writes a `to_fn` instead of `From`, for pairs whose both sides
/// are defined in other crates.
#[macro_export]
macro_rules! enum_map {
    ($from_proto:ident: $domain:ident <=> $proto:path { $($d:ident <=> $p:ident),+ $(,)? }) => {
        impl From<$domain> for $proto {
            fn from(value: $domain) -> Self {
                match value { $($domain::$d => <$proto>::$p),+ }
            }
        }

        $crate::enum_map!(@from $from_proto: $domain <=> $proto { $($d <=> $p),+ });
    };
    ($from_proto:ident, $to_proto:ident: $domain:ident <=> $proto:path { $($d:ident <=> $p:ident),+ $(,)? }) => {
        pub fn $to_proto(value: $domain) -> $proto {
            match value { $($domain::$d => <$proto>::$p),+ }
        }

        $crate::enum_map!(@from $from_proto: $domain <=> $proto { $($d <=> $p),+ });
    };
    (@from $from_proto:ident: $domain:ident <=> $proto:path { $($d:ident <=> $p:ident),+ }) => {
        /// `None` for UNSPECIFIED; unknown numbers are refused.
        pub fn $from_proto(value: i32) -> Result<Option<$domain>, $crate::enum_map::Invalid> {
            match <$proto>::try_from(value) {
                Ok(<$proto>::Unspecified) => Ok(None),
                $(Ok(<$proto>::$p) => Ok(Some($domain::$d)),)+
                Err(_) => Err($crate::enum_map::Invalid::new(format!("unknown value {value}"))),
            }
        }
    };
}

#[doc(hidden)]
pub use vipcare_domain::Invalid;
