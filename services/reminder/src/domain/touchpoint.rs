//! What a reminder is about and how it reaches the customer: the touchpoints and contact
//! channels every service names alike, defined once in vipcare-domain.

pub use vipcare_domain::{ContactChannel, Touchpoint};
