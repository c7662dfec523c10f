//! AddServiceNote, ListServiceNotes and ListAuditRecords.

use tonic::{Request, Response};
use vipcare_proto::profile::v1 as pb;
use vipcare_storage::idempotency::RequestKey;
use vipcare_storage::page::next_token;

use super::convert::{self, audit_to_proto, note_to_proto};
use super::{ProfileApi, Reply, cached, paging, viewer};
use crate::domain::{AuditRecord, Invalid, ServiceNote};
use crate::error::Error;
use crate::store::{customers, stale, worklog};

const ADD_NOTE: &str = "vipcare.profile.v1.ProfileService/AddServiceNote";

/// The channel defaults to the caller's, the author to the calling client.
pub async fn add_note(
    api: &ProfileApi,
    request: Request<pb::AddServiceNoteRequest>,
) -> Reply<pb::AddServiceNoteResponse> {
    let viewer = viewer(request.metadata());
    let key = RequestKey::of(
        &viewer.client,
        ADD_NOTE,
        &request.get_ref().request_id,
        request.get_ref(),
    )?;
    let pb::AddServiceNoteRequest {
        customer_id,
        kind,
        text,
        author,
        channel,
        request_id: _,
    } = request.into_inner();
    let id = convert::customer_id(&customer_id, "customer_id")?;
    let kind = convert::note_kind_from_proto(kind)
        .map_err(|e| e.at("kind"))?
        .ok_or_else(|| Invalid::new("required").at("kind"))?;
    let channel = convert::channel_from_proto(channel)
        .map_err(|e| e.at("channel"))?
        .or(viewer.channel);
    let author = if author.is_empty() {
        viewer.client.as_str()
    } else {
        author.as_str()
    };
    let note = ServiceNote::new(id.clone(), kind, &text, author, channel, api.clock.now())?;
    if customers::get(api.db.conn(), &id).await?.is_erased() {
        return Err(Error::Erased(id.to_string()));
    }
    let note = worklog::add_note(&api.requests, api.db.conn(), &note, key.as_ref()).await?;
    cached::invalidate(api, stale::of_customer(&id)).await;
    Ok(Response::new(pb::AddServiceNoteResponse {
        note: Some(note_to_proto(&note)),
    }))
}

pub async fn list_notes(
    api: &ProfileApi,
    request: Request<pb::ListServiceNotesRequest>,
) -> Reply<pb::ListServiceNotesResponse> {
    let pb::ListServiceNotesRequest {
        customer_id,
        kind,
        page_size,
        page_token,
    } = request.into_inner();
    let id = convert::customer_id(&customer_id, "customer_id")?;
    let kind = convert::note_kind_from_proto(kind).map_err(|e| e.at("kind"))?;
    let (size, before) = paging(page_size, &page_token)?;
    customers::get(api.db.conn(), &id).await?;
    let mut notes =
        worklog::list_notes(api.db.conn(), &id, kind, before.as_deref(), size + 1).await?;
    let next_page_token = next_token(&mut notes, size, |n: &ServiceNote| n.note_id.clone());
    let notes = notes.iter().map(note_to_proto).collect();
    Ok(Response::new(pb::ListServiceNotesResponse {
        notes,
        next_page_token,
    }))
}

pub async fn list_audit(
    api: &ProfileApi,
    request: Request<pb::ListAuditRecordsRequest>,
) -> Reply<pb::ListAuditRecordsResponse> {
    let pb::ListAuditRecordsRequest {
        customer_id,
        page_size,
        page_token,
    } = request.into_inner();
    let id = convert::customer_id(&customer_id, "customer_id")?;
    let (size, before) = paging(page_size, &page_token)?;
    customers::get(api.db.conn(), &id).await?;
    let mut records = worklog::list_audit(api.db.conn(), &id, before.as_deref(), size + 1).await?;
    let next_page_token = next_token(&mut records, size, |r: &AuditRecord| r.audit_id.clone());
    let records = records.iter().map(audit_to_proto).collect();
    Ok(Response::new(pb::ListAuditRecordsResponse {
        records,
        next_page_token,
    }))
}
