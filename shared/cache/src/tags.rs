//! The tags cached answers about a customer are filed under, named once for every service: the
//! profile service, tiering and the gateway each read answers under these tags and bump them
//! after their writes, so a writer spelling a tag differently from a reader would leave the
//! reader serving stale answers until they expire.

/// Everything cached about one customer: the profile's masked customer, tiering's tier and
/// routing priority, the gateway's view and caller look-up.
pub fn customer(customer_id: &str) -> String {
    format!("customer:{customer_id}")
}

/// The customer a mobile number resolves to (bumped when a number moves to another customer).
pub fn msisdn(msisdn: &str) -> String {
    format!("msisdn:{msisdn}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_customer_and_its_number_have_tags_of_their_own() {
        assert_eq!(super::customer("0190a0c4"), "customer:0190a0c4");
        assert_eq!(super::msisdn("13800138000"), "msisdn:13800138000");
        // An id that looks like a number is still another tag than the number.
        assert_ne!(super::customer("13800138000"), super::msisdn("13800138000"));
    }
}
