//! The roller: folds responses not yet counted into the daily roll-ups reports read, so
//! SubmitResponse writes one row and a 90-day report reads a few thousand. A response waits in
//! the `unrolled` queue from the transaction that stores it ([`queue`]). A pass takes up to
//! `batch` queued responses, adds them per (scenario, day, dimension, group, moment) to what
//! the roll-ups hold, and takes them off the queue, in one transaction: a response is counted
//! exactly once however many replicas roll at once. On PostgreSQL the queue's rows are claimed
//! `FOR UPDATE SKIP LOCKED`, so a second roller takes other rows instead of waiting; SQLite
//! has one writer, so passes run one after the other.
//!
//! Each response is counted under `ALL` and under its hall, staff member, tier and channel
//! (a hall or staff member not known is the group `''`). Peak-end sums are kept in
//! thousandths, so merged days are exact integers.

use std::collections::BTreeMap;

use sea_orm::{ConnectionTrait, QueryResult, TransactionTrait};
use vipcare_storage::bulk::BulkInsert;
use vipcare_storage::one_of;

use super::codec::moment_scores;
use super::{StoreError, settle, statement};
use crate::domain::{EndTally, GroupBy, NpsTally, Tally};

/// The dimension every response is counted under whole.
pub const ALL: &str = "ALL";

/// Peak-end scores are summed in thousandths of a point.
pub const PEAK_END_SCALE: f64 = 1000.0;

/// Responses read or taken off the queue per statement: a bound value each on SQLite, under
/// its limit.
const CHUNK: usize = 500;

/// (scenario, day, dimension, group).
type DayGroup = (String, i64, &'static str, String);

/// What one (scenario, day, dimension, group) adds.
#[derive(Debug, Default)]
struct DayTally {
    responses: u64,
    scores: Tally,
    peak_end_n: u64,
    peak_end_milli: i64,
    nps: NpsTally,
    end: EndTally,
    moments: BTreeMap<String, Tally>,
}

/// Puts `responses` (id, when given), stored in the same transaction `conn`, in the roller's
/// queue.
pub(super) async fn queue<C: ConnectionTrait>(
    conn: &C,
    responses: &[(&str, i64)],
) -> Result<(), StoreError> {
    let mut insert = BulkInsert::new("unrolled", &["response_id", "submit_ms"]);
    for (id, submit_ms) in responses {
        insert.row([(*id).into(), (*submit_ms).into()]);
    }
    insert.execute(conn).await?;
    Ok(())
}

/// Counts up to `batch` responses not yet counted; returns how many. 0: none are left.
pub async fn roll<C: ConnectionTrait + TransactionTrait>(
    conn: &C,
    batch: u64,
) -> Result<u64, StoreError> {
    let txn = conn.begin().await?;
    let result = async {
        let lock = match txn.get_database_backend() {
            sea_orm::DbBackend::Postgres => "FOR UPDATE SKIP LOCKED",
            _ => "",
        };
        // Oldest first: responses given close together add to few roll-up rows.
        let sql =
            format!("SELECT response_id FROM unrolled ORDER BY submit_ms LIMIT {batch} {lock}");
        let queued = txn.query_all_raw(statement(&txn, &sql, [])).await?;
        let ids = queued
            .iter()
            .map(|row| row.try_get::<String>("", "response_id"))
            .collect::<Result<Vec<_>, _>>()?;
        let mut days: BTreeMap<DayGroup, DayTally> = BTreeMap::new();
        for chunk in ids.chunks(CHUNK) {
            let chunk: Vec<&str> = chunk.iter().map(String::as_str).collect();
            let (which, values) = one_of(&txn, "response_id", 1, &chunk);
            let sql = format!(
                "SELECT scenario_code, day, hall_id, staff_id, tier, channel, moment_scores, \
                 nps, end_score, peak_end FROM responses WHERE {which}"
            );
            for row in txn.query_all_raw(statement(&txn, &sql, values)).await? {
                count(&row, &mut days)?;
            }
        }
        write(&txn, &days).await?;
        for chunk in ids.chunks(CHUNK) {
            let chunk: Vec<&str> = chunk.iter().map(String::as_str).collect();
            let (which, values) = one_of(&txn, "response_id", 1, &chunk);
            let sql = format!("DELETE FROM unrolled WHERE {which}");
            txn.execute_raw(statement(&txn, &sql, values)).await?;
        }
        Ok(ids.len() as u64)
    }
    .await;
    settle(txn, result).await
}

/// Adds the response of `row` to `days` under every dimension.
fn count(row: &QueryResult, days: &mut BTreeMap<DayGroup, DayTally>) -> Result<(), StoreError> {
    let scenario: String = row.try_get("", "scenario_code")?;
    let day: i64 = row.try_get("", "day")?;
    let hall: Option<String> = row.try_get("", "hall_id")?;
    let staff: Option<String> = row.try_get("", "staff_id")?;
    let scores = moment_scores(&row.try_get::<String>("", "moment_scores")?)?;
    let nps: Option<i64> = row.try_get("", "nps")?;
    let end: Option<i64> = row.try_get("", "end_score")?;
    let peak_end: Option<f64> = row.try_get("", "peak_end")?;
    let groups = [
        (ALL, String::new()),
        (GroupBy::Hall.code(), hall.unwrap_or_default()),
        (GroupBy::Staff.code(), staff.unwrap_or_default()),
        (GroupBy::Tier.code(), row.try_get("", "tier")?),
        (GroupBy::Channel.code(), row.try_get("", "channel")?),
    ];
    for (dim, group) in groups {
        let t = days.entry((scenario.clone(), day, dim, group)).or_default();
        t.responses += 1;
        for (code, score) in &scores {
            t.scores.add(*score);
            t.moments.entry(code.clone()).or_default().add(*score);
        }
        if let Some(pe) = peak_end {
            t.peak_end_n += 1;
            t.peak_end_milli += (pe * PEAK_END_SCALE).round() as i64;
        }
        if let Some(nps) = nps {
            t.nps.add(nps.clamp(0, 10) as u8);
        }
        if let Some(end) = end {
            t.end.add(end.clamp(1, 5) as u8);
        }
    }
    Ok(())
}

/// Adds `days` to the roll-ups. Rows go in key order, so two rollers adding to the same rows
/// take their locks in the same order and wait for each other rather than deadlock.
async fn write<C: ConnectionTrait>(
    conn: &C,
    days: &BTreeMap<DayGroup, DayTally>,
) -> Result<(), StoreError> {
    let key = ["scenario_code", "day", "dim", "grp"];
    let mut moments = BulkInsert::new(
        "moment_days",
        &[&key[..], &["moment_code", "n", "score_sum"]].concat(),
    )
    .then(
        "ON CONFLICT (scenario_code, dim, day, grp, moment_code) DO UPDATE SET \
         n = moment_days.n + excluded.n, score_sum = moment_days.score_sum + excluded.score_sum",
    );
    let sums = [
        "responses",
        "score_n",
        "score_sum",
        "peak_end_n",
        "peak_end_sum",
        "nps_promoters",
        "nps_passives",
        "nps_detractors",
        "end_n",
        "end_satisfied",
    ];
    let adds: Vec<String> = sums
        .iter()
        .map(|c| format!("{c} = journey_days.{c} + excluded.{c}"))
        .collect();
    let mut journeys =
        BulkInsert::new("journey_days", &[&key[..], &sums[..]].concat()).then(&format!(
            "ON CONFLICT (scenario_code, dim, day, grp) DO UPDATE SET {}",
            adds.join(", ")
        ));
    let int = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
    for ((scenario, day, dim, group), t) in days {
        for (moment, tally) in &t.moments {
            moments.row([
                scenario.clone().into(),
                (*day).into(),
                (*dim).into(),
                group.clone().into(),
                moment.clone().into(),
                int(tally.n).into(),
                int(tally.sum).into(),
            ]);
        }
        journeys.row([
            scenario.clone().into(),
            (*day).into(),
            (*dim).into(),
            group.clone().into(),
            int(t.responses).into(),
            int(t.scores.n).into(),
            int(t.scores.sum).into(),
            int(t.peak_end_n).into(),
            t.peak_end_milli.into(),
            int(t.nps.promoters).into(),
            int(t.nps.passives).into(),
            int(t.nps.detractors).into(),
            int(t.end.n).into(),
            int(t.end.satisfied).into(),
        ]);
    }
    moments.execute(conn).await?;
    journeys.execute(conn).await?;
    Ok(())
}
