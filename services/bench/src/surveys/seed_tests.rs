use std::collections::BTreeMap;

use rand::SeedableRng;
use rand::rngs::StdRng;
use vipcare_survey::domain::seed;

use super::*;

fn now() -> DateTime<Utc> {
    "2026-03-04T07:30:00Z".parse().unwrap()
}

#[test]
fn scenarios_come_four_three_two_one_in_ten() {
    let mut rng = StdRng::seed_from_u64(7);
    let mut seen: BTreeMap<&str, u32> = BTreeMap::new();
    for i in 0..1_000 {
        *seen
            .entry(Turn::of(i, now(), &mut rng).scenario)
            .or_default() += 1;
    }
    assert_eq!(seen["HALL_VISIT"], 400);
    assert_eq!(seen["PHONE_SMS"], 300);
    assert_eq!(seen["ON_SITE_VISIT"], 200);
    assert_eq!(seen["VIP_EVENT"], 100);
    // Every seeded scenario is one the service stores.
    for code in seen.keys() {
        assert!(seed::scenario(code).is_some(), "{code}");
    }
}

#[test]
fn responses_spread_over_the_90_days_and_every_hall_and_staff_member() {
    let mut rng = StdRng::seed_from_u64(11);
    let (mut halls, mut staff, mut days) = (BTreeMap::new(), BTreeMap::new(), BTreeMap::new());
    for i in 0..50_000 {
        let turn = Turn::of(i, now(), &mut rng);
        assert!(
            turn.at <= now() && turn.at > now() - TimeDelta::days(DAYS),
            "{turn:?}"
        );
        let staff_no: u64 = turn.staff[1..].parse().unwrap();
        assert_eq!(
            turn.hall,
            hall(staff_no),
            "a staff member works at one hall"
        );
        *halls.entry(turn.hall).or_insert(0) += 1;
        *staff.entry(turn.staff).or_insert(0) += 1;
        *days.entry((now() - turn.at).num_days()).or_insert(0) += 1;
    }
    assert_eq!(halls.len() as u64, HALLS);
    assert_eq!(staff.len() as u64, STAFF);
    assert_eq!(days.len() as i64, DAYS);
    // Uniform: no day holds twice its share (555 of 50,000).
    assert!(days.values().all(|n| *n > 300 && *n < 1_100), "{days:?}");
}

#[test]
fn a_chunk_holds_every_response_of_its_customers() {
    let mut rng = StdRng::seed_from_u64(3);
    let mut customer = |i| Turn::of(i, now(), &mut rng).customer;
    assert_eq!(customer(CHUNK - 1), customer(CHUNK - PER_CUSTOMER));
    assert_ne!(customer(CHUNK - 1), customer(CHUNK));
}

#[test]
fn every_response_is_scored_with_a_peak_end_and_detractors_are_followed_up() {
    let mut rng = StdRng::seed_from_u64(5);
    let policy = SurveyPolicy::default();
    let scenarios = seed::scenarios();
    let mut detractors = 0;
    for i in 0..2_000 {
        let turn = Turn::of(i, now(), &mut rng);
        let scenario = scenarios
            .iter()
            .find(|s| s.code() == turn.scenario)
            .unwrap();
        let r = build(&turn, scenario, &policy, &mut rng).unwrap();
        assert!(r.score.peak_end.is_ok(), "the end moment is always rated");
        assert_eq!(r.context.staff_id.as_deref(), Some(turn.staff.as_str()));
        match (&r.follow_up.detraction, &r.follow_up.state) {
            (Some(_), FollowUpState::Opened { .. }) => {
                detractors += 1;
                assert_eq!(r.follow_up.owner.as_deref(), Some(turn.staff.as_str()));
            }
            (None, FollowUpState::None) => {}
            other => panic!("response {i}: {other:?}"),
        }
    }
    // Mostly satisfied, yet enough detractors for the follow-up list: 5% to 40%.
    assert!((100..800).contains(&detractors), "{detractors}");
}

#[test]
fn poor_desks_score_lower() {
    let mut rng = StdRng::seed_from_u64(9);
    let scenario = seed::scenario(REPORTED).unwrap();
    let mean = |staff: &str, rng: &mut StdRng| {
        let (mut n, mut sum) = (0, 0);
        for _ in 0..2_000 {
            for (_, score) in answers(&scenario, staff, rng).0 {
                n += 1;
                sum += score;
            }
        }
        f64::from(sum) / f64::from(n)
    };
    let (poor, usual) = (mean("E0025", &mut rng), mean("E0026", &mut rng));
    assert!(poor + 0.3 < usual, "{poor} vs {usual}");
    let (scores, nps) = answers(&scenario, "E0001", &mut rng);
    assert_eq!(scores.last().unwrap().0, scenario.end_moment().code);
    assert!((0..=10).contains(&nps));
}
