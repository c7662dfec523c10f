//! RunEvaluation, GetEvaluationRun and ListRunDecisions: start (or resume) a period's run,
//! follow its progress, and read back what it decided for each customer.

use tonic::{Request, Response};
use vipcare_proto::tiering::v1 as pb;
use vipcare_storage::page::next_token;

use super::convert::{evaluation_to_proto, paging, run_to_proto};
use super::{Reply, TieringApi};
use crate::batch::decide_from;
use crate::domain::{self, Period, evaluable_period};
use crate::error::Error;
use crate::store::runs;
use crate::store::{policies, snapshots};

pub async fn start(
    api: &TieringApi,
    r: Request<pb::RunEvaluationRequest>,
) -> Reply<pb::RunEvaluationResponse> {
    let pb::RunEvaluationRequest { period, dry_run } = r.into_inner();
    let current = Period::of(api.clock.today());
    let period = evaluable_period(&period, current).map_err(|e| e.at("period"))?;
    let run_id = api.runner.start(period, dry_run).await?;
    Ok(Response::new(pb::RunEvaluationResponse { run_id }))
}

fn run_id(text: &str) -> Result<&str, Error> {
    Ok(domain::run_id(text).map_err(|e| e.at("run_id"))?)
}

pub async fn get(
    api: &TieringApi,
    r: Request<pb::GetEvaluationRunRequest>,
) -> Reply<pb::GetEvaluationRunResponse> {
    let pb::GetEvaluationRunRequest { run_id: id } = r.into_inner();
    let id = run_id(&id)?;
    let run = runs::get(api.db.conn(), id)
        .await?
        .ok_or_else(|| Error::not_found("evaluation_run", id))?;
    Ok(Response::new(pb::GetEvaluationRunResponse {
        run: Some(run_to_proto(run)),
    }))
}

pub async fn decisions(
    api: &TieringApi,
    r: Request<pb::ListRunDecisionsRequest>,
) -> Reply<pb::ListRunDecisionsResponse> {
    let pb::ListRunDecisionsRequest {
        run_id: id,
        customer_id,
        page_size,
        page_token,
    } = r.into_inner();
    let id = run_id(&id)?;
    let customer = match customer_id.as_str() {
        "" => None,
        text => Some(domain::customer_id(text).map_err(|e| e.at("customer_id"))?),
    };
    let (size, cursor) = paging(page_size, &page_token)?;
    let conn = api.db.conn();
    let run = runs::get(conn, id)
        .await?
        .ok_or_else(|| Error::not_found("evaluation_run", id))?;
    let period = Period::parse(&run.period)
        .map_err(|e| Error::Internal(format!("stored run period: {e}")))?;
    let policy = policies::version(conn, run.policy_version)
        .await?
        .ok_or_else(|| Error::Internal("the run's policy version is gone".into()))?;
    let after = cursor.unwrap_or_default();
    let bases = snapshots::list(conn, id, customer, &after, size as usize + 1).await?;
    // Deciding is deterministic: the explanation given now is the one the run acted on.
    let mut evaluations: Vec<pb::Evaluation> = bases
        .iter()
        .map(|b| {
            let decided = decide_from(&policy.policy, b);
            evaluation_to_proto(&decided, &b.summary, period, policy.version)
        })
        .collect();
    let next_page_token = next_token(&mut evaluations, size, |e| e.customer_id.clone());
    Ok(Response::new(pb::ListRunDecisionsResponse {
        evaluations,
        next_page_token,
    }))
}
