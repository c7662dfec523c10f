//! The composed reads of ChannelService: the customer view and the hotline's caller look-up,
//! served from the cache when they can be. A cached entry lives under the tag the services bump
//! after every write to that customer (`customer:<id>`: profile on its writes, tiering on every
//! tier change, the reminder service whenever the customer's waiting reminders change, the
//! complaint service on every change of the customer's complaints, the survey service on every
//! answer) or number
//! (`msisdn:<msisdn>`), so a write racing a read can never leave a stale entry that anyone is
//! served. Entries are the encoded response messages, so a hit costs one
//! cache round trip, no service call, and no decoding. Answers missing a section are served
//! once and never cached.

use std::time::{Duration, SystemTime};

use prost::Message;
use vipcare_cache::Cache;
use vipcare_proto::gateway::v1::{CustomerView, GetCustomerViewResponse};

mod call;
mod caller;
mod complaints;
mod compose;
mod lookup;
mod profile;
mod reminders;
mod satisfaction;
mod tiering;

pub use call::{CallContext, Masking};
pub use complaints::ComplaintReader;
pub use compose::{Composed, RECENT_NOTES, Sections, assemble};
pub use lookup::{CustomerId, Msisdn, ViewLookup};
pub use profile::ProfileReader;
pub use reminders::{NEXT_REMINDERS, ReminderReader};
pub use satisfaction::SurveyReader;
pub use tiering::{Routing, TierSection, TieringReader};

use crate::error::GatewayError;
use caller::answer_caller;

/// An answer as the client receives it: an encoded response message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Encoded(Vec<u8>);

impl Encoded {
    pub fn of(message: &impl Message) -> Encoded {
        Encoded(message.encode_to_vec())
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

/// Why a cache load produced no entry to store.
enum NotStored<T> {
    /// Answered without a service's part (a view section, the caller's priority): served once,
    /// never cached.
    Degraded(T),
    Failed(GatewayError),
}

impl<T> From<GatewayError> for NotStored<T> {
    fn from(err: GatewayError) -> Self {
        NotStored::Failed(err)
    }
}

/// Composes and caches views.
#[derive(Debug, Clone)]
pub struct Views {
    profile: ProfileReader,
    tiering: TieringReader,
    reminders: ReminderReader,
    complaints: ComplaintReader,
    surveys: SurveyReader,
    cache: Cache,
    ttl: Duration,
}

/// The services a view reads, one reader each.
#[derive(Debug, Clone)]
pub struct Readers {
    pub profile: ProfileReader,
    pub tiering: TieringReader,
    pub reminders: ReminderReader,
    pub complaints: ComplaintReader,
    pub surveys: SurveyReader,
}

impl Views {
    pub fn new(readers: Readers, cache: Cache, ttl: Duration) -> Views {
        let Readers {
            profile,
            tiering,
            reminders,
            complaints,
            surveys,
        } = readers;
        Views {
            profile,
            tiering,
            reminders,
            complaints,
            surveys,
            cache,
            ttl,
        }
    }

    /// The customer's view (a `GetCustomerViewResponse`), masked as the caller's scopes allow.
    /// Masked views are the same for every caller without `pii:read` and are cached; unmasked
    /// ones are composed every time (the profile service audits each unmasked read).
    pub async fn customer_view(
        &self,
        ctx: &CallContext,
        lookup: ViewLookup,
    ) -> Result<Encoded, GatewayError> {
        let id = match lookup {
            ViewLookup::Id(id) => id,
            ViewLookup::Msisdn(msisdn) => self.resolve(ctx, &msisdn).await?,
        };
        if ctx.client().reads_pii() {
            return Ok(answer(self.compose(ctx, &id).await?.view));
        }
        let key = format!("gateway:view:{id}");
        let loaded = self
            .cache
            .get_or_load(&key, &customer_tag(&id), self.ttl, || async {
                // Boxed: the miss path's futures are large, and a hit should not carry them.
                let composed = Box::pin(self.compose(ctx, &id)).await?;
                if composed.complete {
                    Ok(answer(composed.view).0)
                } else {
                    Err(NotStored::Degraded(composed.view))
                }
            })
            .await;
        match loaded {
            Ok(bytes) => Ok(Encoded(bytes)),
            Err(NotStored::Degraded(view)) => Ok(answer(view)),
            Err(NotStored::Failed(err)) => Err(err),
        }
    }

    /// Who is calling the hotline (a `LookupCallerResponse`). Always masked: the agent's screen
    /// shows no personal data.
    pub async fn lookup_caller(
        &self,
        ctx: &CallContext,
        msisdn: &Msisdn,
    ) -> Result<Encoded, GatewayError> {
        let id = self.resolve(ctx, msisdn).await?;
        let key = format!("gateway:caller:{id}");
        let loaded = self
            .cache
            .get_or_load(&key, &customer_tag(&id), self.ttl, || async {
                // Boxed: the miss path's futures are large, and a hit should not carry them.
                let (customer, routing, complaints) = Box::pin(async {
                    tokio::join!(
                        self.profile.customer(ctx, &id, Masking::Always),
                        self.tiering.routing(ctx, msisdn),
                        self.complaints.open_complaints(ctx, &id, Masking::Always),
                    )
                })
                .await;
                let open = complaints.map(|open| open.count > 0);
                let answer = answer_caller(customer?, routing, open);
                if answer.complete {
                    Ok(answer.response.encode_to_vec())
                } else {
                    Err(NotStored::Degraded(answer.response))
                }
            })
            .await;
        match loaded {
            Ok(bytes) => Ok(Encoded(bytes)),
            Err(NotStored::Degraded(response)) => Ok(Encoded::of(&response)),
            Err(NotStored::Failed(err)) => Err(err),
        }
    }

    /// The customer id of a mobile number (ids are not personal data: cached for everyone).
    async fn resolve(
        &self,
        ctx: &CallContext,
        msisdn: &Msisdn,
    ) -> Result<CustomerId, GatewayError> {
        let key = format!("gateway:msisdn:{msisdn}");
        let tag = vipcare_cache::tags::msisdn(msisdn.as_str());
        let bytes = self
            .cache
            .get_or_load(&key, &tag, self.ttl, || async {
                let customer = Box::pin(self.profile.customer_by_msisdn(ctx, msisdn)).await?;
                Ok::<_, GatewayError>(customer.customer_id.into_bytes())
            })
            .await?;
        let id = std::str::from_utf8(&bytes)
            .map_err(|_| GatewayError::Internal("cached customer id is not UTF-8".into()))?;
        CustomerId::parse(id)
            .map_err(|_| GatewayError::Internal(format!("profile returned customer id {id:?}")))
    }

    /// Asks for every section at once; the slowest answer sets the latency.
    async fn compose(&self, ctx: &CallContext, id: &CustomerId) -> Result<Composed, GatewayError> {
        let (
            customer,
            value,
            recent_notes,
            tier,
            churn_risk,
            next_reminders,
            complaints,
            satisfaction,
        ) = tokio::join!(
            self.profile.customer(ctx, id, Masking::AsClient),
            self.profile.value_summary(ctx, id),
            self.profile.recent_notes(ctx, id, RECENT_NOTES),
            self.tiering.customer_tier(ctx, id),
            self.tiering.churn_risk(ctx, id),
            self.reminders.next_reminders(ctx, id, NEXT_REMINDERS),
            self.complaints.open_complaints(ctx, id, Masking::AsClient),
            self.surveys.latest(ctx, id),
        );
        assemble(
            Sections {
                customer,
                value,
                recent_notes,
                tier,
                churn_risk,
                next_reminders,
                complaints,
                satisfaction,
            },
            SystemTime::now(),
        )
    }
}

/// The tag the profile, tiering, reminder, complaint and survey services bump when the
/// customer changes.
fn customer_tag(id: &CustomerId) -> String {
    vipcare_cache::tags::customer(id.as_str())
}

fn answer(view: CustomerView) -> Encoded {
    Encoded::of(&GetCustomerViewResponse { view: Some(view) })
}
