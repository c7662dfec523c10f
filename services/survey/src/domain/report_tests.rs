use super::*;
use crate::domain::{JourneyScore, PeakWeight, Response, seed};

fn hall() -> Scenario {
    seed::scenario("HALL_VISIT").unwrap()
}

/// A response's (moment, score) pairs and its NPS answer.
type Answers<'a> = (&'a [(&'a str, i32)], Option<i32>);

/// Folds responses into a roll-up, as a day's job does.
fn rollup(scenario: &Scenario, responses: &[Answers]) -> Rollup {
    let mut rollup = Rollup::default();
    for (pairs, nps) in responses {
        let scores: Vec<(String, i32)> = pairs.iter().map(|(m, s)| ((*m).to_owned(), *s)).collect();
        let response = Response::new(scenario, &scores, &[], *nps, "").unwrap();
        let score = JourneyScore::of(&response, &|_| 4.0, PeakWeight::default());
        rollup.add(&response, &score);
    }
    rollup
}

#[test]
fn moments_fall_into_the_grid_around_the_crosshair() {
    // HALL_VISIT: mean importance 4.00. Important: PHONE_APPOINTMENT (4.21),
    // BUSINESS_HANDLING (4.30), LEAVING_HALL (4.15). Not: SELF_SERVICE (3.71), ARRIVAL (3.82).
    let scenario = hall();
    let rollup = rollup(
        &scenario,
        &[
            (
                &[
                    ("PHONE_APPOINTMENT", 5),
                    ("BUSINESS_HANDLING", 2),
                    ("SELF_SERVICE", 5),
                    ("ARRIVAL", 3),
                    ("LEAVING_HALL", 4),
                ],
                Some(9),
            ),
            (
                &[
                    ("PHONE_APPOINTMENT", 5),
                    ("BUSINESS_HANDLING", 3),
                    ("SELF_SERVICE", 4),
                    ("ARRIVAL", 2),
                    ("LEAVING_HALL", 5),
                ],
                Some(5),
            ),
        ],
    );
    let report = Report::build(&scenario, &rollup, &|_| 4.0);
    // Means: 5.0, 2.5, 4.5, 2.5, 4.5 → performance line (5 + 2.5 + 4.5 + 2.5 + 4.5) / 5 = 3.8
    assert!((report.performance_line.unwrap() - 3.8).abs() < 1e-9);
    let quadrant = |code: &str| report.row(code).unwrap().quadrant;
    assert_eq!(
        quadrant("PHONE_APPOINTMENT"),
        Some(Quadrant::KeepUpTheGoodWork)
    );
    assert_eq!(
        quadrant("BUSINESS_HANDLING"),
        Some(Quadrant::ConcentrateHere)
    );
    assert_eq!(quadrant("SELF_SERVICE"), Some(Quadrant::PossibleOverkill));
    assert_eq!(quadrant("ARRIVAL"), Some(Quadrant::LowPriority));
    // Nobody rated reception: no quadrant, no mean.
    let reception = report.row("RECEPTION").unwrap();
    assert_eq!(
        (reception.n, reception.mean, reception.quadrant),
        (0, None, None)
    );

    let handling = report.row("BUSINESS_HANDLING").unwrap();
    assert_eq!(handling.n, 2);
    assert!((handling.gap.unwrap() + 1.5).abs() < 1e-9);
    assert_eq!(report.moments.len(), 7);
    assert_eq!(report.responses, 2);
    // NPS: one promoter, one detractor of 2 → 0; CSAT: end scores 4 and 5 → 100%.
    assert_eq!(report.nps, Some(0.0));
    assert_eq!(report.csat, Some(100.0));
    // Peaks: PHONE_APPOINTMENT's 5 both times (2 from neutral, as intense as SELF_SERVICE's 5
    // and LEAVING_HALL's 5, and more important). Peak-end: (0.5·5 + 0.5·4) = 4.5 and
    // (0.5·5 + 0.5·5) = 5.0 → mean 4.75.
    assert_eq!(report.peak_end_mean, Some(4.75));
}

#[test]
fn an_empty_period_reports_nothing_rather_than_zeroes() {
    let scenario = hall();
    let report = Report::build(&scenario, &Rollup::default(), &|_| 4.0);
    assert_eq!(report.performance_line, None);
    assert_eq!(
        (report.nps, report.csat, report.peak_end_mean),
        (None, None, None)
    );
    assert!(report.moments.iter().all(|r| r.quadrant.is_none()));
}

#[test]
fn a_report_over_days_equals_one_over_their_responses() {
    let scenario = hall();
    let day1: &[Answers] = &[(&[("ARRIVAL", 2), ("LEAVING_HALL", 3)], Some(6))];
    let day2: &[Answers] = &[(&[("ARRIVAL", 5), ("LEAVING_HALL", 5)], None)];
    let mut days = rollup(&scenario, day1);
    days.merge(&rollup(&scenario, day2));
    let all = rollup(&scenario, &[day1[0], day2[0]]);
    assert_eq!(
        Report::build(&scenario, &days, &|_| 4.0),
        Report::build(&scenario, &all, &|_| 4.0)
    );
}
