//! RecordConsumption and the ImportConsumption billing feed. A customer's spend moves its own
//! value summary and the household ARPU of its family, so their views are invalidated too.

use tonic::{Request, Response, Status, Streaming};
use vipcare_proto::profile::v1 as pb;

use super::convert::{self, consumption_to_proto};
use super::{Answer, ProfileApi, Reply, cached};
use crate::domain::Consumption;
use crate::error::Error;
use crate::store::consumption;

/// Rows per transaction: large enough for speed, small enough to keep locks short.
const IMPORT_BATCH: usize = 500;
/// Rejections reported back; the counts cover all of them.
const MAX_REJECTIONS: usize = 1000;

pub async fn record(
    api: &ProfileApi,
    request: Request<pb::RecordConsumptionRequest>,
) -> Reply<pb::RecordConsumptionResponse> {
    let record = convert::consumption_from_proto(request.get_ref(), api.clock.today())?;
    let now = api.clock.now();
    let stale = consumption::record(api.db.conn(), &record, now).await?;
    cached::invalidate(api, stale).await;
    Ok(Response::new(pb::RecordConsumptionResponse {
        record: Some(consumption_to_proto(&record, now)),
    }))
}

/// Answers with the stream's own status when the client's stream breaks (cancelled, a message
/// too large), so it is not an `Error` of ours.
/// Good rows are kept in batches as they arrive; bad rows and rows of unknown customers are
/// reported. Batches committed before a broken stream or a database failure stay committed.
pub async fn import(
    api: &ProfileApi,
    request: Request<Streaming<pb::ImportConsumptionRequest>>,
) -> Answer<pb::ImportConsumptionResponse> {
    let mut rows = request.into_inner();
    let today = api.clock.today();
    let mut report = Report::default();
    let mut pending = Vec::with_capacity(IMPORT_BATCH);
    let mut position = 0_i64;
    while let Some(row) = rows.message().await? {
        position += 1;
        match convert::import_row_from_proto(&row, today) {
            Ok(record) => pending.push((position, record)),
            Err(v) => report.reject(position, row.customer_id, row.period, v.field, v.reason),
        }
        if pending.len() >= IMPORT_BATCH {
            flush(api, std::mem::take(&mut pending), &mut report)
                .await
                .map_err(Status::from)?;
        }
    }
    flush(api, pending, &mut report)
        .await
        .map_err(Status::from)?;
    Ok(Response::new(report.finish()))
}

async fn flush(
    api: &ProfileApi,
    batch: Vec<(i64, Consumption)>,
    report: &mut Report,
) -> Result<(), Error> {
    if batch.is_empty() {
        return Ok(());
    }
    let count = batch.len() as i64;
    let (stale, unknown) = consumption::import_batch(api.db.conn(), batch, api.clock.now()).await?;
    report.accepted += count - unknown.len() as i64;
    for (position, record) in unknown {
        let (id, period) = (
            record.customer_id().to_string(),
            record.period().to_string(),
        );
        report.reject(
            position,
            id,
            period,
            "customer_id".into(),
            "no such customer".into(),
        );
    }
    cached::invalidate(api, stale).await;
    Ok(())
}

#[derive(Default)]
struct Report {
    accepted: i64,
    rejected: i64,
    rejections: Vec<pb::RejectedRow>,
}

impl Report {
    /// Unknown customers are found a batch later than bad rows, so rejections arrive out of
    /// row order; the first 1,000 by row are kept.
    fn reject(
        &mut self,
        row: i64,
        customer_id: String,
        period: String,
        field: String,
        reason: String,
    ) {
        self.rejected += 1;
        self.rejections.push(pb::RejectedRow {
            row,
            customer_id,
            period,
            field,
            reason,
        });
        if self.rejections.len() > 2 * MAX_REJECTIONS {
            self.keep_first();
        }
    }

    fn keep_first(&mut self) {
        self.rejections.sort_by_key(|r| r.row);
        self.rejections.truncate(MAX_REJECTIONS);
    }

    fn finish(mut self) -> pb::ImportConsumptionResponse {
        self.keep_first();
        pb::ImportConsumptionResponse {
            accepted: self.accepted,
            rejected: self.rejected,
            rejections: self.rejections,
        }
    }
}
