//! The roll-ups: every response counted exactly once however many rollers run at once, and a
//! report folded from them equal to the one the domain folds from the raw responses.

use std::collections::BTreeMap;

use chrono::TimeDelta;
use vipcare_storage::Database;
use vipcare_survey::domain::{GroupBy, Rollup, SurveyChannel, Tally};
use vipcare_survey::store::report::{self, Days};
use vipcare_survey::store::{StoredResponse, day_of, import, rollup};

use crate::harness::{Answer, now, stores, submit};

const MOMENTS: [&str; 7] = [
    "PHONE_APPOINTMENT",
    "ARRIVAL",
    "RECEPTION",
    "BUSINESS_HANDLING",
    "SELF_SERVICE",
    "HANDSET_PURCHASE",
    "LEAVING_HALL",
];

/// `n` varied answers over three days: partial ones, ones without NPS, halls and staff known
/// or not, four tiers and two channels; each with its checked response.
fn varied(n: u64) -> Vec<(vipcare_survey::domain::Response, StoredResponse)> {
    let mut seed = 7_u64;
    let mut next = move |below: u64| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) % below
    };
    (0..n)
        .map(|i| {
            let mut answer = Answer::new(&format!("c-{}", i % 40));
            answer.scores.clear();
            for code in MOMENTS {
                if next(4) != 0 {
                    answer.scores.push((code, 1 + next(5) as i32));
                }
            }
            if answer.scores.is_empty() {
                answer.scores.push(("ARRIVAL", 3));
            }
            answer.nps = (next(3) != 0).then(|| next(11) as i32);
            answer.hall = (next(5) != 0).then(|| format!("hall-{}", next(3)));
            answer.staff = (next(4) != 0).then(|| format!("staff-{}", next(4)));
            answer.tier = ["DIAMOND", "PLATINUM", "GOLD", "SILVER"][next(4) as usize];
            answer.channel = [SurveyChannel::Hall, SurveyChannel::Web][next(2) as usize];
            let at = now() + TimeDelta::minutes(next(3 * 24 * 60) as i64);
            answer.at(at).build(&format!("r-{i:04}"))
        })
        .collect()
}

async fn roll_all(db: &Database, batch: u64) -> u64 {
    let mut counted = 0;
    loop {
        match rollup::roll(db.conn(), batch).await.expect("a pass") {
            0 => return counted,
            n => counted += n,
        }
    }
}

fn days() -> Days {
    Days {
        first: day_of(now()),
        last: day_of(now() + TimeDelta::days(4)),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_rollers_count_each_response_once_and_reports_match_the_raw_responses() {
    let answers = varied(400);
    for store in stores().await {
        let (label, db) = (store.label, &store.db);
        let (submitted, imported) = answers.split_at(150);
        for (_, r) in submitted {
            submit(db, r).await;
        }
        let imported: Vec<StoredResponse> = imported.iter().map(|(_, r)| r.clone()).collect();
        assert_eq!(
            import::insert_many(db.conn(), &imported).await.unwrap(),
            250
        );

        let (a, b) = tokio::join!(roll_all(db, 9), roll_all(db, 9));
        assert_eq!(a + b, 400, "{label}: {a} + {b}");
        assert_eq!(roll_all(db, 9).await, 0, "{label}: nothing left");

        // The domain's fold of the raw responses, per hall ("" for none) and over all.
        let mut whole = Rollup::default();
        let mut by_hall: BTreeMap<String, Rollup> = BTreeMap::new();
        for (response, r) in &answers {
            whole.add(response, &r.score);
            let hall = r.context.hall_id.clone().unwrap_or_default();
            by_hall.entry(hall).or_default().add(response, &r.score);
        }
        let all = report::report(db.conn(), "HALL_VISIT", days(), None)
            .await
            .unwrap();
        assert_eq!(
            all,
            BTreeMap::from([(String::new(), whole.clone())]),
            "{label}"
        );
        let halls = report::report(db.conn(), "HALL_VISIT", days(), Some(GroupBy::Hall))
            .await
            .unwrap();
        assert_eq!(halls, by_hall, "{label}");

        let windows = report::baseline_windows(db.conn(), "HALL_VISIT", days())
            .await
            .unwrap();
        assert_eq!(windows, whole.moments, "{label}");

        let trend = report::trend(db.conn(), Some("HALL_VISIT"), days(), None)
            .await
            .unwrap();
        // 72 hours from 09:00 on the first day touch four calendar days.
        assert_eq!(trend.len(), 4, "{label}: a point per day with responses");
        let responses: u64 = trend.iter().map(|d| d.responses).sum();
        assert_eq!(responses, 400, "{label}");
        let scores = trend.iter().fold(Tally::default(), |mut t, d| {
            t.merge(d.scores);
            t
        });
        let moments = whole.moments.values().fold(Tally::default(), |mut t, m| {
            t.merge(*m);
            t
        });
        assert_eq!(scores, moments, "{label}");

        let groups = report::recent_groups(db.conn(), None, &[GroupBy::Staff], days())
            .await
            .unwrap();
        let staff_arrivals: u64 = groups
            .iter()
            .filter(|g| g.moment == "ARRIVAL")
            .map(|g| g.tally.n)
            .sum();
        let expected = answers
            .iter()
            .filter(|(_, r)| r.context.staff_id.is_some())
            .filter(|(resp, _)| resp.rated_moment("ARRIVAL").is_some())
            .count() as u64;
        assert_eq!(staff_arrivals, expected, "{label}: known staff only");
    }
}
