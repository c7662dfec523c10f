//! What a tier brings, in the words of tiering's benefit catalogue, for the tier-change notice
//! ("the customer is told the new tier and what it brings"). Read through tiering's own
//! contract, never its tables, and kept for a minute per tier: a tier run tells thousands of
//! customers about the same few tiers at once.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use tonic::transport::Endpoint;
use vipcare_proto::tiering::v1 as tiering;
use vipcare_proto::tiering::v1::tiering_service_client::TieringServiceClient;
use vipcare_runtime::{InternalChannel, InternalCredential};

use crate::error::Error;

/// How long a tier's benefits are reused before tiering is asked again.
const FRESH_FOR: Duration = Duration::from_secs(60);
/// Bound on one question to tiering.
const CALL_TIMEOUT: Duration = Duration::from_secs(5);

/// Tiering's benefit catalogue, as the tier-change notice quotes it.
#[derive(Debug)]
pub struct TierBenefits {
    client: TieringServiceClient<InternalChannel>,
    known: Mutex<HashMap<String, (Instant, Vec<String>)>>,
}

impl TierBenefits {
    /// Connects on first use, so the service starts while tiering is away.
    pub fn connect_lazy(
        url: &str,
        credential: &InternalCredential,
    ) -> Result<TierBenefits, tonic::transport::Error> {
        let channel = Endpoint::from_shared(url.to_owned())?
            .tcp_nodelay(true)
            .connect_timeout(Duration::from_secs(2))
            .timeout(CALL_TIMEOUT)
            .connect_lazy();
        Ok(TierBenefits {
            client: TieringServiceClient::new(credential.channel(channel)),
            known: Mutex::new(HashMap::new()),
        })
    }

    /// The names of the active benefits customers of `tier` may use, in catalogue order.
    /// Tiering down is UNAVAILABLE: the notice waits in tiering's outbox and comes again.
    pub async fn of_tier(&self, tier: &str) -> Result<Vec<String>, Error> {
        if let Some(names) = self.recalled(tier) {
            return Ok(names);
        }
        let request = tiering::ListBenefitsRequest {
            tier: tier.to_owned(),
        };
        let answer = self
            .client
            .clone()
            .list_benefits(request)
            .await
            .map_err(|status| {
                Error::Unavailable(format!(
                    "tiering ListBenefits: {:?} {}",
                    status.code(),
                    status.message()
                ))
            })?
            .into_inner();
        let names: Vec<String> = answer
            .benefits
            .into_iter()
            .filter(|b| b.active)
            .map(|b| b.name)
            .filter(|name| !name.trim().is_empty())
            .collect();
        if let Ok(mut known) = self.known.lock() {
            known.insert(tier.to_owned(), (Instant::now(), names.clone()));
        }
        Ok(names)
    }

    fn recalled(&self, tier: &str) -> Option<Vec<String>> {
        let known = self.known.lock().ok()?;
        let (at, names) = known.get(tier)?;
        (at.elapsed() < FRESH_FOR).then(|| names.clone())
    }
}
