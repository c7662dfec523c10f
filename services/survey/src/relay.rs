//! The survey outbox's two receivers, each with a relay of its own (`OutboxRelay::only_to`), so
//! a complaint service that is away never holds up invitations, nor the reminder service
//! follow-ups:
//!
//! - invitations go to the reminder service as `ScheduleReminder` calls;
//! - follow-ups go to the complaint service as `OpenComplaint` calls, and the answer is the
//!   follow-up's fate ([`FollowUpFate`]): OPENED with the complaint's id, or REFUSED with the
//!   reason when the complaint service refuses it for good (INVALID_ARGUMENT, NOT_FOUND,
//!   FAILED_PRECONDITION: sending it again would be refused again). Anything else is retried
//!   with the relay's capped backoff, never dropped.

use std::sync::Arc;

use futures::future::BoxFuture;
use prost::Message;
use tonic::Code;
use vipcare_proto::complaint::v1 as complaint_pb;
use vipcare_runtime::{InternalChannel, InternalCredential};
use vipcare_storage::Database;
use vipcare_storage::outbox::grpc::Answered;
use vipcare_storage::outbox::{
    DeliveryError, OnAnswer, OutboxMessage, OutboxRelay, Receiver, Route, Settled,
};

use crate::notices::{COMPLAINT, FOLLOW_UP_EVENT, INVITATION_EVENT, REMINDER};
use crate::store::{FollowUpState, responses};
use vipcare_runtime::customers::lazy_channel;

/// The call an invitation row becomes.
pub const SCHEDULE_REMINDER: &str = "/vipcare.reminder.v1.ReminderService/ScheduleReminder";
/// The call a follow-up row becomes.
pub const OPEN_COMPLAINT: &str = "/vipcare.complaint.v1.ComplaintService/OpenComplaint";

const REMINDER_ROUTES: &[Route] = &[(INVITATION_EVENT, SCHEDULE_REMINDER)];
const COMPLAINT_ROUTES: &[Route] = &[(FOLLOW_UP_EVENT, OPEN_COMPLAINT)];

/// The complaint service read the follow-up and refused it: final, recorded as REFUSED.
const REFUSED: &[Settled] = &[(
    FOLLOW_UP_EVENT,
    &[
        Code::InvalidArgument,
        Code::NotFound,
        Code::FailedPrecondition,
    ],
)];

/// The relays of the survey outbox.
pub struct Relays {
    pub invitations: OutboxRelay,
    pub follow_ups: OutboxRelay,
}

impl Relays {
    /// Connects on first use, so the service starts (and rows wait) while a receiver is away.
    pub fn connect_lazy(
        db: &Database,
        reminder_url: &str,
        complaint_url: &str,
        credential: &InternalCredential,
    ) -> Result<Relays, tonic::transport::Error> {
        let reminder = Receiver::new(
            REMINDER,
            REMINDER_ROUTES,
            lazy_channel(reminder_url, credential)?,
        );
        let complaint: Receiver<InternalChannel> = Receiver::new(
            COMPLAINT,
            COMPLAINT_ROUTES,
            lazy_channel(complaint_url, credential)?,
        )
        .with_settled(REFUSED)
        .on_answer(Arc::new(FollowUpFate { db: db.clone() }));
        Ok(Relays {
            invitations: OutboxRelay::new(db.clone(), Arc::new(reminder)).only_to(&[REMINDER]),
            follow_ups: OutboxRelay::new(db.clone(), Arc::new(complaint)).only_to(&[COMPLAINT]),
        })
    }
}

/// Records what the complaint service did with a follow-up on its response.
struct FollowUpFate {
    db: Database,
}

impl OnAnswer for FollowUpFate {
    fn answered<'a>(
        &'a self,
        msg: &'a OutboxMessage,
        answer: &'a Answered,
    ) -> BoxFuture<'a, Result<(), DeliveryError>> {
        Box::pin(async move {
            // A row this version cannot read is left for one that can.
            let (response_id, fate) = fate(msg, answer).map_err(DeliveryError::Retry)?;
            responses::set_follow_up(self.db.conn(), &response_id, &fate)
                .await
                .map_err(|e| DeliveryError::Retry(format!("recording the follow-up: {e}")))?;
            tracing::info!(%response_id, state = fate.code(), "follow-up settled");
            Ok(())
        })
    }
}

/// The response a follow-up row is about and what became of it.
fn fate(msg: &OutboxMessage, answer: &Answered) -> Result<(String, FollowUpState), String> {
    let request = complaint_pb::OpenComplaintRequest::decode(msg.payload.as_slice())
        .map_err(|e| format!("follow-up row {} does not decode: {e}", msg.id))?;
    let response_id = request
        .request_id
        .strip_prefix("survey:")
        .ok_or_else(|| format!("follow-up row {} names no response", msg.id))?
        .to_owned();
    let fate = match answer {
        Answered::Accepted(bytes) => {
            let opened = complaint_pb::OpenComplaintResponse::decode(bytes.as_slice())
                .map_err(|e| format!("OpenComplaint answer does not decode: {e}"))?;
            let complaint_id = opened
                .complaint
                .map(|c| c.complaint_id)
                .filter(|id| !id.is_empty())
                .ok_or("OpenComplaint answered no complaint")?;
            FollowUpState::Opened { complaint_id }
        }
        Answered::Settled(status) => FollowUpState::Refused {
            reason: format!("{:?}: {}", status.code(), status.message()),
        },
    };
    Ok((response_id, fate))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row() -> OutboxMessage {
        let request = complaint_pb::OpenComplaintRequest {
            request_id: "survey:r-7".into(),
            ..Default::default()
        };
        OutboxMessage {
            id: 3,
            destination: COMPLAINT.into(),
            method: FOLLOW_UP_EVENT.into(),
            payload: request.encode_to_vec(),
            attempts: 0,
            trace: None,
        }
    }

    #[test]
    fn an_opened_complaint_and_a_refusal_are_the_follow_ups_fate() {
        let opened = complaint_pb::OpenComplaintResponse {
            complaint: Some(complaint_pb::Complaint {
                complaint_id: "C20260615-AAAA".into(),
                ..Default::default()
            }),
            repeat_of: String::new(),
        };
        let answer = Answered::Accepted(opened.encode_to_vec());
        assert_eq!(
            fate(&row(), &answer).unwrap(),
            (
                "r-7".to_owned(),
                FollowUpState::Opened {
                    complaint_id: "C20260615-AAAA".into()
                }
            )
        );
        let refused = Answered::Settled(tonic::Status::not_found("customer c-1 not found"));
        let (_, state) = fate(&row(), &refused).unwrap();
        assert!(
            matches!(&state, FollowUpState::Refused { reason } if reason.contains("c-1")),
            "{state:?}"
        );
        assert!(fate(&row(), &Answered::Accepted(Vec::new())).is_err());
    }
}
