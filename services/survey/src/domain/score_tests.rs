use super::*;
use crate::domain::{Scenario, seed};

#[path = "score_proptests.rs"]
mod proptests;

fn on_site() -> Scenario {
    seed::scenario("ON_SITE_VISIT").unwrap()
}

fn respond(scenario: &Scenario, pairs: &[(&str, i32)]) -> Response {
    let scores: Vec<(String, i32)> = pairs.iter().map(|(m, s)| ((*m).to_owned(), *s)).collect();
    Response::new(scenario, &scores, &[], None, "").unwrap()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-4
}

/// The README's worked example: an on-site visit that went well but for the complaint.
#[test]
fn worked_example_on_site_visit_with_a_bad_complaint_handling() {
    let response = respond(
        &on_site(),
        &[
            ("APPOINTMENT", 5),        // importance 4.62
            ("ARRIVAL", 4),            // 4.38
            ("BUSINESS_HANDLING", 4),  // 4.44
            ("QUESTION_ANSWERING", 4), // 4.66
            ("COMPLAINT_HANDLING", 1), // 4.71
            ("FOLLOW_UP", 4),          // 4.66, the end moment
        ],
    );
    let score = JourneyScore::of(&response, &|_| 4.0, PeakWeight::default());

    // mean = (5 + 4 + 4 + 4 + 1 + 4) / 6 = 22 / 6 = 3.6667
    assert!(close(score.mean.value, 3.6667));
    assert_eq!(score.mean.moments.len(), 6);

    // weighted = (5·4.62 + 4·4.38 + 4·4.44 + 4·4.66 + 1·4.71 + 4·4.66)
    //          / (4.62 + 4.38 + 4.44 + 4.66 + 4.71 + 4.66)
    //          = 100.37 / 27.47 = 3.6538
    assert!(close(score.weighted.value, 3.6538));
    // COMPLAINT_HANDLING weighs 4.71 / 27.47 = 0.1715 of it.
    let complaint = &score.weighted.weights[4];
    assert_eq!(complaint.0, "COMPLAINT_HANDLING");
    assert!(close(complaint.1, 0.1715));

    // peak: APPOINTMENT (5) and COMPLAINT_HANDLING (1) are both 2 from neutral 3;
    // the tie goes to the more important, COMPLAINT_HANDLING (4.71 > 4.62).
    assert_eq!(
        score.peak,
        MomentFigure {
            moment: "COMPLAINT_HANDLING".into(),
            score: 1
        }
    );
    assert_eq!(
        score.end,
        Some(MomentFigure {
            moment: "FOLLOW_UP".into(),
            score: 4
        })
    );

    // peak_end = 0.5·1 + 0.5·4 = 2.5: remembered well below the 3.67 average.
    let peak_end = score.peak_end.clone().unwrap();
    assert!(close(peak_end.value, 2.5));
    assert_eq!(peak_end.peak_moment, "COMPLAINT_HANDLING");
    assert_eq!(peak_end.end_moment, "FOLLOW_UP");
    // peak_end − mean = 2.5 − 3.6667 = −1.1667
    assert!(close(score.peak_end_minus_mean().unwrap(), -1.1667));

    // against a baseline of 4.0 everywhere: COMPLAINT_HANDLING 1 − 4 = −3
    let gap = score
        .gaps
        .iter()
        .find(|g| g.moment == "COMPLAINT_HANDLING")
        .unwrap();
    assert!(close(gap.gap, -3.0));
}

#[test]
fn without_the_end_moment_there_is_no_peak_end_and_the_reason_says_so() {
    let response = respond(&on_site(), &[("APPOINTMENT", 2), ("ARRIVAL", 4)]);
    let score = JourneyScore::of(&response, &|_| 4.0, PeakWeight::default());
    let no = NoPeakEnd::EndMomentNotRated {
        end_moment: "FOLLOW_UP".into(),
    };
    assert_eq!(score.end, None);
    assert_eq!(score.peak_end, Err(no.clone()));
    assert_eq!(score.peak_end_minus_mean(), Err(no));
    assert_eq!(score.peak.moment, "APPOINTMENT");
}

#[test]
fn peak_ties_go_to_the_lower_score_then_the_earlier_moment() {
    // The same importance, 4.66: QUESTION_ANSWERING (5) and FOLLOW_UP (1) are equally intense.
    let response = respond(&on_site(), &[("QUESTION_ANSWERING", 5), ("FOLLOW_UP", 1)]);
    let score = JourneyScore::of(&response, &|_| 4.0, PeakWeight::default());
    assert_eq!(score.peak.moment, "FOLLOW_UP");

    // All alike: the earliest.
    let response = respond(&on_site(), &[("FOLLOW_UP", 3), ("QUESTION_ANSWERING", 3)]);
    let score = JourneyScore::of(&response, &|_| 4.0, PeakWeight::default());
    assert_eq!(score.peak.moment, "QUESTION_ANSWERING");
}

#[test]
fn the_peak_weight_moves_the_blend_between_end_and_peak() {
    let response = respond(&on_site(), &[("COMPLAINT_HANDLING", 1), ("FOLLOW_UP", 5)]);
    let at = |w| {
        let w = PeakWeight::new(w).unwrap();
        JourneyScore::of(&response, &|_| 4.0, w)
            .peak_end
            .unwrap()
            .value
    };
    // The peak is COMPLAINT_HANDLING (1, more important than FOLLOW_UP's 5).
    assert!(close(at(0.0), 5.0));
    assert!(close(at(1.0), 1.0));
    assert!(close(at(0.25), 0.25 * 1.0 + 0.75 * 5.0));
    assert!(PeakWeight::new(1.01).is_err());
    assert!(PeakWeight::new(-0.01).is_err());
    assert!(PeakWeight::new(f64::NAN).is_err());
}

#[test]
fn gaps_use_each_moments_baseline() {
    let response = respond(&on_site(), &[("APPOINTMENT", 5), ("ARRIVAL", 3)]);
    let baseline = |code: &str| if code == "ARRIVAL" { 4.2 } else { 4.0 };
    let score = JourneyScore::of(&response, &baseline, PeakWeight::default());
    let gaps: Vec<(&str, f64)> = score
        .gaps
        .iter()
        .map(|g| (g.moment.as_str(), g.gap))
        .collect();
    assert_eq!(gaps[0], ("APPOINTMENT", 1.0));
    assert!(close(gaps[1].1, -1.2));
}
