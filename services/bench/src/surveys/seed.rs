//! The store the run measures: `count` responses given over the last 90 days, written through
//! the survey's history import (`answers::import_history`, the store's bulk import; submitting a million through the API would take longer than
//! the run) and left for the roller, as the import leaves them. Each is built as SubmitResponse
//! builds one: answers checked against the scenario's latest stored version, scored with the
//! policy's peak weight against the default baselines, judged for a follow-up with the policy's
//! thresholds. A detraction 90 days old has long been delivered, so its follow-up stands OPENED
//! with a complaint of its own, as the relay would have left it.
//!
//! The spread, by turn and by draw: the four seeded scenarios four, three, two and one in ten
//! (hall visits most); 500 staff members, ten at each of 50 halls, one drawn per response;
//! tiers in a hall's proportions; each scenario answered over its own channel; ten responses
//! per customer, so a chunk's customers are its own and each gets one satisfaction upsert;
//! times uniform over the 90 days up to `now`. Every moment is rated four times in five, the
//! end moment always (so every response has a peak-end), mostly 4 and 5; one staff member in 25
//! serves worse, so reports and alerts have something to find.

use std::time::Instant;

use anyhow::Context;
use chrono::{DateTime, TimeDelta, Utc};
use rand::Rng;
use vipcare_storage::Database;
use vipcare_survey::answers::Answered;
use vipcare_survey::domain::{Response, Scenario, SurveyChannel, SurveyContext, SurveyPolicy};
use vipcare_survey::store::{FollowUpState, StoredResponse, scenarios, stored_time};

use vipcare_suite::demo::surveys::pick;

use crate::seed::TIERS;

/// How far back responses go.
pub(crate) const DAYS: i64 = 90;
pub(crate) const HALLS: u64 = 50;
pub(crate) const STAFF: u64 = 500;
/// Responses per customer: a chunk holds its customers' every response.
const PER_CUSTOMER: u64 = 10;
/// Responses built and imported per transaction (a multiple of [`PER_CUSTOMER`]).
const CHUNK: u64 = 5_000;
const _: () = assert!(CHUNK.is_multiple_of(PER_CUSTOMER));

/// The seeded scenarios by turn of ten: what a hall's survey desk sees most.
const SCENARIOS: [&str; 10] = [
    "HALL_VISIT",
    "HALL_VISIT",
    "HALL_VISIT",
    "HALL_VISIT",
    "PHONE_SMS",
    "PHONE_SMS",
    "PHONE_SMS",
    "ON_SITE_VISIT",
    "ON_SITE_VISIT",
    "VIP_EVENT",
];
/// The scenario every SubmitResponse and report of the run is about: the most answered.
pub(crate) const REPORTED: &str = "HALL_VISIT";

/// Weights of scores 1 to 5: most customers are satisfied.
const SCORES: [u32; 5] = [3, 5, 15, 42, 35];
/// ... and at the desk of one staff member in 25, fewer.
const POOR_SCORES: [u32; 5] = [10, 15, 25, 30, 20];
/// Weights of NPS 0 to 10.
const NPS: [u32; 11] = [1, 1, 1, 1, 1, 2, 3, 8, 15, 30, 37];

/// What was loaded.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Seeded {
    pub count: u64,
    pub customers: u64,
    /// Responses whose follow-up was opened.
    pub detractors: u64,
    pub seconds: f64,
}

/// Who answered what, where and when: everything of a response but the answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Turn {
    pub scenario: &'static str,
    pub customer: String,
    pub hall: String,
    pub staff: String,
    pub tier: &'static str,
    pub channel: SurveyChannel,
    pub at: DateTime<Utc>,
}

impl Turn {
    /// Response `i`, given within the [`DAYS`] up to `now`.
    pub(crate) fn of(i: u64, now: DateTime<Utc>, rng: &mut impl Rng) -> Turn {
        let scenario = SCENARIOS[(i % SCENARIOS.len() as u64) as usize];
        let staff = rng.random_range(0..STAFF);
        let back = rng.random_range(0..TimeDelta::days(DAYS).num_milliseconds());
        Turn {
            scenario,
            customer: format!("bench-{:09}", i / PER_CUSTOMER),
            hall: hall(staff),
            staff: format!("E{:04}", staff),
            tier: TIERS[rng.random_range(0..TIERS.len())],
            channel: channel_of(scenario, rng),
            at: stored_time(now - TimeDelta::milliseconds(back)),
        }
    }
}

/// Staff member `staff`'s hall: ten at each.
pub(crate) fn hall(staff: u64) -> String {
    format!("H{:03}", staff % HALLS)
}

/// How each scenario is answered: at the hall's pad, by SMS or hotline, to the account
/// manager, on the event's web page.
fn channel_of(scenario: &str, rng: &mut impl Rng) -> SurveyChannel {
    match scenario {
        "HALL_VISIT" => SurveyChannel::Hall,
        "PHONE_SMS" if rng.random_bool(0.5) => SurveyChannel::Sms,
        "PHONE_SMS" => SurveyChannel::Hotline,
        "ON_SITE_VISIT" => SurveyChannel::AccountManager,
        _ => SurveyChannel::Web,
    }
}

/// A customer's answers to `scenario` about `staff`: (moment code, score) in journey order,
/// and an NPS.
pub(crate) fn answers(
    scenario: &Scenario,
    staff: &str,
    rng: &mut impl Rng,
) -> (Vec<(String, i32)>, i32) {
    let poor = staff
        .trim_start_matches('E')
        .parse::<u64>()
        .is_ok_and(|n| n.is_multiple_of(25));
    let weights = if poor { &POOR_SCORES } else { &SCORES };
    let end = &scenario.end_moment().code;
    let mut scores = Vec::new();
    for m in scenario.moments() {
        if &m.code == end || rng.random_bool(0.8) {
            scores.push((m.code.clone(), pick(weights, rng) as i32 + 1));
        }
    }
    (scores, pick(&NPS, rng) as i32)
}

/// Loads `count` responses given over the [`DAYS`] up to `now`, scored under `policy`.
pub(super) async fn load(
    db: &Database,
    count: u64,
    now: DateTime<Utc>,
    policy: &SurveyPolicy,
) -> anyhow::Result<Seeded> {
    let started = Instant::now();
    let mut latest = Vec::new();
    for code in SCENARIOS {
        if !latest.iter().any(|s: &Scenario| s.code() == code) {
            let stored = scenarios::latest(db.conn(), code).await;
            latest.push(
                stored
                    .with_context(|| format!("the seeded scenario {code}"))?
                    .scenario,
            );
        }
    }
    let mut seeded = Seeded {
        count,
        customers: count.div_ceil(PER_CUSTOMER),
        ..Seeded::default()
    };
    let mut rng = rand::rng();
    for first in (0..count).step_by(CHUNK as usize) {
        let batch = (first..count.min(first + CHUNK))
            .map(|i| {
                let turn = Turn::of(i, now, &mut rng);
                let scenario = latest.iter().find(|s| s.code() == turn.scenario);
                let scenario = scenario.context("a scenario of the spread")?;
                build(&turn, scenario, policy, &mut rng)
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        seeded.detractors += batch
            .iter()
            .filter(|r| r.follow_up.detraction.is_some())
            .count() as u64;
        vipcare_survey::answers::import_history(db.conn(), &batch)
            .await
            .context("importing responses")?;
    }
    seeded.seconds = started.elapsed().as_secs_f64();
    Ok(seeded)
}

/// The response of `turn` as SubmitResponse stores it, its follow-up delivered.
pub(crate) fn build(
    turn: &Turn,
    scenario: &Scenario,
    policy: &SurveyPolicy,
    rng: &mut impl Rng,
) -> anyhow::Result<StoredResponse> {
    let (scores, nps) = answers(scenario, &turn.staff, rng);
    let response = Response::new(scenario, &scores, &[], Some(nps), "")
        .map_err(|refused| anyhow::anyhow!("a response was refused: {refused:?}"))?;
    let who = Answered {
        customer_id: &turn.customer,
        tier: turn.tier,
        account_manager: None,
        context: SurveyContext {
            hall_id: Some(turn.hall.clone()),
            staff_id: Some(turn.staff.clone()),
            ..SurveyContext::default()
        },
        channel: turn.channel,
        invitation_id: None,
        at: turn.at,
    };
    let mut stored = vipcare_survey::answers::from_history(&response, who, policy, "SURVEY-DESK");
    if stored.follow_up.detraction.is_some() {
        let complaint_id = uuid::Uuid::now_v7().to_string();
        stored.follow_up.state = FollowUpState::Opened { complaint_id };
    }
    Ok(stored)
}

#[cfg(test)]
#[path = "seed_tests.rs"]
mod tests;
