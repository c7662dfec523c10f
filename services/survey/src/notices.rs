//! What the survey service causes elsewhere, written to the outbox in the transaction of the
//! change that causes it and delivered by the relay (`relay`), so nothing is lost while a
//! receiver is away and nothing goes out for a change that rolled back:
//!
//! - an invitation is a SURVEY_INVITATION `ScheduleReminder` to the reminder service (which
//!   keeps quiet hours, channels and caps), carrying the link with the one-time token and
//!   stale once the token expires;
//! - an unhappy response is an `OpenComplaint` to the complaint service: a follow-up owned by
//!   the staff member the survey is about, else the customer's account manager, else the
//!   survey desk; its request_id is the response's, so it opens once however often it is sent.

use chrono::{DateTime, Utc};
use chrono_tz::Asia::Shanghai;
use prost::Message;
use sea_orm::ConnectionTrait;
use vipcare_proto::common::v1::Touchpoint;
use vipcare_proto::complaint::v1 as complaint_pb;
use vipcare_proto::reminder::v1::ScheduleReminderRequest;
use vipcare_storage::outbox;

use crate::domain::{Detraction, DetractionReason, SurveyChannel};
use crate::grpc::convert::timestamp;
use crate::store::StoreError;

/// The outbox destination and event of invitations: the reminder service's `ScheduleReminder`.
pub const REMINDER: &str = "reminder";
pub const INVITATION_EVENT: &str = "survey-invitation";
/// The outbox destination and event of follow-ups: the complaint service's `OpenComplaint`.
pub const COMPLAINT: &str = "complaint";
pub const FOLLOW_UP_EVENT: &str = "survey-follow-up";

/// The reminder service's seeded SURVEY_INVITATION template for a survey answered on a page:
/// "感谢您%SERVICE%。请花一分钟为这次服务的每个环节打分:%LINK% ,%EXPIRE_DATE%前有效…" (its
/// other template, `rate_service`, asks for one digit by SMS reply: not this survey's moments).
const INVITATION_TEMPLATE: &str = "survey_invitation.link.sms.zh-cn";

/// An invitation as the reminder service is asked to send it.
pub fn invitation(
    invitation_id: &str,
    customer_id: &str,
    scenario_name: &str,
    link: &str,
    expire_time: DateTime<Utc>,
) -> ScheduleReminderRequest {
    // The last day the link works, as the customer's calendar reads it (the operator's zone).
    let last_day = expire_time
        .with_timezone(&Shanghai)
        .format("%-m月%-d日 %H:%M");
    ScheduleReminderRequest {
        customer_id: customer_id.to_owned(),
        touchpoint: Touchpoint::SurveyInvitation as i32,
        template_code: INVITATION_TEMPLATE.to_owned(),
        variables: [
            ("SERVICE".to_owned(), format!("接受本次{scenario_name}")),
            ("LINK".to_owned(), link.to_owned()),
            ("EXPIRE_DATE".to_owned(), last_day.to_string()),
        ]
        .into_iter()
        .collect(),
        // Now, or when the customer's quiet hours end; never after the token stops working.
        send_at: None,
        deadline: Some(timestamp(expire_time)),
        dedupe_key: format!("survey:{invitation_id}"),
        ..Default::default()
    }
}

/// The follow-up complaint of response `response_id`, owned by `owner`.
pub fn follow_up(
    response_id: &str,
    customer_id: &str,
    channel: SurveyChannel,
    detraction: &Detraction,
    comment: &str,
    owner: &str,
) -> complaint_pb::OpenComplaintRequest {
    let mut description = format!("满意度调查回复 {response_id}");
    if !comment.is_empty() {
        description.push_str(&format!("\n客户留言:{comment}"));
    }
    complaint_pb::OpenComplaintRequest {
        customer_id: customer_id.to_owned(),
        channel: complaint_channel(channel) as i32,
        // Every moment rated is a moment of service: how staff treated the customer.
        category: complaint_pb::Category::ServiceAttitude as i32,
        severity: severity(detraction) as i32,
        summary: detraction.summary(),
        description,
        first_contact_owner: owner.to_owned(),
        request_id: format!("survey:{response_id}"),
    }
}

/// The complaint channel matching the survey's.
fn complaint_channel(channel: SurveyChannel) -> complaint_pb::Channel {
    match channel {
        SurveyChannel::Sms => complaint_pb::Channel::Sms,
        SurveyChannel::Web => complaint_pb::Channel::Web,
        SurveyChannel::Hall => complaint_pb::Channel::Hall,
        SurveyChannel::Hotline => complaint_pb::Channel::Hotline,
        SurveyChannel::AccountManager => complaint_pb::Channel::AccountManager,
    }
}

/// How bad it was: a journey remembered at 1.5 or less, or an end scored 1, is HIGH; a low
/// peak-end or end MEDIUM; a low NPS alone LOW.
fn severity(detraction: &Detraction) -> complaint_pb::Severity {
    let dire = detraction.reasons.iter().any(|r| match r {
        DetractionReason::PeakEndLow { peak_end } => *peak_end <= 1.5,
        DetractionReason::EndLow { score, .. } => *score <= 1,
        DetractionReason::NpsLow { .. } => false,
    });
    let journey = detraction
        .reasons
        .iter()
        .any(|r| !matches!(r, DetractionReason::NpsLow { .. }));
    match (dire, journey) {
        (true, _) => complaint_pb::Severity::High,
        (false, true) => complaint_pb::Severity::Medium,
        (false, false) => complaint_pb::Severity::Low,
    }
}

/// Writes the invitation's reminder to the outbox inside the caller's transaction.
pub async fn enqueue_invitation<C: ConnectionTrait>(
    conn: &C,
    request: &ScheduleReminderRequest,
) -> Result<(), StoreError> {
    outbox::enqueue(conn, REMINDER, INVITATION_EVENT, request.encode_to_vec()).await?;
    Ok(())
}

/// Writes the follow-up complaints to the outbox inside the caller's transaction, in one
/// statement however many.
pub async fn enqueue_follow_ups<C: ConnectionTrait>(
    conn: &C,
    requests: &[complaint_pb::OpenComplaintRequest],
) -> Result<(), StoreError> {
    if !requests.is_empty() {
        let payloads = requests.iter().map(Message::encode_to_vec);
        outbox::enqueue_many(conn, COMPLAINT, FOLLOW_UP_EVENT, payloads).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detraction(reasons: Vec<DetractionReason>) -> Detraction {
        Detraction {
            reasons,
            worst_moment: "RESULT_FEEDBACK".into(),
            worst_moment_name: "结果反馈".into(),
            worst_score: 1,
            peak_end: Some(2.0),
            nps: Some(3),
        }
    }

    #[test]
    fn severity_follows_how_bad_it_was() {
        let nps = DetractionReason::NpsLow { nps: 3 };
        let low = DetractionReason::PeakEndLow { peak_end: 2.5 };
        let dire = DetractionReason::EndLow {
            end_moment: "RESULT_FEEDBACK".into(),
            score: 1,
        };
        assert_eq!(
            severity(&detraction(vec![nps.clone()])),
            complaint_pb::Severity::Low
        );
        assert_eq!(
            severity(&detraction(vec![low.clone(), nps])),
            complaint_pb::Severity::Medium
        );
        assert_eq!(
            severity(&detraction(vec![low, dire])),
            complaint_pb::Severity::High
        );
    }

    #[test]
    fn a_follow_up_opens_once_per_response_with_the_domains_summary() {
        let d = detraction(vec![DetractionReason::NpsLow { nps: 3 }]);
        let request = follow_up("r-1", "c-1", SurveyChannel::Web, &d, "太慢", "E1001");
        assert_eq!(request.request_id, "survey:r-1");
        assert_eq!(request.summary, d.summary());
        assert_eq!(request.channel(), complaint_pb::Channel::Web);
        assert_eq!(request.category(), complaint_pb::Category::ServiceAttitude);
        assert!(request.description.contains("太慢"));
    }

    #[test]
    fn an_invitation_carries_its_link_and_goes_stale_with_its_token() {
        let expire: DateTime<Utc> = "2026-06-22T04:00:00Z".parse().unwrap();
        let request = invitation("i-1", "c-1", "营业厅", "https://x/s/t0k", expire);
        assert_eq!(request.touchpoint(), Touchpoint::SurveyInvitation);
        assert_eq!(request.template_code, "survey_invitation.link.sms.zh-cn");
        assert_eq!(request.variables["SERVICE"], "接受本次营业厅");
        assert_eq!(request.variables["LINK"], "https://x/s/t0k");
        // 04:00 UTC is noon in Shanghai.
        assert_eq!(request.variables["EXPIRE_DATE"], "6月22日 12:00");
        assert_eq!(request.deadline, Some(timestamp(expire)));
        assert_eq!(request.dedupe_key, "survey:i-1");
    }
}
