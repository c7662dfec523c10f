//! What reports, trends, baselines and alerts read: the daily roll-ups summed over a range of
//! days in one grouped query each, never the responses. Days are the operator's calendar days
//! (Asia/Shanghai), both ends included.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use sea_orm::{ConnectionTrait, QueryResult, Value};

use super::error::corrupt;
use super::rollup::{ALL, PEAK_END_SCALE};
use super::{StoreError, day_from_key, day_key, statement};
use crate::domain::{EndTally, GroupBy, NpsTally, PeakEndTally, Rollup, Tally};

/// A range of days, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Days {
    pub first: NaiveDate,
    pub last: NaiveDate,
}

/// One day of a trend.
#[derive(Debug, Clone, PartialEq)]
pub struct TrendDay {
    pub day: NaiveDate,
    pub responses: u64,
    /// Every rated moment's score: the day's mean score.
    pub scores: Tally,
    pub peak_end: PeakEndTally,
    pub nps: NpsTally,
    pub end: EndTally,
}

/// A moment's scores for one hall or staff member over a range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupTally {
    pub scenario_code: String,
    pub group_kind: GroupBy,
    pub group: String,
    pub moment: String,
    pub tally: Tally,
}

/// The roll-ups' sums as integers on both backends (PostgreSQL sums bigints as numeric).
fn sum(column: &str) -> String {
    format!("CAST(SUM({column}) AS BIGINT) AS {column}")
}

fn count(row: &QueryResult, column: &str) -> Result<u64, StoreError> {
    let n: i64 = row.try_get("", column)?;
    u64::try_from(n).map_err(|e| corrupt(column, e))
}

/// `scenario`'s responses over `days`, merged per group of `by` (`None`: one group, `""`).
pub async fn report<C: ConnectionTrait>(
    conn: &C,
    scenario: &str,
    days: Days,
    by: Option<GroupBy>,
) -> Result<BTreeMap<String, Rollup>, StoreError> {
    let dim = by.map_or(ALL, |g| g.code());
    let values: [Value; 4] = [
        scenario.into(),
        dim.into(),
        day_key(days.first).into(),
        day_key(days.last).into(),
    ];
    let within = "scenario_code = $1 AND dim = $2 AND day >= $3 AND day <= $4";
    let mut groups: BTreeMap<String, Rollup> = BTreeMap::new();
    let sql = format!(
        "SELECT grp, moment_code, {}, {} FROM moment_days WHERE {within} \
         GROUP BY grp, moment_code",
        sum("n"),
        sum("score_sum")
    );
    for row in conn
        .query_all_raw(statement(conn, &sql, values.clone()))
        .await?
    {
        let tally = Tally {
            n: count(&row, "n")?,
            sum: count(&row, "score_sum")?,
        };
        let group = groups.entry(row.try_get("", "grp")?).or_default();
        group.moments.insert(row.try_get("", "moment_code")?, tally);
    }
    let sql = format!("{} WHERE {within} GROUP BY grp", select_journeys("grp"));
    for row in conn.query_all_raw(statement(conn, &sql, values)).await? {
        let day = journey(&row, days.first)?;
        let group = groups.entry(row.try_get("", "grp")?).or_default();
        group.responses = day.responses;
        group.nps = day.nps;
        group.end = day.end;
        group.peak_end = day.peak_end;
    }
    Ok(groups)
}

/// Per day of `days` with responses, in order: of `scenario` (`None`: every scenario), of
/// one hall or staff member when `group` says so.
pub async fn trend<C: ConnectionTrait>(
    conn: &C,
    scenario: Option<&str>,
    days: Days,
    group: Option<(GroupBy, &str)>,
) -> Result<Vec<TrendDay>, StoreError> {
    let (dim, grp) = group.map_or((ALL, ""), |(by, g)| (by.code(), g));
    let mut values: Vec<Value> = vec![
        dim.into(),
        grp.into(),
        day_key(days.first).into(),
        day_key(days.last).into(),
    ];
    let mut sql = format!(
        "{} WHERE dim = $1 AND grp = $2 AND day >= $3 AND day <= $4",
        select_journeys("day")
    );
    if let Some(code) = scenario {
        values.push(code.into());
        sql.push_str(" AND scenario_code = $5");
    }
    sql.push_str(" GROUP BY day ORDER BY day");
    let rows = conn.query_all_raw(statement(conn, &sql, values)).await?;
    rows.iter()
        .map(|row| {
            let day = day_from_key(row.try_get("", "day")?)?;
            journey(row, day)
        })
        .collect()
}

/// Every moment's scores of `scenario` over `days`, all groups together: its baseline window.
pub async fn baseline_windows<C: ConnectionTrait>(
    conn: &C,
    scenario: &str,
    days: Days,
) -> Result<BTreeMap<String, Tally>, StoreError> {
    let sql = format!(
        "SELECT moment_code, {}, {} FROM moment_days WHERE scenario_code = $1 AND dim = $2 \
         AND grp = '' AND day >= $3 AND day <= $4 GROUP BY moment_code",
        sum("n"),
        sum("score_sum")
    );
    let values: [Value; 4] = [
        scenario.into(),
        ALL.into(),
        day_key(days.first).into(),
        day_key(days.last).into(),
    ];
    let rows = conn.query_all_raw(statement(conn, &sql, values)).await?;
    rows.iter()
        .map(|row| {
            let tally = Tally {
                n: count(row, "n")?,
                sum: count(row, "score_sum")?,
            };
            Ok((row.try_get("", "moment_code")?, tally))
        })
        .collect()
}

/// Each known hall's or staff member's (as `kinds` asks) scores per moment over `days`, of
/// `scenario` (`None`: every scenario): what alerts compare with the baselines.
pub async fn recent_groups<C: ConnectionTrait>(
    conn: &C,
    scenario: Option<&str>,
    kinds: &[GroupBy],
    days: Days,
) -> Result<Vec<GroupTally>, StoreError> {
    if kinds.is_empty() {
        return Ok(Vec::new());
    }
    let mut values: Vec<Value> = vec![day_key(days.first).into(), day_key(days.last).into()];
    let mut dims = Vec::new();
    for kind in kinds {
        values.push(kind.code().into());
        dims.push(format!("${}", values.len()));
    }
    let mut sql = format!(
        "SELECT scenario_code, dim, grp, moment_code, {}, {} FROM moment_days \
         WHERE day >= $1 AND day <= $2 AND dim IN ({}) AND grp <> ''",
        sum("n"),
        sum("score_sum"),
        dims.join(", ")
    );
    if let Some(code) = scenario {
        values.push(code.into());
        sql.push_str(&format!(" AND scenario_code = ${}", values.len()));
    }
    sql.push_str(" GROUP BY scenario_code, dim, grp, moment_code");
    let rows = conn.query_all_raw(statement(conn, &sql, values)).await?;
    rows.iter()
        .map(|row| {
            let dim: String = row.try_get("", "dim")?;
            Ok(GroupTally {
                scenario_code: row.try_get("", "scenario_code")?,
                group_kind: GroupBy::from_code(&dim).ok_or_else(|| corrupt("dimension", &dim))?,
                group: row.try_get("", "grp")?,
                moment: row.try_get("", "moment_code")?,
                tally: Tally {
                    n: count(row, "n")?,
                    sum: count(row, "score_sum")?,
                },
            })
        })
        .collect()
}

/// `SELECT <key>, <every journey sum> FROM journey_days`.
fn select_journeys(key: &str) -> String {
    let sums: Vec<String> = [
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
    ]
    .iter()
    .map(|c| sum(c))
    .collect();
    format!("SELECT {key}, {} FROM journey_days", sums.join(", "))
}

/// The journey sums of `row`, dated `day`.
fn journey(row: &QueryResult, day: NaiveDate) -> Result<TrendDay, StoreError> {
    let peak_end_sum: i64 = row.try_get("", "peak_end_sum")?;
    Ok(TrendDay {
        day,
        responses: count(row, "responses")?,
        scores: Tally {
            n: count(row, "score_n")?,
            sum: count(row, "score_sum")?,
        },
        peak_end: PeakEndTally {
            n: count(row, "peak_end_n")?,
            sum: peak_end_sum as f64 / PEAK_END_SCALE,
        },
        nps: NpsTally {
            promoters: count(row, "nps_promoters")?,
            passives: count(row, "nps_passives")?,
            detractors: count(row, "nps_detractors")?,
        },
        end: EndTally {
            n: count(row, "end_n")?,
            satisfied: count(row, "end_satisfied")?,
        },
    })
}
