//! Tiers for the demo population: one evaluation run of the current month right after loading,
//! so the views, hotline priorities and benefits a newcomer looks at are not all STANDARD.

use std::net::SocketAddr;
use std::time::Duration;

use chrono::Datelike;
use vipcare_domain::Clock;
use vipcare_proto::tiering::v1 as pb;
use vipcare_proto::tiering::v1::tiering_service_client::TieringServiceClient;
use vipcare_runtime::InternalCredential;

use super::{DemoError, connect_error};

/// How long the demo waits for its evaluation run.
const RUN_LIMIT: Duration = Duration::from_secs(120);

/// Runs the evaluation of the current month and waits for it to finish.
pub async fn evaluate(
    tiering: SocketAddr,
    credential: &InternalCredential,
) -> Result<pb::EvaluationRun, DemoError> {
    let channel = tonic::transport::Endpoint::from_shared(format!("http://{tiering}"))
        .map_err(|err| connect_error(tiering, &err))?
        .connect()
        .await
        .map_err(|err| connect_error(tiering, &err))?;
    let mut client = TieringServiceClient::new(credential.channel(channel));
    let today = vipcare_domain::SystemClock.today();
    let period = format!("{:04}-{:02}", today.year(), today.month());
    let failed = |status: tonic::Status| DemoError::Tiering(status.message().to_owned());
    let run_id = client
        .run_evaluation(pb::RunEvaluationRequest {
            period,
            dry_run: false,
        })
        .await
        .map_err(failed)?
        .into_inner()
        .run_id;
    let mut poll = tokio::time::interval(Duration::from_millis(100));
    let waited = tokio::time::timeout(RUN_LIMIT, async {
        loop {
            poll.tick().await;
            let run = client
                .get_evaluation_run(pb::GetEvaluationRunRequest {
                    run_id: run_id.clone(),
                })
                .await
                .map_err(failed)?
                .into_inner()
                .run
                .unwrap_or_default();
            if run.state != pb::RunState::Running as i32 {
                return Ok(run);
            }
        }
    })
    .await;
    waited.map_err(|_| DemoError::Tiering("the demo evaluation run did not finish".into()))?
}

/// Customers `ids` with their tiers, as tiering holds them, 500 at a time.
pub async fn of(
    channel: tonic::transport::Channel,
    credential: &InternalCredential,
    ids: &[String],
) -> Result<Vec<(String, String)>, DemoError> {
    let mut client = TieringServiceClient::new(credential.channel(channel));
    let mut tiered = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let tiers = client
            .batch_get_customer_tiers(pb::BatchGetCustomerTiersRequest {
                customer_ids: chunk.to_vec(),
            })
            .await
            .map_err(|status| DemoError::Tiering(status.message().to_owned()))?
            .into_inner()
            .tiers;
        tiered.extend(tiers.into_iter().map(|t| (t.customer_id, t.tier)));
    }
    Ok(tiered)
}
