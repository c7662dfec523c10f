//! Survey answers for the demo population: 2,400 over the last 90 days, so the moment reports,
//! trends, baselines and alerts show something real the minute the suite is up. The API
//! answers only now (SubmitResponse cannot backdate), so the history goes in as a migration
//! from another survey tool would: the survey crate's own import, each answer scored as the
//! service scores one, its detractions' follow-ups in the outbox of the same transaction (the
//! complaint service opens them). Loaded once: a store that has answers gets none.
//!
//! The spread, from a fixed seed: hall visits half of the answers, calls and messages a
//! quarter, on-site visits and VIP events the rest; six halls with four staff each; most
//! customers satisfied. In the last 7 days hall H03's reception and business handling slip
//! (more 2s and 3s), which ListAlerts reports against the 90-day baselines.

use chrono::{DateTime, TimeDelta, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use vipcare_storage::Database;
use vipcare_survey::answers::{self, Answered};
use vipcare_survey::domain::{Response, Scenario, SurveyChannel, SurveyContext, SurveyPolicy};
use vipcare_survey::store::{StoredResponse, policy, responses, scenarios};

use super::DemoError;

/// Answers the demo loads.
pub const RESPONSES: usize = 2_400;
/// How far back they go.
const DAYS: i64 = 90;
/// The hall whose front desk slips in the last week.
pub const SLIPPING_HALL: &str = "H03";
const HALLS: usize = 6;
const STAFF_PER_HALL: usize = 4;
/// The seeded scenarios, in tenths of the answers.
const MIX: [(&str, usize); 4] = [
    ("HALL_VISIT", 5),
    ("PHONE_SMS", 3),
    ("ON_SITE_VISIT", 1),
    ("VIP_EVENT", 1),
];
/// Weights of scores 1 to 5: most customers are satisfied.
const SCORES: [u32; 5] = [1, 3, 12, 44, 40];
/// ... at the slipping hall's front desk this week.
const SLIPPING: [u32; 5] = [2, 20, 38, 30, 10];
/// Weights of NPS 0 to 10.
const NPS: [u32; 11] = [1, 1, 1, 1, 1, 1, 2, 8, 16, 30, 38];
/// The seed of the spread: the same answers on every machine.
const SEED: u64 = 20_261_201;

/// Who a generated answer is about.
#[derive(Debug, Clone, PartialEq)]
pub struct Turn {
    pub scenario: &'static str,
    pub customer: usize,
    pub hall: String,
    pub staff: String,
    pub at: DateTime<Utc>,
}

/// Imports the history into the survey store unless it has answers; returns how many went in.
pub async fn load_unless_present(
    settings: &vipcare_survey::Settings,
    customers: &[(String, String)],
    now: DateTime<Utc>,
) -> Result<usize, DemoError> {
    let failed = |err: &dyn std::fmt::Display| DemoError::Survey(err.to_string());
    if customers.is_empty() {
        return Ok(0);
    }
    let db = Database::connect(&settings.database, &settings.data_dir, "survey")
        .await
        .map_err(|e| failed(&e))?;
    if responses::any(db.conn()).await.map_err(|e| failed(&e))? {
        return Ok(0);
    }
    let starting = settings.survey.starting_policy().map_err(|e| failed(&e))?;
    let policy = policy::get(db.conn(), &starting)
        .await
        .map_err(|e| failed(&e))?
        .policy;
    let mut journeys = Vec::new();
    for (code, _) in MIX {
        let stored = scenarios::latest(db.conn(), code).await;
        journeys.push(stored.map_err(|e| failed(&e))?.scenario);
    }
    let history = generate(
        &journeys,
        &policy,
        customers,
        now,
        &settings.survey.follow_up_desk,
    )
    .map_err(|e| failed(&e))?;
    answers::import_history(db.conn(), &history)
        .await
        .map_err(|e| failed(&e))?;
    Ok(history.len())
}

/// The demo's answers: `customers` as (id, tier), the scenarios as stored.
pub fn generate(
    journeys: &[Scenario],
    policy: &SurveyPolicy,
    customers: &[(String, String)],
    now: DateTime<Utc>,
    desk: &str,
) -> Result<Vec<StoredResponse>, String> {
    let mut rng = StdRng::seed_from_u64(SEED);
    (0..RESPONSES)
        .map(|i| {
            let turn = turn(i, customers.len(), now, &mut rng);
            let journey = journeys
                .iter()
                .find(|s| s.code() == turn.scenario)
                .ok_or_else(|| format!("scenario {} is not stored", turn.scenario))?;
            let (scores, nps) = answers_of(journey, &turn, now, &mut rng);
            let response = Response::new(journey, &scores, &[], nps, "")
                .map_err(|refused| format!("a demo answer was refused: {refused:?}"))?;
            let (customer_id, tier) = &customers[turn.customer];
            let who = Answered {
                customer_id,
                tier,
                account_manager: None,
                context: SurveyContext {
                    hall_id: (turn.scenario == "HALL_VISIT").then(|| turn.hall.clone()),
                    staff_id: Some(turn.staff.clone()),
                    ..SurveyContext::default()
                },
                channel: channel_of(turn.scenario, i),
                invitation_id: None,
                at: turn.at,
            };
            Ok(answers::from_history(&response, who, policy, desk))
        })
        .collect()
}

/// Answer `i`: its scenario by the mix, a customer, a member of staff and their hall, a time
/// within the last [`DAYS`].
pub fn turn(i: usize, customers: usize, now: DateTime<Utc>, rng: &mut impl Rng) -> Turn {
    let tenth = i % 10;
    let mut upto = 0;
    let scenario = MIX
        .iter()
        .find(|(_, tenths)| {
            upto += tenths;
            tenth < upto
        })
        .map_or("HALL_VISIT", |(code, _)| code);
    let staff = rng.random_range(0..HALLS * STAFF_PER_HALL);
    let back = rng.random_range(0..TimeDelta::days(DAYS).num_seconds());
    Turn {
        scenario,
        customer: rng.random_range(0..customers),
        hall: format!("H{:02}", staff / STAFF_PER_HALL + 1),
        staff: format!("E{}", 1001 + staff),
        at: now - TimeDelta::seconds(back),
    }
}

/// Scores of the moments the customer went through (every one four times in five, the end
/// always) and an NPS (four answers in five).
fn answers_of(
    journey: &Scenario,
    turn: &Turn,
    now: DateTime<Utc>,
    rng: &mut impl Rng,
) -> (Vec<(String, i32)>, Option<i32>) {
    let end = &journey.end_moment().code;
    let slipping = turn.hall == SLIPPING_HALL
        && turn.scenario == "HALL_VISIT"
        && now - turn.at < TimeDelta::days(7);
    let mut scores = Vec::new();
    for moment in journey.moments() {
        if &moment.code == end || rng.random_bool(0.8) {
            let front_desk = matches!(moment.code.as_str(), "RECEPTION" | "BUSINESS_HANDLING");
            let weights = if slipping && front_desk {
                &SLIPPING
            } else {
                &SCORES
            };
            scores.push((moment.code.clone(), pick(weights, rng) as i32 + 1));
        }
    }
    let nps = rng.random_bool(0.8).then(|| pick(&NPS, rng) as i32);
    (scores, nps)
}

/// How each scenario is answered: at the hall's pad, by SMS or on the hotline, to the account
/// manager, on the event's page.
fn channel_of(scenario: &str, i: usize) -> SurveyChannel {
    match scenario {
        "HALL_VISIT" => SurveyChannel::Hall,
        "PHONE_SMS" if i.is_multiple_of(2) => SurveyChannel::Sms,
        "PHONE_SMS" => SurveyChannel::Hotline,
        "ON_SITE_VISIT" => SurveyChannel::AccountManager,
        _ => SurveyChannel::Web,
    }
}

/// An index drawn by `weights` (the survey benchmark draws its answers by it too).
pub fn pick(weights: &[u32], rng: &mut impl Rng) -> usize {
    let mut draw = rng.random_range(0..weights.iter().sum::<u32>());
    for (i, w) in weights.iter().enumerate() {
        if draw < *w {
            return i;
        }
        draw -= w;
    }
    weights.len() - 1
}

#[cfg(test)]
#[path = "surveys_tests.rs"]
mod tests;
