//! Scheduled work that runs once across replicas (the monthly tier run). Every replica runs a
//! [`Scheduler`]; each fire time of the schedule is a row in `scheduled_fires`, and only the
//! replica whose insert (or take-over) of that row succeeded starts the job. The job's answer
//! is recorded with the row, so an operator can see what each fire did.
//!
//! - A fire whose starter died before recording its answer is taken over once its claim is
//!   older than the lease, so the work is never lost; a job must therefore be safe to start
//!   twice (the tier run refuses a second run of a period under way).
//! - A fire missed while every replica was down runs when one comes back, however long that
//!   took (only the latest; the ones before it are past help). Fires from before the schedule
//!   was put in force (a new installation, a changed expression) never run: `schedules`
//!   remembers since when each job's expression holds.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use sea_orm::ConnectionTrait;
use sea_orm_migration::prelude::*;
use vipcare_domain::{Clock, Schedule};

use crate::{Database, StorageError, statement};

/// How long a claim keeps other replicas off a fire whose job has not answered.
const LEASE: Duration = Duration::from_secs(300);
/// Between two looks when the next fire is far: a claim whose holder died is taken over
/// within this of its lease running out.
const POLL: Duration = Duration::from_secs(30);

/// The job a fire starts: its answer (what it did, say the run it started) or why it could
/// not start, which leaves the fire to be tried again.
pub type Job =
    Arc<dyn Fn(DateTime<Utc>) -> BoxFuture<'static, Result<String, String>> + Send + Sync>;

/// One job on one schedule, as every replica runs it.
pub struct Scheduler {
    db: Database,
    name: String,
    schedule: Schedule,
    clock: Arc<dyn Clock>,
    holder: String,
    job: Job,
}

impl std::fmt::Debug for Scheduler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scheduler")
            .field("name", &self.name)
            .field("schedule", &self.schedule.text())
            .finish()
    }
}

/// What a look at the schedule found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fired {
    /// Nothing was due, or another replica has the due fire.
    Nothing,
    /// This replica started the fire at this time; the job answered this.
    Started { fire: DateTime<Utc>, answer: String },
    /// This replica claimed the fire but the job could not start: tried again after the lease.
    Failed { fire: DateTime<Utc>, reason: String },
}

impl Scheduler {
    pub fn new(
        db: Database,
        name: impl Into<String>,
        schedule: Schedule,
        clock: Arc<dyn Clock>,
        job: Job,
    ) -> Scheduler {
        Scheduler {
            db,
            name: name.into(),
            schedule,
            clock,
            holder: holder_id(),
            job,
        }
    }

    /// Looks at the schedule until the task is dropped: at each fire time, and every
    /// [`POLL`] between them.
    pub async fn run(self: Arc<Self>) {
        loop {
            match self.fire_due().await {
                Ok(Fired::Nothing) => {}
                Ok(Fired::Started { fire, answer }) => {
                    tracing::info!(job = %self.name, %fire, %answer, "scheduled work started");
                }
                Ok(Fired::Failed { fire, reason }) => {
                    tracing::warn!(job = %self.name, %fire, %reason, "scheduled work could not start; it is tried again after its lease");
                }
                Err(err) => {
                    tracing::warn!(job = %self.name, %err, "cannot read the schedule's fires; trying again");
                }
            }
            let now = self.clock.now();
            let wait = self
                .schedule
                .next_after(now)
                .and_then(|next| (next - now).to_std().ok())
                .map_or(POLL, |until| until.min(POLL));
            tokio::time::sleep(wait).await;
        }
    }

    /// Starts the latest due fire if no replica has started it (and it is not from before
    /// the schedule held).
    pub async fn fire_due(&self) -> Result<Fired, StorageError> {
        let now = self.clock.now();
        let since = self.in_force_since(now).await?;
        let Some(fire) = self.schedule.latest_until(now) else {
            return Ok(Fired::Nothing);
        };
        if fire < since || !self.claim(fire, now).await? {
            return Ok(Fired::Nothing);
        }
        match (self.job)(fire).await {
            Ok(answer) => {
                self.record(fire, &answer).await?;
                Ok(Fired::Started { fire, answer })
            }
            Err(reason) => Ok(Fired::Failed { fire, reason }),
        }
    }

    /// Since when this job's expression holds: the first replica to run it records the time;
    /// a changed expression starts anew.
    async fn in_force_since(&self, now: DateTime<Utc>) -> Result<DateTime<Utc>, StorageError> {
        let conn = self.db.conn();
        conn.execute_raw(statement(
            conn,
            "INSERT INTO schedules (job, expression, since_ms) VALUES ($1, $2, $3) \
             ON CONFLICT (job) DO UPDATE SET expression = excluded.expression, \
             since_ms = excluded.since_ms WHERE schedules.expression <> excluded.expression",
            [
                self.name.clone().into(),
                self.schedule.text().into(),
                now.timestamp_millis().into(),
            ],
        ))
        .await?;
        let row = conn
            .query_one_raw(statement(
                conn,
                "SELECT since_ms FROM schedules WHERE job = $1",
                [self.name.clone().into()],
            ))
            .await?
            .ok_or_else(|| StorageError::Unavailable("the schedule's row is gone".into()))?;
        let since: i64 = row.try_get("", "since_ms")?;
        Ok(DateTime::from_timestamp_millis(since).unwrap_or(now))
    }

    /// Takes `fire` for this replica: a fire nobody took, or one whose taker never answered
    /// within the lease.
    async fn claim(&self, fire: DateTime<Utc>, now: DateTime<Utc>) -> Result<bool, StorageError> {
        let conn = self.db.conn();
        let lapsed = now - chrono::Duration::from_std(LEASE).unwrap_or_default();
        let claimed = conn
            .query_all_raw(statement(
                conn,
                "INSERT INTO scheduled_fires (job, fire_ms, holder, claimed_ms) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (job, fire_ms) DO UPDATE \
                 SET holder = excluded.holder, claimed_ms = excluded.claimed_ms \
                 WHERE scheduled_fires.answer IS NULL AND scheduled_fires.claimed_ms < $5 \
                 RETURNING holder",
                [
                    self.name.clone().into(),
                    fire.timestamp_millis().into(),
                    self.holder.clone().into(),
                    now.timestamp_millis().into(),
                    lapsed.timestamp_millis().into(),
                ],
            ))
            .await?;
        Ok(!claimed.is_empty())
    }

    async fn record(&self, fire: DateTime<Utc>, answer: &str) -> Result<(), StorageError> {
        let conn = self.db.conn();
        conn.execute_raw(statement(
            conn,
            "UPDATE scheduled_fires SET answer = $1, answered_ms = $2 \
             WHERE job = $3 AND fire_ms = $4 AND holder = $5",
            [
                answer.into(),
                self.clock.now().timestamp_millis().into(),
                self.name.clone().into(),
                fire.timestamp_millis().into(),
                self.holder.clone().into(),
            ],
        ))
        .await?;
        Ok(())
    }
}

/// Who holds a claim: random per process, so replicas need no configured identity.
fn holder_id() -> String {
    format!("{:032x}", rand::random::<u128>())
}

pub(crate) struct ScheduleTables;

impl MigrationName for ScheduleTables {
    fn name(&self) -> &str {
        "m0000_vipcare_shared_schedules"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for ScheduleTables {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use crate::schema::{int, maybe_int, maybe_text, text};
        manager
            .create_table(
                Table::create()
                    .table("schedules")
                    .if_not_exists()
                    .col(text("job").primary_key())
                    .col(text("expression"))
                    .col(int("since_ms"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("scheduled_fires")
                    .if_not_exists()
                    .col(text("job"))
                    .col(int("fire_ms"))
                    .col(text("holder"))
                    .col(int("claimed_ms"))
                    .col(maybe_text("answer"))
                    .col(maybe_int("answered_ms"))
                    .primary_key(Index::create().col("job").col("fire_ms"))
                    .to_owned(),
            )
            .await
    }
}
