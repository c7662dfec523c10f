//! One batch of a run: read the batch's tier records and latest peak-end scores (the survey
//! service's, one call per thousand customers; the batch fails if the survey cannot answer,
//! see `crate::survey`), decide every customer, and write in one
//! transaction the records that changed, the history and notices of every change of the tier
//! in force, what each decision was made from, the run's counts and cursor, and the cache tags
//! of the customers whose views changed (bumped after the commit).

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use sea_orm::TransactionTrait;
use vipcare_runtime::metrics::KeyValue;
use vipcare_storage::invalidation;

use super::turns::Turn;
use super::{Heard, Runner, evaluate, lease_from};
use crate::domain::{
    Basis, ChurnAssessment, Decision, Override, PeakEnd, Period, Standing, SurveyAnswer,
    TierChange, TierRecord, ValueSummary,
};
use crate::error::Error;
use crate::grpc::customer_tag;
use crate::store::policies::StoredPolicy;
use crate::store::runs::{self, Counts, Run};
use crate::store::snapshots;
use crate::store::{history, records};

/// What deciding a batch produced, ready to be written.
#[derive(Default)]
struct Decided {
    counts: Counts,
    /// Records whose stored form changes (a re-run of a period changes none).
    records: Vec<TierRecord>,
    changes: Vec<TierChange>,
    bases: Vec<Basis>,
    /// Customers whose cached views show something that changed.
    stale: Vec<String>,
}

fn decide_batch(
    policy: &StoredPolicy,
    period: Period,
    existing: &HashMap<String, TierRecord>,
    peak_ends: &HashMap<String, PeakEnd>,
    summaries: Vec<ValueSummary>,
    now: DateTime<Utc>,
) -> Decided {
    let mut out = Decided {
        bases: Vec::with_capacity(summaries.len()),
        records: Vec::with_capacity(summaries.len()),
        ..Decided::default()
    };
    for summary in summaries {
        out.counts.processed += 1;
        let before = existing.get(&summary.customer_id);
        let evaluated = match evaluate(
            &policy.policy,
            policy.version,
            before,
            &summary,
            period,
            now,
            Heard {
                survey: SurveyAnswer::Latest(peak_ends.get(&summary.customer_id).copied()),
                service: None,
            },
        ) {
            Ok(evaluated) => evaluated,
            Err(behind) => {
                tracing::debug!(customer_id = %summary.customer_id, %behind, "not evaluated");
                out.counts.errors += 1;
                continue;
            }
        };
        match evaluated.decision() {
            Decision::Upgrade => out.counts.upgrades += 1,
            Decision::Downgrade => out.counts.downgrades += 1,
            Decision::HoldGrace | Decision::HoldAtRisk => out.counts.held += 1,
            Decision::Unchanged | Decision::Overridden => {}
        }
        if before.is_none_or(|b| shown(b) != shown(&evaluated.record)) {
            out.stale.push(customer_tag(&summary.customer_id));
        }
        out.bases.push(evaluated.basis(summary, now));
        out.changes.extend(evaluated.change);
        if before.is_none_or(|b| !same_but_time(b, &evaluated.record)) {
            out.records.push(evaluated.record);
        }
    }
    out
}

/// The parts of a record the customer view shows: when they change, cached views are stale.
fn shown(r: &TierRecord) -> (&Standing, f64, &ChurnAssessment, bool, &Option<Override>) {
    (&r.standing, r.score, &r.churn, r.retention_flag, &r.manual)
}

/// Equal but for when it was last written: writing it again would change nothing a reader sees.
fn same_but_time(a: &TierRecord, b: &TierRecord) -> bool {
    // Spelled out (not a clone with `updated` copied over) so a new field cannot be missed.
    let TierRecord {
        customer_id,
        standing,
        since,
        score,
        last_period,
        base,
        base_since,
        churn,
        retention_flag,
        policy_version,
        manual,
        updated: _,
    } = a;
    *customer_id == b.customer_id
        && *standing == b.standing
        && *since == b.since
        && *score == b.score
        && *last_period == b.last_period
        && *base == b.base
        && *base_since == b.base_since
        && *churn == b.churn
        && *retention_flag == b.retention_flag
        && *policy_version == b.policy_version
        && *manual == b.manual
}

impl Runner {
    /// What a committed batch decided, for the progress operators watch.
    fn count(&self, counts: &Counts, dry_run: bool) {
        let dry_run = KeyValue::new("dry_run", dry_run);
        for (outcome, n) in [
            ("processed", counts.processed),
            ("upgrade", counts.upgrades),
            ("downgrade", counts.downgrades),
            ("held", counts.held),
            ("error", counts.errors),
        ] {
            if n > 0 {
                self.progress.add(
                    n as u64,
                    &[KeyValue::new("outcome", outcome), dry_run.clone()],
                );
            }
        }
    }

    /// Decides and writes one batch, committing in its turn.
    pub(super) async fn write_batch(
        self: Arc<Self>,
        run: Arc<Run>,
        policy: Arc<StoredPolicy>,
        period: Period,
        summaries: Vec<ValueSummary>,
        mut turn: Turn,
    ) -> Result<(), Error> {
        let (Some(first), Some(last)) = (summaries.first(), summaries.last()) else {
            turn.wait().await?;
            turn.done();
            return Ok(());
        };
        let cursor = last.customer_id.clone();
        let conn = self.db.conn();
        let ids: Vec<&str> = summaries.iter().map(|s| s.customer_id.as_str()).collect();
        let (existing, peak_ends) = tokio::try_join!(
            records::range(conn, &first.customer_id, &cursor),
            self.survey.latest_of(&ids),
        )?;
        let now = self.clock.now();
        let decided = decide_batch(&policy, period, &existing, &peak_ends, summaries, now);
        let txn = conn.begin().await?;
        let mut stale = None;
        if !run.dry_run {
            records::upsert(&txn, &decided.records, records::Part::Evaluation).await?;
            history::record(&txn, &decided.changes, &|c| {
                crate::reminder::notice_payload(c, &policy.policy)
            })
            .await?;
            // One more bulk statement per batch: the views it changed, replayed if the bump
            // after the commit never reaches the cache.
            stale = Some(invalidation::record(&txn, &decided.stale).await?);
        }
        snapshots::store(&txn, &run.run_id, &decided.bases).await?;
        turn.wait().await?;
        let counts = decided.counts;
        runs::advance(&txn, &run.run_id, counts, &cursor, lease_from(now)).await?;
        txn.commit().await?;
        turn.done();
        self.count(&counts, run.dry_run);
        if let Some(stale) = stale {
            invalidation::settle(conn, stale, &self.cache.invalidator()).await;
        }
        Ok(())
    }
}
