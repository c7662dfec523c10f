//! RunEvaluation, GetEvaluationRun and ListRunDecisions: start (or resume) a period's run,
//! follow its progress, and read back what it decided for each customer.

use tonic::{Request, Response};
use vipcare_proto::tiering::v1 as pb;
use vipcare_storage::page::next_token;

use super::request::{self, paging};
use super::{Reply, TieringApi};
use crate::batch::decide_from;
use crate::convert::timestamp;
use crate::domain::{Invalid, Period};
use crate::error::Error;
use crate::store::runs::{self, Run};
use crate::store::{policies, snapshots};

fn run_message(run: Run) -> pb::EvaluationRun {
    let state = match run.state.as_str() {
        "RUNNING" => pb::RunState::Running,
        "DONE" => pb::RunState::Done,
        "FAILED" => pb::RunState::Failed,
        _ => pb::RunState::Unspecified,
    };
    pb::EvaluationRun {
        run_id: run.run_id,
        period: run.period,
        dry_run: run.dry_run,
        state: state as i32,
        policy_version: run.policy_version,
        processed: run.counts.processed,
        total: run.counts.total,
        upgrades: run.counts.upgrades,
        downgrades: run.counts.downgrades,
        held: run.counts.held,
        errors: run.counts.errors,
        start_time: Some(timestamp(run.start)),
        finish_time: run.finish.map(timestamp),
        failure: run.failure,
        resumptions: run.resumptions,
    }
}

pub async fn start(
    api: &TieringApi,
    r: Request<pb::RunEvaluationRequest>,
) -> Reply<pb::RunEvaluationResponse> {
    let pb::RunEvaluationRequest { period, dry_run } = r.into_inner();
    let current = Period::of(api.clock.today());
    let period = request::period(&period, "period", current)?;
    let run_id = api.runner.start(period, dry_run).await?;
    Ok(Response::new(pb::RunEvaluationResponse { run_id }))
}

fn run_id(text: &str) -> Result<&str, Error> {
    if text.is_empty() || text.len() > 64 {
        return Err(Invalid::new("required, at most 64 characters")
            .at("run_id")
            .into());
    }
    Ok(text)
}

pub async fn get(
    api: &TieringApi,
    r: Request<pb::GetEvaluationRunRequest>,
) -> Reply<pb::GetEvaluationRunResponse> {
    let request = r.into_inner();
    let id = run_id(&request.run_id)?;
    let run = runs::get(api.db.conn(), id)
        .await?
        .ok_or_else(|| Error::not_found("evaluation_run", id))?;
    Ok(Response::new(pb::GetEvaluationRunResponse {
        run: Some(run_message(run)),
    }))
}

pub async fn decisions(
    api: &TieringApi,
    r: Request<pb::ListRunDecisionsRequest>,
) -> Reply<pb::ListRunDecisionsResponse> {
    let request = r.into_inner();
    let id = run_id(&request.run_id)?;
    let customer = match request.customer_id.as_str() {
        "" => None,
        text => Some(request::customer_id(text, "customer_id")?),
    };
    let (size, cursor) = paging(request.page_size, &request.page_token)?;
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
    let bases = snapshots::list(conn, id, customer.as_deref(), &after, size as usize + 1).await?;
    // Deciding is deterministic: the explanation given now is the one the run acted on.
    let mut evaluations: Vec<pb::Evaluation> = bases
        .iter()
        .map(|b| decide_from(&policy.policy, b).to_pb(&b.summary, period, policy.version))
        .collect();
    let next_page_token = next_token(&mut evaluations, size, |e| e.customer_id.clone());
    Ok(Response::new(pb::ListRunDecisionsResponse {
        evaluations,
        next_page_token,
    }))
}
