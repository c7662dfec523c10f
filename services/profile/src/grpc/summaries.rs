//! GetValueSummary and StreamValueSummaries, as of a period (the current month unless asked).
//! The stream reads the database in keyset pages on a task of its own, a few pages ahead of the
//! client through a bounded channel: memory stays constant however many customers there are,
//! and a client that stops reading stops the reader. Its period is fixed when it starts, so a
//! stream that runs past midnight at a month's end still summarizes every customer alike.

use futures::StreamExt;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status};
use vipcare_proto::profile::v1 as pb;

use super::convert::{self, summary_to_proto};
use super::{ProfileApi, Reply};
use vipcare_storage::{Backend, Database};

use crate::domain::{CustomerId, Invalid, Period, Violation, page_size, summarize};
use crate::store::summaries::{self, Start};

pub type SummaryStream = ReceiverStream<Result<pb::StreamValueSummariesResponse, Status>>;

pub async fn get(
    api: &ProfileApi,
    request: Request<pb::GetValueSummaryRequest>,
) -> Reply<pb::GetValueSummaryResponse> {
    let pb::GetValueSummaryRequest {
        customer_id,
        period,
    } = request.into_inner();
    let id = convert::customer_id(&customer_id, "customer_id")?;
    let as_of = as_of(api, &period)?;
    let input = summaries::one(api.db.conn(), &id, as_of).await?;
    let summary = summarize(input, as_of);
    Ok(Response::new(pb::GetValueSummaryResponse {
        summary: Some(summary_to_proto(&summary)),
    }))
}

pub async fn stream(
    api: &ProfileApi,
    request: Request<pb::StreamValueSummariesRequest>,
) -> Reply<SummaryStream> {
    let pb::StreamValueSummariesRequest {
        start_after_customer_id,
        batch_size,
        period,
    } = request.into_inner();
    let after = match start_after_customer_id.as_str() {
        "" => None,
        id => Some(
            CustomerId::parse(id)
                .map_err(|e| e.at("start_after_customer_id"))?
                .to_string(),
        ),
    };
    let size = batch(batch_size)?;
    let as_of = as_of(api, &period)?;
    // Two batches wait for the client at most; the readers stop when it goes away.
    let (tx, rx) = mpsc::channel(2);
    tokio::spawn(produce(api.db.clone(), as_of, after, size, tx));
    Ok(Response::new(ReceiverStream::new(rx)))
}

type Batch = Result<pb::StreamValueSummariesResponse, Status>;

/// Pages customer ids ahead and reads several pages' inputs at once (PostgreSQL has a pool
/// for that; SQLite one connection), keeping the batches in id order.
async fn produce(
    db: Database,
    as_of: Period,
    after: Option<String>,
    size: u64,
    tx: mpsc::Sender<Batch>,
) {
    let parallel = match db.backend() {
        Backend::Postgres => 3,
        Backend::Sqlite => 1,
    };
    // The cursor: `None` once the last page was read, else where the next page starts.
    let pages = futures::stream::unfold(Some(after), |cursor| {
        let db = db.clone();
        async move {
            let after = cursor?;
            let start = after.as_deref().map_or(Start::Beginning, Start::After);
            match summaries::page(db.conn(), start, size).await {
                Err(err) => Some((Err(err), None)),
                Ok(page) if page.is_empty() => None,
                Ok(page) => {
                    let full = page.len() as u64 == size;
                    let next = full.then(|| page.last_id().map(str::to_owned));
                    Some((Ok(page), next))
                }
            }
        }
    });
    let batches = pages
        .map(|page| {
            let db = db.clone();
            async move { summaries::inputs(db.conn(), page?, as_of).await }
        })
        .buffered(parallel);
    futures::pin_mut!(batches);
    while let Some(inputs) = batches.next().await {
        let batch = inputs
            .map_err(Status::from)
            .map(|inputs| pb::StreamValueSummariesResponse {
                summaries: inputs
                    .into_iter()
                    .map(|i| summary_to_proto(&summarize(i, as_of)))
                    .collect(),
            });
        let failed = batch.is_err();
        if tx.send(batch).await.is_err() || failed {
            return;
        }
    }
}

/// The period a summary is as of: empty is the current month on the operator's calendar; a
/// later month has no bills yet and is refused.
fn as_of(api: &ProfileApi, text: &str) -> Result<Period, Violation> {
    let current = Period::of(api.clock.today());
    if text.is_empty() {
        return Ok(current);
    }
    let period = Period::parse(text).map_err(|e| e.at("period"))?;
    if period > current {
        return Err(
            Invalid::new(format!("must not be after the current month {current}")).at("period"),
        );
    }
    Ok(period)
}

/// 0 → 1,000; more than 5,000 is clamped; negative is refused.
fn batch(requested: i32) -> Result<u64, Violation> {
    page_size(requested, 1000, 5000).map_err(|e| e.at("batch_size"))
}
