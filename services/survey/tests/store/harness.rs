//! A migrated, seeded survey store per configured backend, and responses built as the service
//! builds them (checked against a seeded scenario, scored, judged for a follow-up) at a fixed
//! "now".

use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::TransactionTrait;
use vipcare_storage::Database;
use vipcare_survey::domain::{
    JourneyScore, PeakWeight, Response, SurveyChannel, SurveyContext, Thresholds, seed,
};
use vipcare_survey::store::{FollowUp, Migrator, StoredResponse, responses, scenarios};
use vipcare_testkit::TestEnv;

/// The tests' "now": 09:00 on a Monday in Shanghai.
pub fn now() -> DateTime<Utc> {
    "2026-03-02T01:00:00Z".parse().expect("a time")
}

pub fn minutes(n: i64) -> TimeDelta {
    TimeDelta::minutes(n)
}

/// One migrated store; the environment (and its PostgreSQL database) lives as long as it.
pub struct Store {
    pub label: &'static str,
    pub db: Database,
    _env: TestEnv,
}

/// A fresh migrated store, the study's scenarios seeded, on every configured backend.
pub async fn stores() -> Vec<Store> {
    let mut stores = Vec::new();
    for env in TestEnv::all().await {
        let db = env.database("survey").await;
        db.migrate::<Migrator>()
            .await
            .expect("the survey schema migrates");
        scenarios::ensure_seeded(db.conn(), now())
            .await
            .expect("the scenarios are seeded");
        stores.push(Store {
            label: env.label,
            db,
            _env: env,
        });
    }
    stores
}

/// What a customer answers to the seeded HALL_VISIT.
#[derive(Debug, Clone)]
pub struct Answer {
    pub customer: String,
    pub scores: Vec<(&'static str, i32)>,
    pub nps: Option<i32>,
    pub hall: Option<String>,
    pub staff: Option<String>,
    pub tier: &'static str,
    pub channel: SurveyChannel,
    pub at: DateTime<Utc>,
}

impl Answer {
    /// Every moment 4, the end 5, NPS 9, at hall-1 with staff-1, now.
    pub fn new(customer: &str) -> Answer {
        Answer {
            customer: customer.to_owned(),
            scores: vec![
                ("PHONE_APPOINTMENT", 4),
                ("ARRIVAL", 4),
                ("RECEPTION", 4),
                ("BUSINESS_HANDLING", 4),
                ("LEAVING_HALL", 5),
            ],
            nps: Some(9),
            hall: Some("hall-1".into()),
            staff: Some("staff-1".into()),
            tier: "GOLD",
            channel: SurveyChannel::Hall,
            at: now(),
        }
    }

    pub fn at(self, at: DateTime<Utc>) -> Answer {
        Answer { at, ..self }
    }

    /// An unhappy end: a detractor.
    pub fn unhappy(self) -> Answer {
        let mut scores = self.scores.clone();
        for (code, score) in &mut scores {
            if *code == "LEAVING_HALL" || *code == "BUSINESS_HANDLING" {
                *score = 1;
            }
        }
        Answer {
            scores,
            nps: Some(3),
            ..self
        }
    }

    /// The checked response and the stored one, scored with every baseline at 4.0.
    pub fn build(&self, id: &str) -> (Response, StoredResponse) {
        let scenario = seed::scenario("HALL_VISIT").expect("seeded");
        let scores: Vec<(String, i32)> = self
            .scores
            .iter()
            .map(|(c, s)| ((*c).to_owned(), *s))
            .collect();
        let response = Response::new(&scenario, &scores, &[], self.nps, "还行")
            .expect("the test's answers are valid");
        let score = JourneyScore::of(&response, &|_| 4.0, PeakWeight::default());
        let detraction = Thresholds::default().detraction(&score, response.nps());
        let stored = StoredResponse {
            response_id: id.to_owned(),
            customer_id: self.customer.clone(),
            scenario_code: scenario.code().to_owned(),
            scenario_version: scenario.version(),
            invitation_id: None,
            context: SurveyContext {
                hall_id: self.hall.clone(),
                staff_id: self.staff.clone(),
                ..SurveyContext::default()
            },
            channel: self.channel,
            tier: self.tier.to_owned(),
            submit_time: self.at,
            attribute_scores: response.attribute_scores().to_vec(),
            nps: response.nps(),
            comment: response.comment().to_owned(),
            follow_up: FollowUp::of(detraction, self.staff.clone()),
            score,
        };
        (response, stored)
    }
}

/// Stores `r` as SubmitResponse does: in a transaction of its own.
pub async fn submit(db: &Database, r: &StoredResponse) {
    let txn = db.conn().begin().await.expect("a transaction");
    responses::insert(&txn, r)
        .await
        .expect("the response is stored");
    txn.commit().await.expect("it commits");
}

/// Builds and stores `answer` as response `id`.
pub async fn answered(db: &Database, id: &str, answer: Answer) -> StoredResponse {
    let (_, stored) = answer.build(id);
    submit(db, &stored).await;
    stored
}
