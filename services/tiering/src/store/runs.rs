//! Evaluation runs: one row per run with its counts, cursor and lease (what each decision was
//! made from is kept by `snapshots`).
//! A process working on a run renews its lease with every batch; a run whose lease ran out was
//! abandoned and is claimed again, from its cursor, by whoever finds it first.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, QueryResult};
use vipcare_storage::StorageError;

use super::{ms, statement, time};
use crate::error::Error;

/// A run as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub run_id: String,
    pub period: String,
    pub dry_run: bool,
    /// "RUNNING", "DONE" or "FAILED".
    pub state: String,
    pub policy_version: i64,
    pub counts: Counts,
    /// The last customer id whose batch was written.
    pub cursor: String,
    pub start: DateTime<Utc>,
    pub finish: Option<DateTime<Utc>>,
    pub failure: String,
    pub resumptions: i32,
}

/// What a run has done so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    pub processed: i64,
    pub total: i64,
    pub upgrades: i64,
    pub downgrades: i64,
    pub held: i64,
    pub errors: i64,
}

const COLUMNS: &str = "run_id, period, dry_run, state, policy_version, processed, total, \
    upgrades, downgrades, held, errors, cursor, start_ms, finish_ms, failure, resumptions";

fn run(row: &QueryResult) -> Result<Run, Error> {
    let count = |column: &str| row.try_get::<i64>("", column);
    Ok(Run {
        run_id: row.try_get("", "run_id")?,
        period: row.try_get("", "period")?,
        dry_run: row.try_get("", "dry_run")?,
        state: row.try_get("", "state")?,
        policy_version: row.try_get("", "policy_version")?,
        counts: Counts {
            processed: count("processed")?,
            total: count("total")?,
            upgrades: count("upgrades")?,
            downgrades: count("downgrades")?,
            held: count("held")?,
            errors: count("errors")?,
        },
        cursor: row.try_get("", "cursor")?,
        start: time(row.try_get("", "start_ms")?),
        finish: row.try_get::<Option<i64>>("", "finish_ms")?.map(time),
        failure: row.try_get("", "failure")?,
        resumptions: count("resumptions")? as i32,
    })
}

/// Starts a run holding the lease until `lease_until`. A run of the same period already
/// running refuses the start.
pub async fn start<C: ConnectionTrait>(
    conn: &C,
    new: &Run,
    lease_until: DateTime<Utc>,
) -> Result<(), Error> {
    let sql = format!(
        "INSERT INTO evaluation_runs ({COLUMNS}, lease_until_ms) \
         VALUES ($1, $2, $3, 'RUNNING', $4, 0, $5, 0, 0, 0, 0, '', $6, NULL, '', 0, $7)"
    );
    let inserted = conn
        .execute_raw(statement(
            conn,
            &sql,
            [
                new.run_id.clone().into(),
                new.period.clone().into(),
                new.dry_run.into(),
                new.policy_version.into(),
                new.counts.total.into(),
                ms(new.start).into(),
                ms(lease_until).into(),
            ],
        ))
        .await
        .map_err(StorageError::from);
    match inserted {
        Ok(_) => Ok(()),
        Err(StorageError::UniqueViolation(_)) => match running(conn, &new.period).await? {
            Some(other) => Err(Error::RunInProgress {
                run_id: other.run_id,
                period: other.period,
            }),
            None => Err(Error::Unavailable(
                "the run of this period just ended; retry".into(),
            )),
        },
        Err(err) => Err(err.into()),
    }
}

pub async fn get<C: ConnectionTrait>(conn: &C, run_id: &str) -> Result<Option<Run>, Error> {
    let sql = format!("SELECT {COLUMNS} FROM evaluation_runs WHERE run_id = $1");
    match conn
        .query_one_raw(statement(conn, &sql, [run_id.into()]))
        .await?
    {
        Some(row) => Ok(Some(run(&row)?)),
        None => Ok(None),
    }
}

/// The run of `period` under way, if any.
pub async fn running<C: ConnectionTrait>(conn: &C, period: &str) -> Result<Option<Run>, Error> {
    let sql =
        format!("SELECT {COLUMNS} FROM evaluation_runs WHERE period = $1 AND state = 'RUNNING'");
    match conn
        .query_one_raw(statement(conn, &sql, [period.into()]))
        .await?
    {
        Some(row) => Ok(Some(run(&row)?)),
        None => Ok(None),
    }
}

/// Claims one running run whose lease ran out (its process stopped), or `only` if given and
/// abandoned. The claim is a conditional update, so two claimers never both win.
pub async fn claim_abandoned<C: ConnectionTrait>(
    conn: &C,
    only: Option<&str>,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
) -> Result<Option<Run>, Error> {
    let candidates = conn
        .query_all_raw(statement(
            conn,
            "SELECT run_id FROM evaluation_runs WHERE state = 'RUNNING' AND lease_until_ms < $1 \
             AND ($2 = '' OR run_id = $2) ORDER BY start_ms LIMIT 5",
            [ms(now).into(), only.unwrap_or("").into()],
        ))
        .await?;
    for row in candidates {
        let run_id: String = row.try_get("", "run_id")?;
        let claimed = conn
            .execute_raw(statement(
                conn,
                "UPDATE evaluation_runs SET lease_until_ms = $1, resumptions = resumptions + 1 \
                 WHERE run_id = $2 AND state = 'RUNNING' AND lease_until_ms < $3",
                [
                    ms(lease_until).into(),
                    run_id.clone().into(),
                    ms(now).into(),
                ],
            ))
            .await?;
        if claimed.rows_affected() == 1 {
            return get(conn, &run_id).await;
        }
    }
    Ok(None)
}

/// Gives up a run's lease, still RUNNING from its cursor, so any replica's next look for
/// abandoned runs resumes it.
pub async fn hand_back<C: ConnectionTrait>(conn: &C, run_id: &str) -> Result<(), Error> {
    conn.execute_raw(statement(
        conn,
        "UPDATE evaluation_runs SET lease_until_ms = 0 WHERE run_id = $1 AND state = 'RUNNING'",
        [run_id.into()],
    ))
    .await?;
    Ok(())
}

/// Adds a batch's counts, moves the cursor and renews the lease, inside the batch's
/// transaction, so the counts and the written batch never disagree.
pub async fn advance<C: ConnectionTrait>(
    txn: &C,
    run_id: &str,
    add: Counts,
    cursor: &str,
    lease_until: DateTime<Utc>,
) -> Result<(), Error> {
    txn.execute_raw(statement(
        txn,
        "UPDATE evaluation_runs SET processed = processed + $1, upgrades = upgrades + $2, \
         downgrades = downgrades + $3, held = held + $4, errors = errors + $5, cursor = $6, \
         lease_until_ms = $7, total = CASE WHEN total < processed + $1 THEN processed + $1 \
         ELSE total END WHERE run_id = $8",
        [
            add.processed.into(),
            add.upgrades.into(),
            add.downgrades.into(),
            add.held.into(),
            add.errors.into(),
            cursor.into(),
            ms(lease_until).into(),
            run_id.into(),
        ],
    ))
    .await?;
    Ok(())
}

/// Ends a run: DONE, or FAILED with the reason.
pub async fn finish<C: ConnectionTrait>(
    conn: &C,
    run_id: &str,
    failure: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    conn.execute_raw(statement(
        conn,
        "UPDATE evaluation_runs SET state = $1, failure = $2, finish_ms = $3, \
         total = CASE WHEN $1 = 'DONE' THEN processed ELSE total END WHERE run_id = $4",
        [
            if failure.is_some() { "FAILED" } else { "DONE" }.into(),
            failure.unwrap_or("").into(),
            ms(now).into(),
            run_id.into(),
        ],
    ))
    .await?;
    Ok(())
}
