//! The account manager's work log and the audit trail: append-only, listed newest first by
//! their UUIDv7 ids.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};
use vipcare_storage::idempotency::{Idempotency, Outcome, RequestKey};
use vipcare_storage::{StorageError, outbox};

use super::entities::{audit_record, service_note};
use super::statement;
use crate::domain::{AuditRecord, Channel, CustomerId, NoteKind, ServiceNote};
use crate::error::Error;

/// Where sensitive-query notices go, and the event their rows carry (the reminder service's
/// `Event`, whose call the relay chooses).
pub const NOTICE_DESTINATION: &str = "reminder";
pub const SENSITIVE_QUERY_EVENT: &str = "vipcare.reminder.v1.Event";

/// What an erased customer's notes say instead of their text.
const REDACTED: &str = "已注销";

/// Adds a note, once per request key. Returns the note (the first one on a repeat).
pub async fn add_note(
    flow: &Idempotency,
    conn: &DatabaseConnection,
    note: &ServiceNote,
    key: Option<&RequestKey>,
) -> Result<ServiceNote, Error> {
    let outcome = flow
        .run::<_, Error, _>(key, async |txn| {
            note_row(note).into_active_model().insert(txn).await?;
            super::stale::record(txn, super::stale::of_customer(&note.customer_id)).await?;
            Ok((note.clone(), note.note_id.as_bytes().to_vec()))
        })
        .await?;
    match outcome {
        Outcome::Done(note) => Ok(note),
        Outcome::Replayed(note_id) => {
            let note_id = String::from_utf8_lossy(&note_id).into_owned();
            let row = service_note::Entity::find_by_id(note_id).one(conn).await?;
            row.map(note_from_row)
                .transpose()?
                .ok_or_else(|| Error::Internal("a replayed note is gone".into()))
        }
    }
}

/// Notes of one customer older than the `before` note id, newest first.
pub async fn list_notes(
    conn: &DatabaseConnection,
    customer: &CustomerId,
    kind: Option<NoteKind>,
    before: Option<&str>,
    limit: u64,
) -> Result<Vec<ServiceNote>, Error> {
    use service_note::Column;
    let mut query = service_note::Entity::find()
        .filter(Column::CustomerId.eq(customer.as_str()))
        .order_by_desc(Column::NoteId)
        .limit(limit);
    if let Some(kind) = kind {
        query = query.filter(Column::Kind.eq(kind.code()));
    }
    if let Some(before) = before {
        query = query.filter(Column::NoteId.lt(before));
    }
    query
        .all(conn)
        .await?
        .into_iter()
        .map(note_from_row)
        .collect()
}

/// Erasure: the notes stay (kind, author, time) but their text goes.
pub async fn redact_notes<C: ConnectionTrait>(
    conn: &C,
    customer: &CustomerId,
) -> Result<(), Error> {
    let sql = "UPDATE service_notes SET text = $1 WHERE customer_id = $2";
    let values = [REDACTED.into(), customer.as_str().into()];
    conn.execute_raw(statement(conn, sql, values)).await?;
    Ok(())
}

pub async fn insert_audit<C: ConnectionTrait>(
    conn: &C,
    record: &AuditRecord,
) -> Result<(), StorageError> {
    audit_row(record).into_active_model().insert(conn).await?;
    Ok(())
}

/// One insert for the audit records of a whole page of customers.
pub async fn insert_audits<C: ConnectionTrait>(
    conn: &C,
    records: &[AuditRecord],
) -> Result<(), Error> {
    if records.is_empty() {
        return Ok(());
    }
    let rows = records.iter().map(|r| audit_row(r).into_active_model());
    audit_record::Entity::insert_many(rows)
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// The audit records of unmasked reads and, in the same transaction, a sensitive-query notice
/// (encoded by `notice`) for each customer who is told: the notice is as durable as the audit.
pub async fn record_reads(
    conn: &DatabaseConnection,
    records: &[AuditRecord],
    notice: impl Fn(&AuditRecord) -> Vec<u8>,
) -> Result<(), Error> {
    if records.is_empty() {
        return Ok(());
    }
    let txn = conn.begin().await.map_err(StorageError::from)?;
    insert_audits(&txn, records).await?;
    let notices = records.iter().filter(|r| r.tells_customer()).map(notice);
    outbox::enqueue_many(&txn, NOTICE_DESTINATION, SENSITIVE_QUERY_EVENT, notices).await?;
    txn.commit().await.map_err(StorageError::from)?;
    Ok(())
}

/// Audit records of one customer older than the `before` audit id, newest first.
pub async fn list_audit(
    conn: &DatabaseConnection,
    customer: &CustomerId,
    before: Option<&str>,
    limit: u64,
) -> Result<Vec<AuditRecord>, Error> {
    use audit_record::Column;
    let mut query = audit_record::Entity::find()
        .filter(Column::CustomerId.eq(customer.as_str()))
        .order_by_desc(Column::AuditId)
        .limit(limit);
    if let Some(before) = before {
        query = query.filter(Column::AuditId.lt(before));
    }
    let rows = query.all(conn).await?;
    rows.into_iter()
        .map(|row| {
            Ok(AuditRecord {
                customer_id: CustomerId::parse(&row.customer_id).map_err(|e| corrupt(e.0))?,
                channel: Channel::from_code(&row.channel),
                fields: row
                    .fields
                    .split(',')
                    .filter(|f| !f.is_empty())
                    .map(str::to_owned)
                    .collect(),
                audit_id: row.audit_id,
                client: row.client,
                action: row.action,
                reason: row.reason,
                create_time: row.create_time,
            })
        })
        .collect()
}

fn audit_row(record: &AuditRecord) -> audit_record::Model {
    audit_record::Model {
        audit_id: record.audit_id.clone(),
        customer_id: record.customer_id.to_string(),
        client: record.client.clone(),
        channel: record
            .channel
            .map(Channel::code)
            .unwrap_or_default()
            .to_owned(),
        action: record.action.clone(),
        fields: record.fields.join(","),
        reason: record.reason.clone(),
        create_time: record.create_time,
    }
}

fn note_row(note: &ServiceNote) -> service_note::Model {
    service_note::Model {
        note_id: note.note_id.clone(),
        customer_id: note.customer_id.to_string(),
        kind: note.kind.code().to_owned(),
        text: note.text.clone(),
        author: note.author.clone(),
        channel: note
            .channel
            .map(Channel::code)
            .unwrap_or_default()
            .to_owned(),
        create_time: note.create_time,
    }
}

fn note_from_row(row: service_note::Model) -> Result<ServiceNote, Error> {
    Ok(ServiceNote {
        customer_id: CustomerId::parse(&row.customer_id).map_err(|e| corrupt(e.0))?,
        kind: NoteKind::from_code(&row.kind).ok_or_else(|| corrupt(row.kind.clone()))?,
        channel: Channel::from_code(&row.channel),
        note_id: row.note_id,
        text: row.text,
        author: row.author,
        create_time: row.create_time,
    })
}

fn corrupt(detail: String) -> Error {
    Error::Internal(format!("corrupt work-log row: {detail}"))
}
