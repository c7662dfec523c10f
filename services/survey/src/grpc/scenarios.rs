//! GetScenario, ListScenarios and UpsertScenario. An upsert publishes the next version over the
//! one the caller read (`expected_version`; 0 creates the scenario): a stale one is ABORTED and
//! nothing is written, and the responses scored under earlier versions keep theirs.

use tonic::{Request, Response};
use vipcare_domain::page_size;
use vipcare_proto::survey::v1 as pb;
use vipcare_runtime::Caller;
use vipcare_storage::idempotency::Begun;

use super::convert::scenario::{scenario_to_proto, upsert_from_proto};
use super::request::key;
use super::{Reply, SurveyApi};
use crate::domain::text::code as scenario_code_of;
use crate::error::Error;
use crate::store::{self, scenarios};

const UPSERT: &str = "vipcare.survey.v1.SurveyService/UpsertScenario";
const DEFAULT_PAGE: u64 = 50;
const MAX_PAGE: u64 = 200;

pub async fn get(
    api: &SurveyApi,
    r: Request<pb::GetScenarioRequest>,
) -> Reply<pb::GetScenarioResponse> {
    let pb::GetScenarioRequest {
        scenario_code,
        version,
    } = r.into_inner();
    let code = scenario_code_of(&scenario_code).map_err(|e| e.at("scenario_code"))?;
    let stored = match version {
        0 => scenarios::latest(api.db.conn(), &code).await?,
        v => scenarios::get(api.db.conn(), &code, v).await?,
    };
    Ok(Response::new(pb::GetScenarioResponse {
        scenario: Some(scenario_to_proto(&stored.scenario, stored.update_time)),
    }))
}

pub async fn list(
    api: &SurveyApi,
    r: Request<pb::ListScenariosRequest>,
) -> Reply<pb::ListScenariosResponse> {
    let pb::ListScenariosRequest {
        page_size: requested,
        page_token,
    } = r.into_inner();
    let size = page_size(requested, DEFAULT_PAGE, MAX_PAGE).map_err(|e| e.at("page_size"))?;
    let page = scenarios::list(api.db.conn(), &page_token, size).await?;
    Ok(Response::new(pb::ListScenariosResponse {
        scenarios: page
            .scenarios
            .iter()
            .map(|s| scenario_to_proto(&s.scenario, s.update_time))
            .collect(),
        next_page_token: page.next_page_token,
    }))
}

pub async fn upsert(
    api: &SurveyApi,
    r: Request<pb::UpsertScenarioRequest>,
) -> Reply<pb::UpsertScenarioResponse> {
    let key = key(r.metadata(), UPSERT, &r.get_ref().request_id, r.get_ref())?;
    let by = Caller::from_metadata(r.metadata()).client;
    let fresh = match api.requests.begin::<_, Error>(key.as_ref()).await? {
        Begun::Replayed(answer) => return Ok(Response::new(answer)),
        Begun::Fresh(fresh) => fresh,
    };
    let upsert = upsert_from_proto(r.get_ref())?;
    let now = store::stored_time(api.clock.now());
    let answer = fresh
        .finish::<_, Error, _>(async |txn| {
            let expected = upsert.expected_version.unwrap_or(0);
            let stored =
                scenarios::insert_version(txn, upsert.draft.clone(), expected, &by, now).await?;
            tracing::info!(
                scenario = stored.scenario.code(),
                version = stored.scenario.version(),
                by = %by,
                "scenario published"
            );
            Ok(pb::UpsertScenarioResponse {
                scenario: Some(scenario_to_proto(&stored.scenario, stored.update_time)),
            })
        })
        .await?;
    Ok(Response::new(answer))
}
