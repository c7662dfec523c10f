use super::*;
use crate::domain::{PeakWeight, Response, Scenario, seed};

fn on_site() -> Scenario {
    seed::scenario("ON_SITE_VISIT").unwrap()
}

fn scored(pairs: &[(&str, i32)], nps: Option<i32>) -> (JourneyScore, Option<u8>) {
    let scores: Vec<(String, i32)> = pairs.iter().map(|(m, s)| ((*m).to_owned(), *s)).collect();
    let response = Response::new(&on_site(), &scores, &[], nps, "").unwrap();
    let score = JourneyScore::of(&response, &|_| 4.0, PeakWeight::default());
    (score, response.nps())
}

#[test]
fn the_worked_example_is_followed_up_about_its_complaint_handling() {
    // The README's on-site visit: peak COMPLAINT_HANDLING 1, end FOLLOW_UP 4, peak-end 2.5.
    let (score, nps) = scored(
        &[
            ("APPOINTMENT", 5),
            ("ARRIVAL", 4),
            ("BUSINESS_HANDLING", 4),
            ("QUESTION_ANSWERING", 4),
            ("COMPLAINT_HANDLING", 1),
            ("FOLLOW_UP", 4),
        ],
        None,
    );
    let detraction = Thresholds::default().detraction(&score, nps).unwrap();
    assert_eq!(
        detraction.reasons,
        [DetractionReason::PeakEndLow { peak_end: 2.5 }]
    );
    assert_eq!(detraction.worst_moment, "COMPLAINT_HANDLING");
    assert_eq!(detraction.summary(), "回访：投诉处理 评分 1/5，峰终分 2.5");
}

#[test]
fn every_reason_is_listed() {
    let (score, nps) = scored(&[("APPOINTMENT", 3), ("FOLLOW_UP", 1)], Some(2));
    let detraction = Thresholds::default().detraction(&score, nps).unwrap();
    let codes: Vec<&str> = detraction
        .reasons
        .iter()
        .map(DetractionReason::code)
        .collect();
    assert_eq!(codes, ["PEAK_END_LOW", "END_LOW", "NPS_LOW"]);
    assert_eq!(
        detraction.summary(),
        "回访：后续跟进 评分 1/5，峰终分 1.0，推荐意愿 2/10"
    );
}

#[test]
fn a_happy_customer_or_a_passive_one_is_not_a_detraction() {
    let (score, nps) = scored(&[("APPOINTMENT", 4), ("FOLLOW_UP", 4)], Some(7));
    assert_eq!(Thresholds::default().detraction(&score, nps), None);
    // Without the end moment only the NPS can tell.
    let (score, nps) = scored(&[("APPOINTMENT", 1)], None);
    assert_eq!(Thresholds::default().detraction(&score, nps), None);
    let (score, nps) = scored(&[("APPOINTMENT", 1)], Some(6));
    let detraction = Thresholds::default().detraction(&score, nps).unwrap();
    assert_eq!(detraction.summary(), "回访：预约 评分 1/5，推荐意愿 6/10");
}

#[test]
fn the_worst_moment_ties_go_to_the_more_important_then_the_earlier() {
    // APPOINTMENT 4.62, LEAVING 4.40, FOLLOW_UP 4.66, QUESTION_ANSWERING 4.66, all scored 2.
    let (score, _) = scored(
        &[("APPOINTMENT", 2), ("LEAVING", 2), ("FOLLOW_UP", 2)],
        None,
    );
    let detraction = Thresholds::default().detraction(&score, None).unwrap();
    assert_eq!(detraction.worst_moment, "FOLLOW_UP");
    let (score, _) = scored(&[("QUESTION_ANSWERING", 2), ("FOLLOW_UP", 2)], None);
    let detraction = Thresholds::default().detraction(&score, None).unwrap();
    assert_eq!(detraction.worst_moment, "QUESTION_ANSWERING");
}

#[test]
fn thresholds_are_checked() {
    let fields = |r: Result<Thresholds, Vec<Violation>>| -> Vec<String> {
        r.unwrap_err().into_iter().map(|v| v.field).collect()
    };
    assert_eq!(
        fields(Thresholds::new(0.5, 0, 11)),
        ["peak_end_at_most", "end_at_most", "nps_at_most"]
    );
    assert_eq!(
        fields(Thresholds::new(f64::NAN, 2, 6)),
        ["peak_end_at_most"]
    );
    assert_eq!(Thresholds::new(2.5, 2, 6), Ok(Thresholds::default()));
}

#[test]
fn the_staff_in_the_context_owns_the_call_first() {
    assert_eq!(follow_up_owner(Some("li"), Some("am-wang")), Some("li"));
    assert_eq!(follow_up_owner(None, Some("am-wang")), Some("am-wang"));
    assert_eq!(follow_up_owner(None, None), None);
}
