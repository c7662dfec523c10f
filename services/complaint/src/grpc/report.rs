//! GetSlaReport: the complaints opened in the period, read a page at a time and added to the
//! report as they come, judged as of now under the policy in force. Only the tallies are
//! held, so a year of complaints never loads at once. Writes nothing.

use tonic::{Request, Response};
use vipcare_proto::complaint::v1 as pb;

use super::convert::report::{query_from_proto, report_to_proto};
use super::{ComplaintApi, Reply};
use crate::domain::report::{ReportBuilder, ReportedComplaint};
use crate::error::Error;
use crate::store::{policy, report};

/// Complaints read per page.
const PAGE: u64 = 500;

pub async fn get(
    api: &ComplaintApi,
    r: Request<pb::GetSlaReportRequest>,
) -> Reply<pb::GetSlaReportResponse> {
    let query = query_from_proto(r.get_ref()).map_err(Error::Invalid)?;
    let conn = api.db.conn();
    let now = api.clock.now();
    let stored = policy::get(conn).await?;
    let mut builder = ReportBuilder::new(&stored.policy, &stored.calendar, now, query.grouping);
    let mut after = None;
    loop {
        let (page, next) =
            report::page(conn, query.from, query.before, after.as_ref(), PAGE).await?;
        for facts in page {
            let reported = ReportedComplaint::new(
                &facts.stored.complaint,
                &facts.stored.clock,
                &facts.earlier,
                facts.promises,
                facts.compensations,
            );
            builder.add(&reported);
        }
        match next {
            Some(cursor) => after = Some(cursor),
            None => break,
        }
    }
    Ok(Response::new(report_to_proto(&builder.finish())))
}
