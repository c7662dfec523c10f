//! GetSurveyPolicy and UpdateSurveyPolicy. The policy in force is the stored one, or the
//! settings' starting values until one is stored. An update replaces the figures its mask
//! names, over the etag the caller read; the result is checked whole, so a policy in force is
//! always complete, and a stale etag is ABORTED with nothing written.

use tonic::{Request, Response};
use vipcare_proto::survey::v1 as pb;
use vipcare_runtime::Caller;
use vipcare_storage::idempotency::Begun;

use super::convert::policy::{policy_to_proto, update_from_proto};
use super::request::key;
use super::{Reply, SurveyApi};
use crate::domain::SurveyPolicy;
use crate::error::Error;
use crate::store::{self, policy};

const UPDATE: &str = "vipcare.survey.v1.SurveyService/UpdateSurveyPolicy";

pub async fn get(
    api: &SurveyApi,
    _r: Request<pb::GetSurveyPolicyRequest>,
) -> Reply<pb::GetSurveyPolicyResponse> {
    let stored = api.policy().await?;
    Ok(Response::new(pb::GetSurveyPolicyResponse {
        policy: Some(policy_to_proto(&stored)),
    }))
}

pub async fn update(
    api: &SurveyApi,
    r: Request<pb::UpdateSurveyPolicyRequest>,
) -> Reply<pb::UpdateSurveyPolicyResponse> {
    let key = key(r.metadata(), UPDATE, &r.get_ref().request_id, r.get_ref())?;
    let by = Caller::from_metadata(r.metadata()).client;
    let fresh = match api.requests.begin::<_, Error>(key.as_ref()).await? {
        Begun::Replayed(answer) => return Ok(Response::new(answer)),
        Begun::Fresh(fresh) => fresh,
    };
    let update = update_from_proto(r.get_ref())?;
    let now = store::stored_time(api.clock.now());
    let answer = fresh
        .finish::<_, Error, _>(async |txn| {
            let current = policy::get(txn, &api.starting).await?;
            // A stale etag first: the caller decided on a policy no longer in force.
            if update.etag != current.etag() {
                return Err(Error::StaleEtag {
                    given: update.etag.clone(),
                    current: current.etag(),
                });
            }
            let checked = SurveyPolicy::new(update.apply(current.policy.values()))?;
            let stored = policy::update(txn, &checked, &update.etag, &by, now).await?;
            tracing::info!(by = %by, etag = %stored.etag(), "survey policy updated");
            Ok(pb::UpdateSurveyPolicyResponse {
                policy: Some(policy_to_proto(&stored)),
            })
        })
        .await?;
    Ok(Response::new(answer))
}
