//! Evaluation runs: every customer's value summary as of the run's period streamed from the
//! profile service in id order, their latest peak-end scores read from the survey service a
//! batch at a time (one call per thousand customers), evaluated, and written a batch at a time
//! — tier records, history and tier-change notices, what the decisions were made from and the
//! run's counts and cursor in one transaction. A few batches are decided and written at once while the stream goes on; they
//! commit in stream order (see `turns`).
//! A run that stops half-way (its process died, the profile or the survey went away) holds a
//! cursor and a lease; it is resumed from the cursor by whoever claims it once the lease runs out, and
//! evaluating a period again starts from the standing before it, so nothing counts twice. A run
//! whose process is stopped hands its lease back at once (`stopping`).

mod evaluate;
mod stopping;
mod turns;
mod write;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::StreamExt;
use vipcare_cache::Cache;
use vipcare_runtime::metrics::{self, Counter};
use vipcare_storage::{Backend, Database};

pub use evaluate::{Decided, EVALUATION_ACTOR, Evaluated, Heard, decide_from, evaluate};

use crate::domain::{Clock, Period};
use crate::error::Error;
use crate::store::policies::{self, StoredPolicy};
use crate::store::runs::{self, Counts, Run};
use crate::survey::Survey;
use crate::upstream::Profile;
use stopping::Stopping;
use turns::Pipeline;

/// How long a run's claim lasts without a written batch.
const LEASE: Duration = Duration::from_secs(60);
/// How often abandoned runs are looked for.
const RESUME_POLL: Duration = Duration::from_secs(15);
/// Attempts to re-open the summary stream before a run is marked FAILED.
const STREAM_ATTEMPTS: u32 = 5;

/// Starts, drives and resumes runs. One per process.
pub struct Runner {
    db: Database,
    cache: Cache,
    profile: Profile,
    survey: Survey,
    clock: Arc<dyn Clock>,
    batch_size: usize,
    /// Batches written at once.
    depth: usize,
    /// Customers written by runs, by what was decided (`vipcare.tiering.run.customers`).
    progress: Counter<u64>,
    stopping: Arc<Stopping>,
}

/// How far a run's reading got.
enum Read {
    /// Every summary was read.
    Done,
    /// The process is stopping: the run is to be handed back.
    Stopped,
}

impl std::fmt::Debug for Runner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runner")
            .field("batch_size", &self.batch_size)
            .field("depth", &self.depth)
            .finish()
    }
}

fn lease_from(now: DateTime<Utc>) -> DateTime<Utc> {
    now + chrono::Duration::from_std(LEASE).unwrap_or_default()
}

impl Runner {
    pub fn new(
        db: Database,
        cache: Cache,
        profile: Profile,
        survey: Survey,
        clock: Arc<dyn Clock>,
    ) -> Runner {
        // A batch holds a connection while it waits for its turn, so one connection is always
        // left for the batch whose turn it is. SQLite has one connection: one batch at a time.
        let depth = match db.backend() {
            Backend::Sqlite => 1,
            Backend::Postgres => (db.pool_size() as usize).saturating_sub(1).clamp(1, 6),
        };
        Runner {
            depth,
            db,
            cache,
            profile,
            survey,
            clock,
            batch_size: 5000,
            progress: metrics::meter()
                .u64_counter("vipcare.tiering.run.customers")
                .with_description(
                    "Customers evaluation runs wrote, by outcome (processed counts them all)",
                )
                .build(),
            stopping: Stopping::new(),
        }
    }

    /// Stops every run this process drives: each reads no further, lets the batches it read
    /// commit and hands its lease back for another replica to resume it from its cursor.
    pub async fn stop(&self) {
        self.stopping.stop().await;
    }

    /// Starts a run of `period` and returns its id at once; the run goes on in the background.
    /// A run of the period already under way is refused, unless it was abandoned: then it is
    /// resumed and its id returned.
    pub async fn start(self: &Arc<Self>, period: Period, dry_run: bool) -> Result<String, Error> {
        let conn = self.db.conn();
        let now = self.clock.now();
        if let Some(running) = runs::running(conn, &period.to_string()).await? {
            let claimed =
                runs::claim_abandoned(conn, Some(&running.run_id), now, lease_from(now)).await?;
            return match claimed {
                Some(run) => {
                    tokio::spawn(self.clone().drive(run));
                    Ok(running.run_id)
                }
                None => Err(Error::RunInProgress {
                    run_id: running.run_id,
                    period: running.period,
                }),
            };
        }
        let policy = policies::current(conn).await?;
        let run = Run {
            run_id: uuid::Uuid::now_v7().to_string(),
            period: period.to_string(),
            dry_run,
            state: "RUNNING".into(),
            policy_version: policy.version,
            counts: Counts::default(),
            cursor: String::new(),
            start: now,
            finish: None,
            failure: String::new(),
            resumptions: 0,
        };
        runs::start(conn, &run, lease_from(now)).await?;
        let run_id = run.run_id.clone();
        tokio::spawn(self.clone().drive(run));
        Ok(run_id)
    }

    /// Claims and resumes abandoned runs until the task is dropped.
    pub async fn resume_abandoned(self: Arc<Self>) {
        loop {
            let now = self.clock.now();
            match runs::claim_abandoned(self.db.conn(), None, now, lease_from(now)).await {
                Ok(Some(run)) => {
                    tracing::info!(run_id = %run.run_id, cursor = %run.cursor, "resuming an abandoned evaluation run");
                    tokio::spawn(self.clone().drive(run));
                    continue;
                }
                Ok(None) => {}
                Err(err) => tracing::warn!(%err, "could not look for abandoned runs"),
            }
            tokio::time::sleep(RESUME_POLL).await;
        }
    }

    /// Works a run to its end from its cursor, or until the process stops.
    async fn drive(self: Arc<Self>, run: Run) {
        let _driving = self.stopping.driving();
        let outcome = self.work(&run).await;
        if let Ok(Read::Stopped) = outcome {
            match runs::hand_back(self.db.conn(), &run.run_id).await {
                Ok(()) => {
                    tracing::info!(run_id = %run.run_id, "evaluation run handed back on stop")
                }
                // The lease runs out instead: nothing is lost, it is resumed later.
                Err(err) => tracing::warn!(run_id = %run.run_id, %err, "could not hand a run back"),
            }
            return;
        }
        let failure = outcome.as_ref().err().map(ToString::to_string);
        if let Some(reason) = &failure {
            tracing::error!(run_id = %run.run_id, %reason, "evaluation run failed");
        }
        let now = self.clock.now();
        if let Err(err) = runs::finish(self.db.conn(), &run.run_id, failure.as_deref(), now).await {
            // The lease runs out and the run is resumed: nothing is lost.
            tracing::error!(run_id = %run.run_id, %err, "could not record the end of a run");
        }
    }

    async fn work(self: &Arc<Self>, run: &Run) -> Result<Read, Error> {
        let period = Period::parse(&run.period)
            .map_err(|e| Error::Internal(format!("stored run period: {e}")))?;
        let policy = policies::version(self.db.conn(), run.policy_version)
            .await?
            .ok_or_else(|| Error::Internal("the run's policy version is gone".into()))?;
        let mut pipeline = Pipeline::new(self.depth);
        let read = self
            .read_all(
                Arc::new(run.clone()),
                Arc::new(policy),
                period,
                &mut pipeline,
            )
            .await;
        // Batches under way finish (or fail) before the run is marked or handed back.
        let written = pipeline.finish().await;
        written.and(read)
    }

    /// Streams the summaries from the run's cursor and hands every batch to the pipeline; a
    /// broken stream is opened again after the last batch received.
    async fn read_all(
        self: &Arc<Self>,
        run: Arc<Run>,
        policy: Arc<StoredPolicy>,
        period: Period,
        pipeline: &mut Pipeline,
    ) -> Result<Read, Error> {
        let mut cursor = run.cursor.clone();
        let mut failures = 0;
        let stop = self.stopping.clone();
        loop {
            let stream = tokio::select! {
                biased;
                () = stop.asked() => return Ok(Read::Stopped),
                stream = self.profile.summaries(&cursor, self.batch_size as i32, period) => stream,
            };
            let mut stream = match stream {
                Ok(stream) => stream,
                Err(err) => {
                    failures += 1;
                    if failures >= STREAM_ATTEMPTS {
                        return Err(err);
                    }
                    if stop.paused(Duration::from_millis(200 << failures)).await {
                        return Ok(Read::Stopped);
                    }
                    continue;
                }
            };
            let mut broken = None;
            loop {
                let next = tokio::select! {
                    biased;
                    () = stop.asked() => return Ok(Read::Stopped),
                    next = stream.next() => next,
                };
                let Some(next) = next else { break };
                match next {
                    Ok(batch) => {
                        if let Some(last) = batch.last() {
                            cursor = last.customer_id.clone();
                        }
                        let (runner, run, policy) = (self.clone(), run.clone(), policy.clone());
                        pipeline
                            .push(move |turn| runner.write_batch(run, policy, period, batch, turn))
                            .await?;
                        failures = 0;
                    }
                    Err(status) => {
                        broken = Some(crate::upstream::stream_error(status));
                        break;
                    }
                }
            }
            match broken {
                None => return Ok(Read::Done),
                Some(err) => {
                    failures += 1;
                    tracing::warn!(run_id = %run.run_id, %err, "summary stream broke; resuming from the cursor");
                    if failures >= STREAM_ATTEMPTS {
                        return Err(err);
                    }
                    if stop.paused(Duration::from_millis(200 << failures)).await {
                        return Ok(Read::Stopped);
                    }
                }
            }
        }
    }
}
