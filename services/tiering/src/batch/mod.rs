//! Evaluation runs: every customer's value summary streamed from the profile service in id
//! order, evaluated, and written a batch at a time — tier records, history and tier-change
//! notices, the batch's stored decisions and the run's counts and cursor in one transaction.
//! A run that stops half-way (its process died, the profile went away) holds a cursor and a
//! lease; it is resumed from the cursor by whoever claims it once the lease runs out, and
//! evaluating a period again starts from the standing before it, so nothing counts twice.

mod evaluate;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::StreamExt;
use tokio::task::JoinSet;
use vipcare_cache::Cache;
use vipcare_proto::profile::v1::ValueSummary;
use vipcare_storage::Database;

pub use evaluate::{EVALUATION_ACTOR, Evaluated, evaluate};

use crate::domain::{ChurnAssessment, Clock, Decision, Override, Period, Standing, TierRecord};
use crate::error::Error;
use crate::store::runs::{self, Counts, Run};
use crate::store::{history, policies, records};
use crate::upstream::Profile;

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
    clock: Arc<dyn Clock>,
    batch_size: usize,
}

impl std::fmt::Debug for Runner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runner")
            .field("batch_size", &self.batch_size)
            .finish()
    }
}

fn lease_from(now: DateTime<Utc>) -> DateTime<Utc> {
    now + chrono::Duration::from_std(LEASE).unwrap_or_default()
}

impl Runner {
    pub fn new(db: Database, cache: Cache, profile: Profile, clock: Arc<dyn Clock>) -> Runner {
        Runner {
            db,
            cache,
            profile,
            clock,
            batch_size: 2000,
        }
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

    /// Works a run to its end from its cursor.
    async fn drive(self: Arc<Self>, run: Run) {
        let outcome = self.work(&run).await;
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

    async fn work(&self, run: &Run) -> Result<(), Error> {
        let period = Period::parse(&run.period)
            .map_err(|e| Error::Internal(format!("stored run period: {e}")))?;
        let policy = policies::version(self.db.conn(), run.policy_version)
            .await?
            .ok_or_else(|| Error::Internal("the run's policy version is gone".into()))?;
        let mut cursor = run.cursor.clone();
        let mut failures = 0;
        let mut invalidations = JoinSet::new();
        loop {
            let stream = self
                .profile
                .summaries(&cursor, self.batch_size as i32)
                .await;
            let mut stream = match stream {
                Ok(stream) => stream,
                Err(err) => {
                    failures += 1;
                    if failures >= STREAM_ATTEMPTS {
                        return Err(err);
                    }
                    tokio::time::sleep(Duration::from_millis(200 << failures)).await;
                    continue;
                }
            };
            let mut broken = None;
            while let Some(next) = stream.next().await {
                match next {
                    Ok(batch) => {
                        let written = self
                            .write_batch(run, &policy, period, &batch.summaries)
                            .await?;
                        if let Some(last) = batch.summaries.last() {
                            cursor = last.customer_id.clone();
                        }
                        if !written.is_empty() {
                            let cache = self.cache.clone();
                            invalidations.spawn(async move {
                                for id in written {
                                    cache.invalidate(&format!("customer:{id}")).await;
                                }
                            });
                        }
                        failures = 0;
                    }
                    Err(status) => {
                        broken = Some(crate::upstream::stream_error(status));
                        break;
                    }
                }
            }
            match broken {
                None => break,
                Some(err) => {
                    failures += 1;
                    tracing::warn!(run_id = %run.run_id, %err, "summary stream broke; resuming from the cursor");
                    if failures >= STREAM_ATTEMPTS {
                        return Err(err);
                    }
                    tokio::time::sleep(Duration::from_millis(200 << failures)).await;
                }
            }
        }
        while invalidations.join_next().await.is_some() {}
        Ok(())
    }

    /// Evaluates and writes one batch; returns the customers whose shown standing changed.
    async fn write_batch(
        &self,
        run: &Run,
        policy: &policies::StoredPolicy,
        period: Period,
        summaries: &[ValueSummary],
    ) -> Result<Vec<String>, Error> {
        let (Some(first), Some(last)) = (summaries.first(), summaries.last()) else {
            return Ok(Vec::new());
        };
        let conn = self.db.conn();
        let existing = records::range(conn, &first.customer_id, &last.customer_id).await?;
        let now = self.clock.now();
        let mut counts = Counts::default();
        let mut evaluations = Vec::with_capacity(summaries.len());
        let mut updated = Vec::with_capacity(summaries.len());
        let mut changes = Vec::new();
        let mut visible = Vec::new();
        for summary in summaries {
            counts.processed += 1;
            let evaluated = match evaluate(
                &policy.policy,
                policy.version,
                existing.get(&summary.customer_id),
                summary,
                period,
                now,
            ) {
                Ok(evaluated) => evaluated,
                Err(behind) => {
                    tracing::debug!(customer_id = %summary.customer_id, %behind, "not evaluated");
                    counts.errors += 1;
                    continue;
                }
            };
            match evaluated.decision {
                Decision::Upgrade => counts.upgrades += 1,
                Decision::Downgrade => counts.downgrades += 1,
                Decision::HoldGrace | Decision::HoldAtRisk => counts.held += 1,
                Decision::Unchanged | Decision::Overridden => {}
            }
            evaluations.push(evaluated.evaluation);
            let before = existing.get(&summary.customer_id);
            if before.is_none_or(|b| shown(b) != shown(&evaluated.record)) {
                visible.push(summary.customer_id.clone());
            }
            updated.push(evaluated.record);
            changes.extend(evaluated.change);
        }
        let txn = sea_orm::TransactionTrait::begin(conn).await?;
        if !run.dry_run {
            records::upsert(&txn, &updated, records::Part::Evaluation).await?;
            history::record(&txn, &policy.policy, &changes).await?;
        }
        runs::store_decisions(&txn, &run.run_id, &evaluations).await?;
        runs::advance(
            &txn,
            &run.run_id,
            counts,
            &last.customer_id,
            lease_from(now),
        )
        .await?;
        txn.commit().await?;
        if run.dry_run {
            return Ok(Vec::new());
        }
        Ok(visible)
    }
}

/// The parts of a record the customer view shows: when they change, cached views are stale.
fn shown(r: &TierRecord) -> (&Standing, f64, &ChurnAssessment, bool, &Option<Override>) {
    (&r.standing, r.score, &r.churn, r.retention_flag, &r.manual)
}
