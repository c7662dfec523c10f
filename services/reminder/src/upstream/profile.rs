//! The directory over the real services: GetCustomer from the profile and GetCustomerTier from
//! tiering, both signed with the internal credential, asked at once and cached together for a
//! minute under the customer's tag, which the profile and tiering bump on every change, so a
//! new quiet-hours setting or tier is read on the next reminder, not a minute later.
//!
//! The reminder service reads as itself, without `pii:read`: it gets the masked customer (no
//! mobile number; the provider resolves it by customer id), writes no audit record per reminder,
//! and keeps no personal data in the cache — the profile's own rule for what it caches.

use std::time::Duration;

use chrono::NaiveTime;
use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};
use tonic::transport::Endpoint;
use tonic::{Code, Status};
use vipcare_cache::{Cache, tags};
use vipcare_proto::common::v1 as common;
use vipcare_proto::profile::v1 as profile_pb;
use vipcare_proto::profile::v1::profile_service_client::ProfileServiceClient;
use vipcare_proto::tiering::v1 as tiering_pb;
use vipcare_proto::tiering::v1::tiering_service_client::TieringServiceClient;
use vipcare_runtime::{InternalChannel, InternalCredential};

use super::{Contact, CustomerDirectory, UpstreamError};
use crate::domain::{ContactChannel, QuietHours, Touchpoint};

/// Bound on each call: a slow profile defers reminders, it does not hold a worker.
const CALL_TIMEOUT: Duration = Duration::from_secs(5);
/// Writers bump the customer tag, so this only bounds what a cache emptied behind our back or
/// a lost bump costs.
const TTL: Duration = Duration::from_secs(60);

/// The profile and tiering as the reminder service reads them. Cheap to clone.
#[derive(Debug, Clone)]
pub struct ProfileDirectory {
    profile: ProfileServiceClient<InternalChannel>,
    tiering: TieringServiceClient<InternalChannel>,
    cache: Cache,
}

impl ProfileDirectory {
    pub fn new(profile: InternalChannel, tiering: InternalChannel, cache: Cache) -> Self {
        ProfileDirectory {
            profile: ProfileServiceClient::new(profile),
            tiering: TieringServiceClient::new(tiering),
            cache,
        }
    }

    /// Connects on first use, so the service starts while its peers are still starting.
    pub fn connect_lazy(
        profile_url: &str,
        tiering_url: &str,
        credential: &InternalCredential,
        cache: Cache,
    ) -> Result<Self, tonic::transport::Error> {
        let lazy = |url: &str| {
            Endpoint::from_shared(url.to_owned()).map(|e| {
                let channel = e
                    .tcp_nodelay(true)
                    .connect_timeout(Duration::from_secs(2))
                    .connect_lazy();
                credential.channel(channel)
            })
        };
        Ok(ProfileDirectory::new(
            lazy(profile_url)?,
            lazy(tiering_url)?,
            cache,
        ))
    }

    async fn load(&self, customer_id: &str) -> Result<Option<Contact>, UpstreamError> {
        let (customer, tier) = futures::join!(self.customer(customer_id), self.tier(customer_id));
        let Some(customer) = customer? else {
            return Ok(None);
        };
        Ok(Some(contact_of(customer, tier?)))
    }

    async fn customer(&self, id: &str) -> Result<Option<profile_pb::Customer>, UpstreamError> {
        let mut request = tonic::Request::new(profile_pb::GetCustomerRequest {
            lookup: Some(profile_pb::get_customer_request::Lookup::CustomerId(
                id.to_owned(),
            )),
        });
        request.set_timeout(CALL_TIMEOUT);
        match self.profile.clone().get_customer(request).await {
            Ok(answer) => {
                answer
                    .into_inner()
                    .customer
                    .map(Some)
                    .ok_or_else(|| UpstreamError::Unexpected {
                        service: "profile",
                        reason: "GetCustomer answered without a customer".into(),
                    })
            }
            // An id the profile refuses cannot be one of its customers.
            Err(s) if matches!(s.code(), Code::NotFound | Code::InvalidArgument) => Ok(None),
            Err(s) => Err(failure("profile", &s)),
        }
    }

    /// The tier code; "" for a customer tiering does not know.
    async fn tier(&self, id: &str) -> Result<String, UpstreamError> {
        let mut request = tonic::Request::new(tiering_pb::GetCustomerTierRequest {
            customer: Some(tiering_pb::get_customer_tier_request::Customer::CustomerId(
                id.to_owned(),
            )),
        });
        request.set_timeout(CALL_TIMEOUT);
        match self.tiering.clone().get_customer_tier(request).await {
            Ok(answer) => Ok(answer.into_inner().tier.map(|t| t.tier).unwrap_or_default()),
            Err(s) if matches!(s.code(), Code::NotFound | Code::InvalidArgument) => {
                Ok(String::new())
            }
            Err(s) => Err(failure("tiering", &s)),
        }
    }
}

/// Why a cached load produced nothing to cache.
enum Miss {
    Unknown,
    Failed(UpstreamError),
}

impl CustomerDirectory for ProfileDirectory {
    fn contact(&self, customer_id: &str) -> BoxFuture<'_, Result<Option<Contact>, UpstreamError>> {
        let customer_id = customer_id.to_owned();
        Box::pin(async move {
            let key = format!("reminder:contact:{customer_id}");
            let tag = tags::customer(&customer_id);
            // An unknown customer is not cached: one created a moment later must be found.
            let loaded = self
                .cache
                .get_or_load(&key, &tag, TTL, || async {
                    match self.load(&customer_id).await {
                        Ok(Some(contact)) => serde_json::to_vec(&Cached::of(&contact))
                            .map_err(|e| Miss::Failed(unexpected(e))),
                        Ok(None) => Err(Miss::Unknown),
                        Err(e) => Err(Miss::Failed(e)),
                    }
                })
                .await;
            match loaded {
                Ok(bytes) => match serde_json::from_slice::<Cached>(&bytes) {
                    Ok(cached) => Ok(Some(cached.into_contact(&customer_id))),
                    // Written by another version of the service: ask the source instead.
                    Err(_) => self.load(&customer_id).await,
                },
                Err(Miss::Unknown) => Ok(None),
                Err(Miss::Failed(e)) => Err(e),
            }
        })
    }
}

fn unexpected(e: impl std::fmt::Display) -> UpstreamError {
    UpstreamError::Unexpected {
        service: "reminder cache",
        reason: e.to_string(),
    }
}

fn failure(service: &'static str, status: &Status) -> UpstreamError {
    let reason = format!("{:?}: {}", status.code(), status.message());
    match status.code() {
        Code::Unavailable
        | Code::DeadlineExceeded
        | Code::ResourceExhausted
        | Code::Cancelled
        | Code::Aborted
        | Code::Unknown => UpstreamError::Unavailable { service, reason },
        _ => UpstreamError::Unexpected { service, reason },
    }
}

/// The customer and tier as the dispatcher needs them. Values the contract does not define are
/// dropped; quiet hours the profile should never have stored fall back to the default, which
/// errs towards silence at night.
pub(super) fn contact_of(customer: profile_pb::Customer, tier: String) -> Contact {
    let profile_pb::Customer {
        customer_id,
        name,
        msisdn,
        contact_preferences,
        account_manager_id,
        pii_masked,
        ..
    } = customer;
    let prefs = contact_preferences.unwrap_or_default();
    let profile_pb::ContactPreferences {
        preferred_channels,
        quiet_hours,
        opted_out_touchpoints,
    } = prefs;
    Contact {
        customer_id,
        name,
        msisdn: (!pii_masked && !msisdn.is_empty()).then_some(msisdn),
        email: None,
        channels: preferred_channels.into_iter().filter_map(channel).collect(),
        quiet_hours: quiet_hours.and_then(quiet).unwrap_or_default(),
        opted_out: opted_out_touchpoints
            .into_iter()
            .filter_map(touchpoint)
            .collect(),
        tier,
        account_manager_id: (!account_manager_id.is_empty()).then_some(account_manager_id),
    }
}

/// The contract's names are the domain codes in upper case behind a prefix (codes are stable
/// by design), so one rule maps every value and a new one cannot be mapped to the wrong thing.
pub(super) fn channel(value: i32) -> Option<ContactChannel> {
    let name = common::ContactChannel::try_from(value).ok()?.as_str_name();
    ContactChannel::from_code(&name.strip_prefix("CONTACT_CHANNEL_")?.to_ascii_lowercase())
}

pub(super) fn touchpoint(value: i32) -> Option<Touchpoint> {
    let name = common::Touchpoint::try_from(value).ok()?.as_str_name();
    Touchpoint::from_code(&name.strip_prefix("TOUCHPOINT_")?.to_ascii_lowercase())
}

fn quiet(q: common::QuietHours) -> Option<QuietHours> {
    let common::QuietHours {
        start,
        end,
        time_zone,
    } = q;
    let time = |t: Option<common::ClockTime>| {
        let common::ClockTime { hours, minutes } = t?;
        NaiveTime::from_hms_opt(u32::try_from(hours).ok()?, u32::try_from(minutes).ok()?, 0)
    };
    QuietHours::new(time(start)?, time(end)?, &time_zone).ok()
}

/// What the cache keeps: codes and wall times, nothing personal beyond the masked name.
#[derive(Debug, Serialize, Deserialize)]
struct Cached {
    name: String,
    msisdn: Option<String>,
    channels: Vec<String>,
    quiet_start: NaiveTime,
    quiet_end: NaiveTime,
    quiet_zone: String,
    opted_out: Vec<String>,
    tier: String,
    account_manager_id: Option<String>,
}

impl Cached {
    fn of(c: &Contact) -> Cached {
        Cached {
            name: c.name.clone(),
            msisdn: c.msisdn.clone(),
            channels: c.channels.iter().map(|c| c.code().to_owned()).collect(),
            quiet_start: c.quiet_hours.start(),
            quiet_end: c.quiet_hours.end(),
            quiet_zone: c.quiet_hours.home_zone().name().to_owned(),
            opted_out: c.opted_out.iter().map(|t| t.code().to_owned()).collect(),
            tier: c.tier.clone(),
            account_manager_id: c.account_manager_id.clone(),
        }
    }

    fn into_contact(self, customer_id: &str) -> Contact {
        Contact {
            customer_id: customer_id.to_owned(),
            name: self.name,
            msisdn: self.msisdn,
            email: None,
            channels: codes(&self.channels, ContactChannel::from_code),
            quiet_hours: QuietHours::new(self.quiet_start, self.quiet_end, &self.quiet_zone)
                .unwrap_or_default(),
            opted_out: codes(&self.opted_out, Touchpoint::from_code),
            tier: self.tier,
            account_manager_id: self.account_manager_id,
        }
    }
}

fn codes<T>(codes: &[String], from_code: fn(&str) -> Option<T>) -> Vec<T> {
    codes.iter().filter_map(|c| from_code(c)).collect()
}

#[cfg(test)]
pub(super) fn round_trip(c: &Contact) -> Contact {
    let bytes = serde_json::to_vec(&Cached::of(c)).expect("a contact encodes");
    let cached: Cached = serde_json::from_slice(&bytes).expect("and decodes");
    cached.into_contact(&c.customer_id)
}
