//! The monthly evaluation run on its schedule (`tiering.evaluation_schedule`): at each fire
//! time one replica starts a run of the month that had ended by then, as RunEvaluation would,
//! so it shows in GetEvaluationRun like a manual run. A run of that month already under way
//! counts as started (it is resumed if its process died); a run that cannot start (the
//! database away) leaves the fire to be tried again.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use chrono_tz::Asia::Shanghai;
use vipcare_domain::Schedule;
use vipcare_storage::Database;
use vipcare_storage::schedule::{Job, Scheduler};

use crate::batch::Runner;
use crate::domain::{Clock, Period};
use crate::error::Error;

/// The name its fires are recorded under (`scheduled_fires.job`).
pub const JOB: &str = "tiering.evaluation_run";

/// The scheduler every replica runs for the evaluation run.
pub fn evaluation_runs(
    db: Database,
    schedule: Schedule,
    clock: Arc<dyn Clock>,
    runner: Arc<Runner>,
) -> Scheduler {
    let job: Job = Arc::new(move |fire| {
        let runner = runner.clone();
        Box::pin(async move {
            let period = ended_by(fire);
            match runner.start(period, false).await {
                Ok(run_id) => Ok(format!("run {run_id} of {period}")),
                Err(Error::RunInProgress { run_id, .. }) => {
                    Ok(format!("run {run_id} of {period} was already under way"))
                }
                Err(err) => Err(err.to_string()),
            }
        })
    });
    Scheduler::new(db, JOB, schedule, clock, job)
}

/// The latest month that had ended at `fire`, on the operator's calendar.
pub fn ended_by(fire: DateTime<Utc>) -> Period {
    Period::of(fire.with_timezone(&Shanghai).date_naive()).previous()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fire_evaluates_the_month_that_ended_in_shanghai() {
        // 02:00 on December 1st in Shanghai is still November 30th in UTC.
        let fire: DateTime<Utc> = "2026-11-30T18:00:00Z".parse().unwrap();
        assert_eq!(ended_by(fire).to_string(), "2026-11");
        let mid_month: DateTime<Utc> = "2026-11-15T04:00:00Z".parse().unwrap();
        assert_eq!(ended_by(mid_month).to_string(), "2026-10");
    }
}
