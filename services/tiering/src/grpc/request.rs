//! Checks shared by the handlers: how a request names a customer, periods, paging, and who is
//! calling — a partner may only act as itself and never sees customer ids.

use tonic::metadata::MetadataMap;
use vipcare_runtime::Caller;
use vipcare_storage::idempotency::RequestKey;
use vipcare_storage::page;

use crate::domain::{Invalid, Period, Violation, page_size};
use crate::error::Error;
use crate::upstream::CustomerRef;

/// The channel code the gateway gives partner clients.
const PARTNER_CHANNEL: &str = "partner";

/// A customer id as the profile service issues them (checked for shape only).
pub fn customer_id(text: &str, field: &str) -> Result<String, Violation> {
    if text.is_empty() {
        return Err(Invalid::new("required").at(field));
    }
    if text.len() > 64 || !text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return Err(Invalid::new("not a customer id").at(field));
    }
    Ok(text.to_owned())
}

/// A mobile number, by the rule every service shares.
pub fn msisdn(text: &str, field: &str) -> Result<String, Violation> {
    vipcare_domain::Msisdn::parse(text)
        .map(String::from)
        .map_err(|e| e.at(field))
}

/// The `oneof customer { customer_id, msisdn }` of a request.
pub fn customer(id: Option<&str>, number: Option<&str>) -> Result<CustomerRef, Violation> {
    match (id, number) {
        (Some(id), _) => Ok(CustomerRef::Id(customer_id(id, "customer_id")?)),
        (None, Some(m)) => Ok(CustomerRef::Msisdn(msisdn(m, "msisdn")?)),
        (None, None) => Err(Invalid::new("customer_id or msisdn is required").at("customer")),
    }
}

/// A period to evaluate: not after `current`, since its data cannot exist yet and a customer
/// evaluated for a later period can no longer be evaluated for the ones before it.
pub fn period(text: &str, field: &str, current: Period) -> Result<Period, Violation> {
    let period = Period::parse(text).map_err(|e| e.at(field))?;
    if period > current {
        return Err(
            Invalid::new(format!("must not be after the current period {current}")).at(field),
        );
    }
    Ok(period)
}

/// Page size (0 → 50, clamped to 500) and the cursor inside the page token.
pub fn paging(page_size_asked: i32, page_token: &str) -> Result<(u64, Option<String>), Violation> {
    let size = page_size(page_size_asked, 50, 500).map_err(|e| e.at("page_size"))?;
    if page_token.is_empty() {
        return Ok((size, None));
    }
    let cursor = page::decode(page_token)
        .ok_or_else(|| Invalid::new("not a token this service issued").at("page_token"))?;
    Ok((size, Some(cursor)))
}

/// The idempotency key of a call of `method` (none without a `request_id`), scoped to the
/// calling client; the request's encoding is its fingerprint.
pub fn key(
    calling: &Calling,
    method: &str,
    request_id: &str,
    request: &impl prost::Message,
) -> Result<Option<RequestKey>, Violation> {
    RequestKey::new(
        &calling.caller.client,
        method,
        request_id,
        &request.encode_to_vec(),
    )
    .map_err(Violation::from)
}

/// Who is calling, as the gateway identified it.
#[derive(Debug, Clone)]
pub struct Calling {
    pub caller: Caller,
}

impl Calling {
    pub fn from(metadata: &MetadataMap) -> Calling {
        Calling {
            caller: Caller::from_metadata(metadata),
        }
    }

    pub fn is_partner(&self) -> bool {
        self.caller.channel == PARTNER_CHANNEL
    }

    /// The partner a benefit call is made through. A partner client may only name itself
    /// (and is assumed when it names nobody); other channels name a partner or none.
    pub fn partner(&self, partner_id: &str) -> Result<Option<String>, Error> {
        if self.is_partner() {
            return match partner_id {
                "" => Ok(Some(self.caller.client.clone())),
                p if p == self.caller.client => Ok(Some(p.to_owned())),
                _ => Err(Error::Forbidden(
                    "partner_id must be your own client name".into(),
                )),
            };
        }
        if partner_id.len() > 64 {
            return Err(Invalid::new("at most 64 characters")
                .at("partner_id")
                .into());
        }
        Ok((!partner_id.is_empty()).then(|| partner_id.to_owned()))
    }

    /// Who the history and redemptions record: the client name, or "internal".
    pub fn client(&self) -> String {
        if self.caller.client.is_empty() {
            "internal".to_owned()
        } else {
            self.caller.client.clone()
        }
    }
}
