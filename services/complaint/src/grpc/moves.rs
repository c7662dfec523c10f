//! The lifecycle moves: AcknowledgeComplaint, StartWork, WaitForCustomer, ResumeWork,
//! AddAction, TransferComplaint, ResolveComplaint, ConfirmResolution, CloseComplaint and
//! ReopenComplaint. Each goes the same way (`make`): the request_id flow (a repeat answers the
//! first result before any check, version included), the request checked field by field
//! (`requests`), then in one transaction the move made over the version the caller acted on,
//! with its notices (`crate::handling`), answered with the complaint and the entry it added.

#[path = "moves_requests.rs"]
mod requests;

use prost::Message;
use tonic::{Request, Response};
use vipcare_proto::complaint::v1 as pb;
use vipcare_storage::idempotency::Begun;

use super::convert::complaint::entry_to_proto;
use super::{ComplaintApi, Reply};
use crate::domain::MoveName;
use crate::domain::text::party_id;
use crate::error::Error;
use crate::store::timeline::NumberedEntry;
use crate::{handling, store};

/// A response of a move: the complaint after it and the entry it added.
type Respond<R> = fn(Option<pb::Complaint>, Option<pb::TimelineEntry>) -> R;

pub async fn acknowledge(
    api: &ComplaintApi,
    r: Request<pb::AcknowledgeComplaintRequest>,
) -> Reply<pb::AcknowledgeComplaintResponse> {
    make(
        api,
        r,
        "AcknowledgeComplaint",
        requests::acknowledge,
        |complaint, entry| pb::AcknowledgeComplaintResponse { complaint, entry },
    )
    .await
}

pub async fn start_work(
    api: &ComplaintApi,
    r: Request<pb::StartWorkRequest>,
) -> Reply<pb::StartWorkResponse> {
    make(
        api,
        r,
        "StartWork",
        requests::start_work,
        |complaint, entry| pb::StartWorkResponse { complaint, entry },
    )
    .await
}

pub async fn wait_for_customer(
    api: &ComplaintApi,
    r: Request<pb::WaitForCustomerRequest>,
) -> Reply<pb::WaitForCustomerResponse> {
    make(
        api,
        r,
        "WaitForCustomer",
        requests::wait_for_customer,
        |complaint, entry| pb::WaitForCustomerResponse { complaint, entry },
    )
    .await
}

pub async fn resume_work(
    api: &ComplaintApi,
    r: Request<pb::ResumeWorkRequest>,
) -> Reply<pb::ResumeWorkResponse> {
    make(
        api,
        r,
        "ResumeWork",
        requests::resume_work,
        |complaint, entry| pb::ResumeWorkResponse { complaint, entry },
    )
    .await
}

pub async fn add_action(
    api: &ComplaintApi,
    r: Request<pb::AddActionRequest>,
) -> Reply<pb::AddActionResponse> {
    make(
        api,
        r,
        "AddAction",
        requests::add_action,
        |complaint, entry| pb::AddActionResponse { complaint, entry },
    )
    .await
}

pub async fn transfer(
    api: &ComplaintApi,
    r: Request<pb::TransferComplaintRequest>,
) -> Reply<pb::TransferComplaintResponse> {
    make(
        api,
        r,
        "TransferComplaint",
        requests::transfer,
        |complaint, entry| pb::TransferComplaintResponse { complaint, entry },
    )
    .await
}

pub async fn resolve(
    api: &ComplaintApi,
    r: Request<pb::ResolveComplaintRequest>,
) -> Reply<pb::ResolveComplaintResponse> {
    make(
        api,
        r,
        "ResolveComplaint",
        requests::resolve,
        |complaint, entry| pb::ResolveComplaintResponse { complaint, entry },
    )
    .await
}

pub async fn confirm_resolution(
    api: &ComplaintApi,
    r: Request<pb::ConfirmResolutionRequest>,
) -> Reply<pb::ConfirmResolutionResponse> {
    make(
        api,
        r,
        "ConfirmResolution",
        requests::confirm_resolution,
        |complaint, entry| pb::ConfirmResolutionResponse { complaint, entry },
    )
    .await
}

pub async fn close(
    api: &ComplaintApi,
    r: Request<pb::CloseComplaintRequest>,
) -> Reply<pb::CloseComplaintResponse> {
    make(
        api,
        r,
        "CloseComplaint",
        requests::close,
        |complaint, entry| pb::CloseComplaintResponse { complaint, entry },
    )
    .await
}

pub async fn reopen(
    api: &ComplaintApi,
    r: Request<pb::ReopenComplaintRequest>,
) -> Reply<pb::ReopenComplaintResponse> {
    make(
        api,
        r,
        "ReopenComplaint",
        requests::reopen,
        |complaint, entry| pb::ReopenComplaintResponse { complaint, entry },
    )
    .await
}

/// One move, start to end (see the module notes).
async fn make<Req: Message, Resp: Message + Default>(
    api: &ComplaintApi,
    r: Request<Req>,
    method: &str,
    convert: fn(&Req) -> requests::Call,
    respond: Respond<Resp>,
) -> Reply<Resp> {
    let (metadata, _, request) = r.into_parts();
    let (request_id, asked) = convert(&request);
    let key = super::request::key(&metadata, method, &request_id, &request)?;
    let fresh = match api.requests.begin::<Resp, Error>(key.as_ref()).await? {
        Begun::Replayed(answer) => return Ok(Response::new(answer)),
        Begun::Fresh(fresh) => fresh,
    };
    // An id no complaint can have is refused with the other fields, not looked for.
    if let Err(refused) = party_id(&asked.complaint_id) {
        let mut found = vec![refused.at("complaint_id")];
        found.extend(asked.the_move.err().unwrap_or_default());
        return Err(Error::Invalid(found));
    }
    // Asked of the profile before the transaction, so no transaction waits on another service.
    let customer_name = match asked.name {
        MoveName::Transfer => Some(customer_name(api, &asked.complaint_id).await?),
        _ => None,
    };
    let now = store::stored_time(api.clock.now());
    let mut notified = false;
    let answer = fresh
        .finish::<Resp, Error, _>(async |txn| {
            let moved = handling::make_move(txn, asked, customer_name.as_deref(), now).await?;
            notified = moved.notified;
            let complaint = super::reads::answer(api, txn, &moved.stored.complaint.id).await?;
            let entry = entry_to_proto(&NumberedEntry {
                version: moved.stored.complaint.version,
                entry: moved.entry,
            });
            Ok(respond(Some(complaint), Some(entry)))
        })
        .await
        .map_err(|err| match err {
            Error::Invalid(found) => {
                Error::Invalid(found.into_iter().map(requests::contract_field).collect())
            }
            err => err,
        })?;
    if notified {
        api.relay.notify_one();
    }
    Ok(Response::new(answer))
}

/// The customer's name as a staff task shows it. A transfer is not held up by the profile
/// being away: the task then names the customer by id, which staff can look up.
async fn customer_name(api: &ComplaintApi, complaint_id: &str) -> Result<String, Error> {
    let stored = store::complaints::get(api.db.conn(), complaint_id).await?;
    let customer_id = stored.complaint.customer_id;
    match api.directory.customer(&customer_id).await {
        Ok(Some(customer)) => Ok(customer.name),
        Ok(None) => Ok(customer_id),
        Err(err) => {
            tracing::warn!(%err, complaint_id, "customer's name unknown; the task shows the id");
            Ok(customer_id)
        }
    }
}
