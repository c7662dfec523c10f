use vipcare_survey::domain::seed;

use super::*;

fn now() -> DateTime<Utc> {
    "2026-12-01T08:00:00Z".parse().unwrap()
}

fn customers() -> Vec<(String, String)> {
    (0..1_200)
        .map(|i| (format!("C{i:04}"), "GOLD".to_owned()))
        .collect()
}

fn history() -> Vec<StoredResponse> {
    generate(
        &seed::scenarios(),
        &SurveyPolicy::default(),
        &customers(),
        now(),
        "SURVEY-DESK",
    )
    .expect("every demo answer is accepted")
}

/// Mean of the front desk's scores (reception, business handling) of hall visits `at` a hall
/// and `within` the last days or before.
fn front_desk_mean(all: &[StoredResponse], hall: &str, last_week: bool) -> f64 {
    let scores: Vec<f64> = all
        .iter()
        .filter(|r| r.context.hall_id.as_deref() == Some(hall))
        .filter(|r| (now() - r.submit_time < TimeDelta::days(7)) == last_week)
        .flat_map(|r| r.score.rated.iter())
        .filter(|m| matches!(m.code.as_str(), "RECEPTION" | "BUSINESS_HANDLING"))
        .map(|m| f64::from(m.score))
        .collect();
    assert!(scores.len() >= 5, "{hall}: enough scores for an alert");
    scores.iter().sum::<f64>() / scores.len() as f64
}

#[test]
fn the_same_answers_on_every_load_over_the_last_ninety_days() {
    let first = history();
    assert_eq!(first.len(), RESPONSES);
    let again = history();
    let scores = |h: &[StoredResponse]| h.iter().map(|r| r.score.clone()).collect::<Vec<_>>();
    assert_eq!(scores(&first), scores(&again), "a fixed seed");
    assert!(
        first
            .iter()
            .all(|r| r.submit_time <= now() && now() - r.submit_time <= TimeDelta::days(DAYS))
    );
    let oldest = first.iter().map(|r| r.submit_time).min().unwrap();
    assert!(
        now() - oldest > TimeDelta::days(80),
        "spread over the window"
    );
}

#[test]
fn every_answer_has_a_peak_end_and_few_are_detractions() {
    let all = history();
    assert!(all.iter().all(|r| r.score.peak_end.is_ok()));
    let detractions = all
        .iter()
        .filter(|r| r.follow_up.detraction.is_some())
        .count();
    assert!(
        (1..all.len() / 5).contains(&detractions),
        "{detractions} follow-ups of {}",
        all.len()
    );
    // Owned by the staff member rated: every demo answer names one.
    assert!(
        all.iter()
            .filter(|r| r.follow_up.detraction.is_some())
            .all(|r| r.follow_up.owner == r.context.staff_id)
    );
}

#[test]
fn the_slipping_hall_falls_well_below_its_usual_front_desk_this_week() {
    let all = history();
    let usual = front_desk_mean(&all, SLIPPING_HALL, false);
    let this_week = front_desk_mean(&all, SLIPPING_HALL, true);
    assert!(
        usual - this_week > 0.6,
        "usual {usual:.2}, this week {this_week:.2}: an alert at 0.3 below"
    );
    let elsewhere = front_desk_mean(&all, "H01", true);
    assert!(
        (usual - elsewhere).abs() < 0.4,
        "other halls keep their level: {elsewhere:.2}"
    );
}
