use super::*;
use crate::domain::seed;

fn on_site() -> Scenario {
    seed::scenario("ON_SITE_VISIT").unwrap()
}

fn scores(pairs: &[(&str, i32)]) -> Vec<(String, i32)> {
    pairs.iter().map(|(m, s)| ((*m).to_owned(), *s)).collect()
}

fn attributes(triples: &[(&str, &str, i32)]) -> Vec<(String, String, i32)> {
    triples
        .iter()
        .map(|(m, a, s)| ((*m).to_owned(), (*a).to_owned(), *s))
        .collect()
}

fn fields(refused: Vec<Violation>) -> Vec<String> {
    refused.into_iter().map(|v| v.field).collect()
}

#[test]
fn a_partial_response_is_kept_in_journey_order() {
    let response = Response::new(
        &on_site(),
        &scores(&[("FOLLOW_UP", 4), ("APPOINTMENT", 5)]),
        &attributes(&[("APPOINTMENT", "CUSTOMER_LANGUAGE", 5)]),
        Some(9),
        "很好\n谢谢",
    )
    .unwrap();
    let rated: Vec<(&str, usize, u8)> = response
        .rated()
        .iter()
        .map(|m| (m.code.as_str(), m.position, m.score))
        .collect();
    assert_eq!(rated, [("APPOINTMENT", 0, 5), ("FOLLOW_UP", 9, 4)]);
    assert_eq!(response.end_moment(), "FOLLOW_UP");
    assert_eq!(response.nps(), Some(9));
    assert_eq!(response.scenario_version(), 1);
    assert_eq!(response.attribute_scores().len(), 1);
    assert_eq!(response.rated_moment("FOLLOW_UP").unwrap().importance, 4.66);
}

#[test]
fn at_least_one_moment_is_rated() {
    let refused = Response::new(&on_site(), &[], &[], None, "").unwrap_err();
    assert_eq!(fields(refused), ["moment_scores"]);
}

#[test]
fn every_refused_answer_is_named_at_once() {
    let refused = Response::new(
        &on_site(),
        &scores(&[
            ("APPOINTMENT", 6),
            ("NOPE", 3),
            ("APPOINTMENT", 4),
            ("ARRIVAL", 0),
        ]),
        &attributes(&[
            ("NOPE", "ON_TIME", 3),
            ("MEETING", "FRIENDLY_SMILE", 3),
            ("ARRIVAL", "NOT_AN_ATTRIBUTE", 3),
            ("ARRIVAL", "ON_TIME", 9),
            ("ARRIVAL", "ON_TIME", 4),
        ]),
        Some(11),
        "bad\u{202E}",
    )
    .unwrap_err();
    assert_eq!(
        fields(refused),
        [
            "moment_scores[0].score",
            "moment_scores[1].moment_code",
            "moment_scores[2].moment_code",
            "moment_scores[3].score",
            "attribute_scores[0].moment_code",
            "attribute_scores[1].moment_code",
            "attribute_scores[2].attribute_code",
            "attribute_scores[3].score",
            "attribute_scores[4].attribute_code",
            "nps",
            "comment",
        ]
    );
}

#[test]
fn nps_is_0_to_10_and_optional() {
    let one = scores(&[("APPOINTMENT", 3)]);
    for (nps, ok) in [
        (Some(0), true),
        (Some(10), true),
        (None, true),
        (Some(-1), false),
        (Some(11), false),
    ] {
        assert_eq!(
            Response::new(&on_site(), &one, &[], nps, "").is_ok(),
            ok,
            "{nps:?}"
        );
    }
}

#[test]
fn long_comments_are_refused() {
    let one = scores(&[("APPOINTMENT", 3)]);
    let long = "好".repeat(501);
    let refused = Response::new(&on_site(), &one, &[], None, &long).unwrap_err();
    assert_eq!(fields(refused), ["comment"]);
}
