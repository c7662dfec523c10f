use chrono::TimeZone;

use super::*;
use crate::domain::seed;

fn at(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, day, hour, 0, 0).unwrap()
}

fn request() -> pb::InviteToSurveyRequest {
    pb::InviteToSurveyRequest {
        customer_id: "C1001".into(),
        scenario_code: "HALL_VISIT".into(),
        context: Some(pb::SurveyContext {
            hall_id: "hall-7".into(),
            staff_id: "E2002".into(),
            ..pb::SurveyContext::default()
        }),
        channel: 0,
        request_id: "r-1".into(),
    }
}

fn refused(req: pb::InviteToSurveyRequest) -> Vec<String> {
    let found = invite_from_proto(&req).unwrap_err();
    found.into_iter().map(|v| v.field).collect()
}

fn record() -> InvitationRecord {
    InvitationRecord {
        invitation_id: "inv-1".into(),
        customer_id: "C1001".into(),
        scenario_code: "HALL_VISIT".into(),
        scenario_version: 1,
        context: SurveyContext {
            complaint_id: Some("CP-9".into()),
            ..SurveyContext::default()
        },
        channel: SurveyChannel::Sms,
        sent_at: at(1, 9),
        used_at: None,
    }
}

#[test]
fn an_invite_defaults_to_sms_and_keeps_the_context_given() {
    let invite = invite_from_proto(&request()).unwrap();
    assert_eq!(invite.channel, SurveyChannel::Sms);
    assert_eq!(invite.customer_id, "C1001");
    assert_eq!(invite.scenario_code, "HALL_VISIT");
    assert_eq!(invite.context.hall_id.as_deref(), Some("hall-7"));
    assert_eq!(invite.context.complaint_id, None);
    let by_hotline = pb::InviteToSurveyRequest {
        channel: pb::SurveyChannel::Hotline as i32,
        context: None,
        ..request()
    };
    let invite = invite_from_proto(&by_hotline).unwrap();
    assert_eq!(invite.channel, SurveyChannel::Hotline);
    assert_eq!(invite.context, SurveyContext::default());
}

#[test]
fn every_refused_field_of_an_invite_is_named() {
    let req = pb::InviteToSurveyRequest {
        customer_id: String::new(),
        scenario_code: "hall visit".into(),
        context: Some(pb::SurveyContext {
            hall_id: "hall 7".into(),
            event_id: "x".repeat(65),
            ..pb::SurveyContext::default()
        }),
        channel: 77,
        request_id: String::new(),
    };
    assert_eq!(
        refused(req),
        [
            "customer_id",
            "scenario_code",
            "context.hall_id",
            "context.event_id",
            "channel"
        ]
    );
}

#[test]
fn contexts_round_trip_with_empty_ids_left_out() {
    let context = SurveyContext::new(Some("CP-9"), None, Some("E2002"), None).unwrap();
    let shown = context_to_proto(&context);
    assert_eq!(shown.hall_id, "");
    assert_eq!(context_from_proto(Some(&shown)), Ok(context));
}

#[test]
fn an_invitation_is_open_for_seven_days_then_expired() {
    let shown = invitation_to_proto(&record(), at(8, 8));
    assert_eq!(shown.state, pb::InvitationState::Open as i32);
    assert_eq!(shown.create_time, Some(timestamp(at(1, 9))));
    assert_eq!(shown.expire_time, Some(timestamp(at(8, 9))));
    assert_eq!(shown.channel, pb::SurveyChannel::Sms as i32);
    assert_eq!(shown.context.unwrap().complaint_id, "CP-9");
    let later = invitation_to_proto(&record(), at(8, 9));
    assert_eq!(later.state, pb::InvitationState::Expired as i32);
}

#[test]
fn an_answered_invitation_says_so_even_once_expired() {
    let answered = InvitationRecord {
        used_at: Some(at(2, 10)),
        ..record()
    };
    let shown = invitation_to_proto(&answered, at(20, 9));
    assert_eq!(shown.state, pb::InvitationState::Answered as i32);
}

#[test]
fn the_survey_page_gets_the_scenario_and_nothing_about_the_customer() {
    let scenario = seed::scenario("HALL_VISIT").unwrap();
    let page = get_invitation_to_proto(&record(), &scenario, at(1, 0), at(3, 9));
    let shown = page.scenario.unwrap();
    assert_eq!(shown.scenario_code, "HALL_VISIT");
    assert_eq!(shown.moments.len(), 7);
    assert_eq!(page.state, pb::InvitationState::Open as i32);
    assert_eq!(page.expire_time, Some(timestamp(at(8, 9))));
}

#[test]
fn a_token_is_checked_for_shape_only() {
    let req = |t: &str| pb::GetInvitationRequest {
        invitation_token: t.into(),
    };
    assert_eq!(
        token_from_proto(&req("q8Yt-3_zZ")).as_deref(),
        Ok("q8Yt-3_zZ")
    );
    for bad in ["", "with space", "令牌", &"x".repeat(MAX_TOKEN_CHARS + 1)] {
        assert_eq!(
            token_from_proto(&req(bad)).unwrap_err().field,
            "invitation_token"
        );
    }
}
