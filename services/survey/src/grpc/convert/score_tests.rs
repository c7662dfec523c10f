use chrono::DateTime;

use super::*;
use crate::domain::{Response, Scenario, Thresholds, follow_up_owner, seed};

fn on_site() -> Scenario {
    seed::scenario("ON_SITE_VISIT").unwrap()
}

fn respond(pairs: &[(&str, i32)], nps: Option<i32>) -> Response {
    let scores: Vec<(String, i32)> = pairs.iter().map(|(m, s)| ((*m).to_owned(), *s)).collect();
    Response::new(&on_site(), &scores, &[], nps, "").unwrap()
}

fn record(response: &Response, follow_up: FollowUpRecord) -> ScoreRecord {
    ScoreRecord {
        response_id: "resp-1".into(),
        customer_id: "C1001".into(),
        scenario_code: response.scenario_code().to_owned(),
        scenario_version: response.scenario_version(),
        nps: response.nps(),
        peak_weight: PeakWeight::default(),
        follow_up,
        submit_time: DateTime::from_timestamp(1_780_000_000, 0).unwrap(),
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-4
}

/// The domain's worked example (`domain/score_tests.rs`, the README's), as a caller sees it.
#[test]
fn worked_example_on_site_visit_with_a_bad_complaint_handling() {
    let response = respond(
        &[
            ("APPOINTMENT", 5),
            ("ARRIVAL", 4),
            ("BUSINESS_HANDLING", 4),
            ("QUESTION_ANSWERING", 4),
            ("COMPLAINT_HANDLING", 1),
            ("FOLLOW_UP", 4),
        ],
        Some(5),
    );
    let score = JourneyScore::of(&response, &|_| 4.0, PeakWeight::default());
    let detraction = Thresholds::default().detraction(&score, response.nps());
    let follow_up = FollowUpRecord::of(detraction.as_ref(), follow_up_owner(Some("E2002"), None));
    let shown = score_to_proto(&score, &record(&response, follow_up));

    assert_eq!(
        (shown.response_id.as_str(), shown.customer_id.as_str()),
        ("resp-1", "C1001")
    );
    assert_eq!(
        (shown.scenario_code.as_str(), shown.scenario_version),
        ("ON_SITE_VISIT", 1)
    );
    // mean = 22 / 6 = 3.6667, over the six moments in journey order.
    let mean = shown.mean.unwrap();
    assert!(close(mean.value, 3.6667));
    assert_eq!(mean.moment_codes[4], "COMPLAINT_HANDLING");
    assert_eq!(mean.moment_codes.len(), 6);
    // weighted = 100.37 / 27.47 = 3.6538, each moment shown with its importance.
    let weighted = shown.weighted.unwrap();
    assert!(close(weighted.value, 3.6538));
    let importances: Vec<f64> = weighted.weights.iter().map(|w| w.importance).collect();
    assert_eq!(importances, [4.62, 4.38, 4.44, 4.66, 4.71, 4.66]);
    assert_eq!(weighted.weights[4].moment_code, "COMPLAINT_HANDLING");
    // peak: COMPLAINT_HANDLING (1) beats APPOINTMENT (5) on importance; the end is FOLLOW_UP.
    let figure = |code: &str, name: &str, score| pb::MomentFigure {
        moment_code: code.into(),
        name: name.into(),
        score,
    };
    assert_eq!(
        shown.peak,
        Some(figure("COMPLAINT_HANDLING", "投诉处理", 1))
    );
    assert_eq!(shown.end, Some(figure("FOLLOW_UP", "后续跟进", 4)));
    // peak_end = 0.5·1 + 0.5·4 = 2.5, −1.1667 from the mean.
    assert_eq!(shown.peak_end, Some(2.5));
    assert_eq!(shown.no_peak_end_reason, "");
    assert_eq!(shown.peak_weight, 0.5);
    assert!(close(shown.peak_end_minus_mean.unwrap(), -1.1667));
    // gaps against 4.0, in scenario order: COMPLAINT_HANDLING 1 − 4 = −3.
    let gaps: Vec<(&str, i32, f64)> = shown
        .gaps
        .iter()
        .map(|g| (g.moment_code.as_str(), g.score, g.gap))
        .collect();
    assert_eq!(gaps[0], ("APPOINTMENT", 5, 1.0));
    assert_eq!(gaps[4], ("COMPLAINT_HANDLING", 1, -3.0));
    assert_eq!(gaps[5], ("FOLLOW_UP", 4, 0.0));
    assert!(shown.gaps.iter().all(|g| g.baseline == 4.0));
    assert_eq!(shown.nps, Some(5));
    // 2.5 ≤ 2.5 and NPS 5 ≤ 6: followed up by the staff member, about the complaint handling.
    let follow_up = shown.follow_up.unwrap();
    assert_eq!(follow_up.state, pb::FollowUpState::Pending as i32);
    let reasons = [
        pb::DetractionReason::LowPeakEnd,
        pb::DetractionReason::LowNps,
    ];
    assert_eq!(follow_up.reasons, reasons.map(|r| r as i32));
    assert_eq!(
        follow_up.worst_moment,
        Some(figure("COMPLAINT_HANDLING", "投诉处理", 1))
    );
    assert_eq!(follow_up.owner, "E2002");
    assert_eq!(shown.submit_time.unwrap().seconds, 1_780_000_000);
}

#[test]
fn without_the_end_moment_the_score_says_why_there_is_no_peak_end() {
    let response = respond(&[("APPOINTMENT", 2), ("ARRIVAL", 4)], None);
    let w = PeakWeight::new(0.6).unwrap();
    let score = JourneyScore::of(&response, &|_| 4.0, w);
    let mut record = record(&response, FollowUpRecord::of(None, Some("E2002")));
    record.peak_weight = w;
    let shown = score_to_proto(&score, &record);
    assert_eq!(shown.end, None);
    assert_eq!(shown.peak_end, None);
    assert_eq!(shown.peak_end_minus_mean, None);
    assert_eq!(
        shown.no_peak_end_reason,
        "the end moment FOLLOW_UP is not rated"
    );
    assert_eq!(shown.peak_weight, 0.6);
    assert_eq!(shown.peak.unwrap().moment_code, "APPOINTMENT");
    assert_eq!(shown.nps, None);
    let follow_up = shown.follow_up.unwrap();
    assert_eq!(follow_up.state, pb::FollowUpState::None as i32);
    assert!(follow_up.reasons.is_empty() && follow_up.worst_moment.is_none());
    assert_eq!(follow_up.owner, "");
}

#[test]
fn a_follow_up_shows_its_complaint_or_why_it_was_refused() {
    let response = respond(&[("COMPLAINT_HANDLING", 1), ("FOLLOW_UP", 2)], None);
    let score = JourneyScore::of(&response, &|_| 4.0, PeakWeight::default());
    let opened = FollowUpRecord {
        state: FollowUpState::Opened,
        reasons: vec!["END_LOW".into()],
        worst_moment: Some("COMPLAINT_HANDLING".into()),
        owner: Some("AM-3".into()),
        complaint_id: Some("CP-42".into()),
        refusal: None,
    };
    let shown = score_to_proto(&score, &record(&response, opened.clone()));
    let follow_up = shown.follow_up.unwrap();
    assert_eq!(follow_up.state, pb::FollowUpState::Opened as i32);
    assert_eq!(
        follow_up.reasons,
        [pb::DetractionReason::LowEndMoment as i32]
    );
    assert_eq!(
        (follow_up.owner.as_str(), follow_up.complaint_id.as_str()),
        ("AM-3", "CP-42")
    );
    let refused = FollowUpRecord {
        state: FollowUpState::Refused,
        complaint_id: None,
        refusal: Some("customer erased".into()),
        ..opened
    };
    let follow_up = score_to_proto(&score, &record(&response, refused))
        .follow_up
        .unwrap();
    assert_eq!(follow_up.state, pb::FollowUpState::Refused as i32);
    assert_eq!(
        (follow_up.complaint_id.as_str(), follow_up.refusal.as_str()),
        ("", "customer erased")
    );
}
