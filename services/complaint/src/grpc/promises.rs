//! PromiseToCustomer, FulfilPromise and ScheduleFollowUp: what one person told one customer,
//! kept apart from the SLA, and the follow-ups staff plan. A promise or a follow-up is stored
//! with the reminders it leads to (`reminders`) in one transaction, so neither exists without
//! the other; the complaint's version does not move (only lifecycle moves count), though an
//! `expected_version` given is still checked.
//!
//! Both are taken until the complaint is CLOSED. The state is checked once before the customer
//! is looked up (a refusal costs no call to the profile) and again after the write, which
//! holds the complaint's row: a close committed in between is not overlooked.

mod reminders;

use sea_orm::ConnectionTrait;
use tonic::{Request, Response};
use vipcare_proto::complaint::v1 as pb;
use vipcare_storage::idempotency::Begun;

use super::convert::promise::{
    follow_up_from_proto, follow_up_to_proto, fulfil_from_proto, promise_from_proto,
    promise_to_proto,
};
use super::reads::answer;
use super::request::key;
use super::{ComplaintApi, Reply};
use crate::domain::{Complaint, ComplaintState};
use crate::error::Error;
use crate::notices;
use crate::store::{StoredComplaint, complaints, follow_ups, promises};

const PROMISE: &str = "vipcare.complaint.v1.ComplaintService/PromiseToCustomer";
const FULFIL: &str = "vipcare.complaint.v1.ComplaintService/FulfilPromise";
const FOLLOW_UP: &str = "vipcare.complaint.v1.ComplaintService/ScheduleFollowUp";

pub async fn promise(
    api: &ComplaintApi,
    r: Request<pb::PromiseToCustomerRequest>,
) -> Reply<pb::PromiseToCustomerResponse> {
    let key = key(r.metadata(), PROMISE, &r.get_ref().request_id, r.get_ref())?;
    let fresh = match api.requests.begin::<_, Error>(key.as_ref()).await? {
        Begun::Replayed(answer) => return Ok(Response::new(answer)),
        Begun::Fresh(fresh) => fresh,
    };
    let now = api.clock.now();
    let asked = promise_from_proto(r.into_inner(), new_id(), now)?;
    let id = asked.complaint_id.as_str();
    let name = customer_name(api, id, "PROMISE_TO_CUSTOMER").await?;
    let made = fresh
        .finish::<_, Error, _>(async |txn| {
            promises::add(txn, id, &asked.promise, asked.expected_version).await?;
            let stored = still_taken(txn, id, "PROMISE_TO_CUSTOMER").await?;
            let told = reminders::promise_made(&stored.complaint, &name, &asked.promise, now);
            notices::enqueue(txn, &told).await?;
            let promise = promises::get(txn, id, &asked.promise.id).await?;
            Ok(pb::PromiseToCustomerResponse {
                complaint: Some(answer(api, txn, id).await?),
                promise: Some(promise_to_proto(&promise, now)),
            })
        })
        .await?;
    api.relay.notify_one();
    Ok(Response::new(made))
}

/// In any state: a promise kept after the close was still kept. Late is fulfilled too, and
/// shows as not kept on time. Nothing is sent: the customer was the one it was kept for.
pub async fn fulfil(
    api: &ComplaintApi,
    r: Request<pb::FulfilPromiseRequest>,
) -> Reply<pb::FulfilPromiseResponse> {
    let key = key(r.metadata(), FULFIL, &r.get_ref().request_id, r.get_ref())?;
    let fresh = match api.requests.begin::<_, Error>(key.as_ref()).await? {
        Begun::Replayed(answer) => return Ok(Response::new(answer)),
        Begun::Fresh(fresh) => fresh,
    };
    let asked = fulfil_from_proto(r.into_inner())?;
    let now = api.clock.now();
    let id = asked.complaint_id.as_str();
    let kept = fresh
        .finish::<_, Error, _>(async |txn| {
            let kept = promises::fulfil(
                txn,
                id,
                &asked.promise_id,
                &asked.actor,
                now,
                asked.expected_version,
            )
            .await?;
            // The handler's reminder of a kept promise would only nag: withdrawn if still
            // waiting.
            let customer = complaints::get(txn, id).await?.complaint.customer_id;
            let task = notices::dedupe_key(id, "promise-task", &asked.promise_id);
            notices::withdraw(txn, &customer, &task, "promise kept").await?;
            Ok(pb::FulfilPromiseResponse {
                complaint: Some(answer(api, txn, id).await?),
                promise: Some(promise_to_proto(&kept, now)),
            })
        })
        .await?;
    api.relay.notify_one();
    if let Some(promise) = &kept.promise {
        tracing::info!(
            complaint_id = id,
            promise_id = %promise.promise_id,
            on_time = promise.kept_on_time,
            "promise fulfilled"
        );
    }
    Ok(Response::new(kept))
}

pub async fn follow_up(
    api: &ComplaintApi,
    r: Request<pb::ScheduleFollowUpRequest>,
) -> Reply<pb::ScheduleFollowUpResponse> {
    let key = key(
        r.metadata(),
        FOLLOW_UP,
        &r.get_ref().request_id,
        r.get_ref(),
    )?;
    let fresh = match api.requests.begin::<_, Error>(key.as_ref()).await? {
        Begun::Replayed(answer) => return Ok(Response::new(answer)),
        Begun::Fresh(fresh) => fresh,
    };
    let now = api.clock.now();
    let asked = follow_up_from_proto(r.into_inner(), new_id(), now)?;
    let planned = &asked.follow_up;
    let id = planned.complaint_id.as_str();
    let name = customer_name(api, id, "SCHEDULE_FOLLOW_UP").await?;
    let scheduled = fresh
        .finish::<_, Error, _>(async |txn| {
            follow_ups::add(txn, planned, asked.expected_version).await?;
            let stored = still_taken(txn, id, "SCHEDULE_FOLLOW_UP").await?;
            let told = reminders::follow_up_planned(&stored.complaint, &name, planned, now);
            notices::enqueue(txn, &told).await?;
            // Read back, so its times show as every later read shows them.
            let follow_up = follow_ups::of_complaint(txn, id)
                .await?
                .into_iter()
                .find(|f| f.id == planned.id)
                .ok_or_else(|| Error::Internal(format!("follow-up {} not stored", planned.id)))?;
            Ok(pb::ScheduleFollowUpResponse {
                complaint: Some(answer(api, txn, id).await?),
                follow_up: Some(follow_up_to_proto(&follow_up)),
            })
        })
        .await?;
    api.relay.notify_one();
    Ok(Response::new(scheduled))
}

/// Promises, follow-ups and compensation are taken until the complaint is CLOSED: refused as a
/// move the state forbids is, saying where the complaint stands. `what` names the call as the
/// timeline names moves ("PROMISE_TO_CUSTOMER").
pub(super) fn taken_until_closed(complaint: &Complaint, what: &str) -> Result<(), Error> {
    match complaint.state {
        ComplaintState::Closed => Err(Error::Precondition {
            reason: "COMPLAINT_CLOSED",
            message: format!("{what} is not allowed on a CLOSED complaint"),
        }),
        _ => Ok(()),
    }
}

/// The complaint as `conn` sees it after the write that locked its row, still taken.
pub(super) async fn still_taken<C: ConnectionTrait>(
    conn: &C,
    complaint_id: &str,
    what: &str,
) -> Result<StoredComplaint, Error> {
    let stored = complaints::get(conn, complaint_id).await?;
    taken_until_closed(&stored.complaint, what)?;
    Ok(stored)
}

/// The name staff tasks about the complaint's customer show, once the complaint is known and
/// still taken. A customer the profile no longer knows is shown by id: the task is still
/// worth doing.
async fn customer_name(
    api: &ComplaintApi,
    complaint_id: &str,
    what: &str,
) -> Result<String, Error> {
    let stored = complaints::get(api.db.conn(), complaint_id).await?;
    taken_until_closed(&stored.complaint, what)?;
    let customer_id = &stored.complaint.customer_id;
    let found = api.directory.customer(customer_id).await?;
    Ok(found.map_or_else(|| customer_id.clone(), |c| c.name))
}

/// A new id for a promise, a follow-up or a ledger entry: time-ordered (UUIDv7), as the
/// store lists them.
pub(super) fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

#[cfg(test)]
mod tests {
    use tonic::Status;
    use tonic_types::StatusExt;

    use super::*;
    use crate::domain::{Category, Channel, ComplaintDraft, NewComplaint, Severity};

    #[test]
    fn a_closed_complaint_refuses_as_an_illegal_move_does() {
        let values = NewComplaint {
            customer_id: "cust-1".into(),
            channel: Some(Channel::Hall),
            category: Some(Category::Network),
            severity: Some(Severity::Low),
            summary: "信号差".into(),
            description: String::new(),
            first_contact_owner: "E1001".into(),
        };
        let now = "2026-06-15T04:00:00Z".parse().unwrap();
        let mut complaint = Complaint::open(
            "c-1".into(),
            ComplaintDraft::new(values, now).unwrap(),
            "GOLD".into(),
            None,
        );
        for open in [ComplaintState::Open, ComplaintState::Resolved] {
            complaint.state = open;
            assert!(taken_until_closed(&complaint, "PROMISE_TO_CUSTOMER").is_ok());
        }
        complaint.state = ComplaintState::Closed;
        let status =
            Status::from(taken_until_closed(&complaint, "PROMISE_TO_CUSTOMER").unwrap_err());
        assert_eq!(status.code(), tonic::Code::FailedPrecondition);
        let failure = status.get_details_precondition_failure().unwrap();
        assert_eq!(failure.violations[0].r#type, "COMPLAINT_CLOSED");
        assert!(
            status.message().contains("PROMISE_TO_CUSTOMER"),
            "{status:?}"
        );
    }
}
