use super::*;
use crate::domain::{Response, seed};

fn by_token() -> pb::SubmitResponseRequest {
    pb::SubmitResponseRequest {
        invitation_token: "q8Yt-3_zZ".into(),
        moment_scores: vec![
            pb::MomentScore {
                moment_code: "APPOINTMENT".into(),
                score: 5,
            },
            pb::MomentScore {
                moment_code: "FOLLOW_UP".into(),
                score: 4,
            },
        ],
        attribute_scores: vec![pb::AttributeScore {
            moment_code: "APPOINTMENT".into(),
            attribute_code: "APPROPRIATE_TIME".into(),
            score: 4,
        }],
        nps: Some(9),
        comment: "准时".into(),
        request_id: "r-1".into(),
        ..pb::SubmitResponseRequest::default()
    }
}

fn staffed() -> pb::SubmitResponseRequest {
    pb::SubmitResponseRequest {
        invitation_token: String::new(),
        customer_id: "C1001".into(),
        scenario_code: "ON_SITE_VISIT".into(),
        context: Some(pb::SurveyContext {
            staff_id: "E2002".into(),
            ..pb::SurveyContext::default()
        }),
        ..by_token()
    }
}

fn refused(req: pb::SubmitResponseRequest) -> Vec<String> {
    let found = submission_from_proto(&req).unwrap_err();
    found.into_iter().map(|v| v.field).collect()
}

#[test]
fn a_token_answers_through_the_web_by_default() {
    let s = submission_from_proto(&by_token()).unwrap();
    assert_eq!(s.respondent, Respondent::Token("q8Yt-3_zZ".into()));
    assert_eq!(s.channel, SurveyChannel::Web);
    assert_eq!(
        s.moment_scores,
        [("APPOINTMENT".to_owned(), 5), ("FOLLOW_UP".to_owned(), 4)]
    );
    let attribute = ("APPOINTMENT".to_owned(), "APPROPRIATE_TIME".to_owned(), 4);
    assert_eq!(s.attribute_scores, [attribute]);
    assert_eq!((s.nps, s.comment.as_str()), (Some(9), "准时"));
    let empty_context = pb::SubmitResponseRequest {
        context: Some(pb::SurveyContext::default()),
        channel: pb::SurveyChannel::Hall as i32,
        ..by_token()
    };
    let s = submission_from_proto(&empty_context).unwrap();
    assert_eq!(s.channel, SurveyChannel::Hall);
}

#[test]
fn a_staffed_response_names_customer_scenario_and_context_and_defaults_to_the_hall() {
    let s = submission_from_proto(&staffed()).unwrap();
    let Respondent::Staffed {
        customer_id,
        scenario_code,
        context,
    } = s.respondent
    else {
        panic!("not staffed: {:?}", s.respondent);
    };
    assert_eq!(
        (customer_id.as_str(), scenario_code.as_str()),
        ("C1001", "ON_SITE_VISIT")
    );
    assert_eq!(context.staff_id.as_deref(), Some("E2002"));
    assert_eq!(context.hall_id, None);
    assert_eq!(s.channel, SurveyChannel::Hall);
}

#[test]
fn a_token_and_a_customer_at_once_are_refused() {
    let both = pb::SubmitResponseRequest {
        invitation_token: "q8Yt".into(),
        ..staffed()
    };
    assert_eq!(refused(both), ["customer_id", "scenario_code", "context"]);
    let half = pb::SubmitResponseRequest {
        scenario_code: "ON_SITE_VISIT".into(),
        ..by_token()
    };
    assert_eq!(refused(half), ["scenario_code"]);
}

#[test]
fn neither_a_token_nor_a_customer_names_the_token() {
    let neither = pb::SubmitResponseRequest {
        invitation_token: String::new(),
        ..by_token()
    };
    assert_eq!(refused(neither), ["invitation_token"]);
}

#[test]
fn a_staffed_response_needs_both_customer_and_scenario() {
    let no_scenario = pb::SubmitResponseRequest {
        scenario_code: String::new(),
        ..staffed()
    };
    assert_eq!(refused(no_scenario), ["scenario_code"]);
    let no_customer = pb::SubmitResponseRequest {
        customer_id: String::new(),
        ..staffed()
    };
    assert_eq!(refused(no_customer), ["customer_id"]);
}

#[test]
fn every_refused_field_of_who_and_how_is_named() {
    let req = pb::SubmitResponseRequest {
        customer_id: "C 1001".into(),
        scenario_code: "on_site".into(),
        context: Some(pb::SurveyContext {
            hall_id: "hall 7".into(),
            complaint_id: "x".repeat(65),
            ..pb::SurveyContext::default()
        }),
        channel: 99,
        ..staffed()
    };
    assert_eq!(
        refused(req),
        [
            "customer_id",
            "scenario_code",
            "context.complaint_id",
            "context.hall_id",
            "channel"
        ]
    );
    let bad_token = pb::SubmitResponseRequest {
        invitation_token: "not a token".into(),
        ..by_token()
    };
    assert_eq!(refused(bad_token), ["invitation_token"]);
}

#[test]
fn the_answers_are_refused_by_the_domain_under_the_contracts_paths() {
    let scenario = seed::scenario("ON_SITE_VISIT").unwrap();
    let mut req = by_token();
    req.moment_scores.push(pb::MomentScore {
        moment_code: "ARRIVAL".into(),
        score: 6,
    });
    req.moment_scores.push(pb::MomentScore {
        moment_code: "TELEPORT".into(),
        score: 3,
    });
    req.attribute_scores[0].attribute_code = "SMILE".into();
    req.nps = Some(11);
    let s = submission_from_proto(&req).unwrap();
    let found = Response::new(
        &scenario,
        &s.moment_scores,
        &s.attribute_scores,
        s.nps,
        &s.comment,
    )
    .unwrap_err();
    let fields: Vec<&str> = found.iter().map(|v| v.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "moment_scores[2].score",
            "moment_scores[3].moment_code",
            "attribute_scores[0].attribute_code",
            "nps"
        ]
    );
}
