//! Customer queries and transactions: create and erase once per request key, with their audit
//! records, updates guarded by the version the etag was made from, filtered keyset lists.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};
use vipcare_storage::StorageError;
use vipcare_storage::idempotency::{self, Idempotency, RequestKey};

use super::codec::{from_row, to_row};
use super::entities::customer::{Column, Entity};
use super::worklog;
use crate::domain::{
    AuditRecord, Customer, CustomerId, CustomerStatus, Msisdn, ProfileChange, RegionCode, Viewer,
};
use crate::error::Error;

/// A write's result: done now, or the result of an earlier call with the same `request_id`.
#[derive(Debug)]
pub enum Outcome {
    Done(Customer),
    Replayed(Customer),
}

/// ListCustomers filters; `None` matches everything.
#[derive(Debug, Default)]
pub struct CustomerFilter {
    pub region_code: Option<RegionCode>,
    pub account_manager_id: Option<String>,
    pub group_id: Option<String>,
    pub status: Option<CustomerStatus>,
}

pub async fn find<C: ConnectionTrait>(
    conn: &C,
    id: &CustomerId,
) -> Result<Option<Customer>, Error> {
    let row = Entity::find_by_id(id.to_string()).one(conn).await?;
    row.map(from_row).transpose()
}

/// The customer, or NOT_FOUND.
pub async fn get<C: ConnectionTrait>(conn: &C, id: &CustomerId) -> Result<Customer, Error> {
    find(conn, id)
        .await?
        .ok_or_else(|| Error::customer_not_found(id.as_str()))
}

/// The customers among `ids` (each given once), by id.
pub async fn find_many<C: ConnectionTrait>(
    conn: &C,
    ids: &[CustomerId],
) -> Result<HashMap<CustomerId, Customer>, Error> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = Entity::find()
        .filter(Column::CustomerId.is_in(ids.iter().map(ToString::to_string)))
        .all(conn)
        .await?;
    rows.into_iter()
        .map(|row| from_row(row).map(|c| (c.id.clone(), c)))
        .collect()
}

pub async fn find_by_msisdn<C: ConnectionTrait>(
    conn: &C,
    msisdn: &Msisdn,
) -> Result<Option<Customer>, Error> {
    let row = Entity::find()
        .filter(Column::Msisdn.eq(msisdn.as_str()))
        .one(conn)
        .await?;
    row.map(from_row).transpose()
}

/// Which of `ids` are customers.
pub async fn existing<C: ConnectionTrait>(
    conn: &C,
    ids: &[String],
) -> Result<HashSet<String>, Error> {
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    let found: Vec<String> = Entity::find()
        .select_only()
        .column(Column::CustomerId)
        .filter(Column::CustomerId.is_in(ids.iter().cloned()))
        .into_tuple()
        .all(conn)
        .await?;
    Ok(found.into_iter().collect())
}

/// Customers after `after` in id order, at most `limit`.
pub async fn list(
    conn: &DatabaseConnection,
    filter: &CustomerFilter,
    after: Option<&str>,
    limit: u64,
) -> Result<Vec<Customer>, Error> {
    let mut query = Entity::find().order_by_asc(Column::CustomerId).limit(limit);
    if let Some(after) = after {
        query = query.filter(Column::CustomerId.gt(after));
    }
    if let Some(region) = &filter.region_code {
        query = query.filter(Column::RegionCode.eq(region.as_str()));
    }
    if let Some(manager) = &filter.account_manager_id {
        query = query.filter(Column::AccountManagerId.eq(manager.as_str()));
    }
    if let Some(group) = &filter.group_id {
        query = query.filter(Column::GroupId.eq(group.as_str()));
    }
    if let Some(status) = filter.status {
        query = query.filter(Column::Status.eq(status.code()));
    }
    query.all(conn).await?.into_iter().map(from_row).collect()
}

/// Inserts a new customer with its audit record, once per request key.
pub async fn create(
    flow: &Idempotency,
    conn: &DatabaseConnection,
    customer: &Customer,
    key: Option<&RequestKey>,
    audit: Option<&AuditRecord>,
) -> Result<Outcome, Error> {
    let outcome = flow
        .run::<_, Error, _>(key, async |txn| {
            let inserted = to_row(customer).into_active_model().insert(txn).await;
            match inserted.map_err(StorageError::from) {
                Ok(_) => {}
                Err(StorageError::UniqueViolation(_)) => return Err(Error::MsisdnTaken),
                Err(err) => return Err(err.into()),
            }
            if let Some(record) = audit {
                worklog::insert_audit(txn, record).await?;
            }
            Ok((customer.clone(), answer(&customer.id)))
        })
        .await?;
    replayed(conn, outcome).await
}

/// Bulk load (demo data, benchmarks): plain inserts in one transaction, no audit or keys.
pub async fn insert_many(conn: &DatabaseConnection, batch: &[Customer]) -> Result<(), Error> {
    if batch.is_empty() {
        return Ok(());
    }
    let rows: Vec<_> = batch
        .iter()
        .map(|c| to_row(c).into_active_model())
        .collect();
    let txn = conn.begin().await?;
    Entity::insert_many(rows)
        .exec_without_returning(&txn)
        .await?;
    txn.commit().await?;
    Ok(())
}

/// Applies an update when `etag` is current. Returns the customer before and after, and the
/// cached answers it made stale (recorded with the write).
pub async fn update(
    conn: &DatabaseConnection,
    id: &CustomerId,
    etag: &str,
    changes: Vec<ProfileChange>,
    (now, today): (DateTime<Utc>, NaiveDate),
    viewer: &Viewer,
) -> Result<(Customer, Customer, Vec<String>), Error> {
    let txn = conn.begin().await?;
    let before = get(&txn, id).await?;
    if before.is_erased() {
        return Err(Error::Erased(id.to_string()));
    }
    if before.etag() != etag {
        return Err(Error::StaleEtag {
            given: etag.to_owned(),
            current: before.etag(),
        });
    }
    let mut after = before.clone();
    after.apply(changes, now).map_err(|v| v.under("customer"))?;
    after
        .profile
        .check_dates(today)
        .map_err(|v| v.under("customer"))?;
    save(&txn, &after, before.version).await?;
    let stale = super::stale::of_update(&before, &after);
    let stale = if before.profile.status == after.profile.status {
        super::stale::record(&txn, stale.clone()).await?;
        stale
    } else {
        super::stale::record_with_household(&txn, id, stale).await?
    };
    if let Some(record) = viewer.audit(&after, "UpdateCustomer", now) {
        worklog::insert_audit(&txn, &record).await?;
    }
    txn.commit().await?;
    Ok((before, after, stale))
}

/// Erases the customer's personal data and redacts the work log; audited with `reason`.
/// Returns the outcome with the cached answers it made stale (none on a replay).
pub async fn erase(
    flow: &Idempotency,
    conn: &DatabaseConnection,
    id: &CustomerId,
    key: Option<&RequestKey>,
    mut audit: AuditRecord,
    now: DateTime<Utc>,
) -> Result<(Outcome, Vec<String>), Error> {
    let outcome = flow
        .run::<_, Error, _>(key, async |txn| {
            let mut customer = get(txn, id).await?;
            let msisdn = customer.profile.msisdn.clone();
            let (version, fields) = (customer.version, customer.personal_fields());
            if customer.erase(now) {
                save(txn, &customer, version).await?;
                worklog::redact_notes(txn, id).await?;
                audit.fields = fields.iter().map(|f| (*f).to_owned()).collect();
                audit.fields.push("service_notes".to_owned());
                worklog::insert_audit(txn, &audit).await?;
            }
            let stale = super::stale::of_erasure(id, &msisdn);
            let stale = super::stale::record_with_household(txn, id, stale).await?;
            Ok(((customer, stale), answer(id)))
        })
        .await?;
    match outcome {
        idempotency::Outcome::Done((customer, stale)) => Ok((Outcome::Done(customer), stale)),
        idempotency::Outcome::Replayed(stored) => Ok((
            replayed(conn, idempotency::Outcome::Replayed(stored)).await?,
            Vec::new(),
        )),
    }
}

/// Writes `customer` if its stored version is still `expected`; a lost race is a stale etag.
async fn save<C: ConnectionTrait>(
    conn: &C,
    customer: &Customer,
    expected: i64,
) -> Result<(), Error> {
    let row = to_row(customer).into_active_model().reset_all();
    let result = Entity::update_many()
        .set(row)
        .filter(Column::CustomerId.eq(customer.id.as_str()))
        .filter(Column::Version.eq(expected))
        .exec(conn)
        .await
        .map_err(StorageError::from);
    match result {
        Ok(done) if done.rows_affected == 1 => Ok(()),
        Ok(_) => Err(Error::StaleEtag {
            given: format!("v{expected}"),
            current: "newer".into(),
        }),
        Err(StorageError::UniqueViolation(_)) => Err(Error::MsisdnTaken),
        Err(err) => Err(err.into()),
    }
}

/// A keyed call's stored answer is the customer's id: the customer is read again on replay,
/// so no personal data sits in the key table after an erasure.
fn answer(id: &CustomerId) -> Vec<u8> {
    id.as_str().as_bytes().to_vec()
}

async fn replayed(
    conn: &DatabaseConnection,
    outcome: idempotency::Outcome<Customer>,
) -> Result<Outcome, Error> {
    match outcome {
        idempotency::Outcome::Done(customer) => Ok(Outcome::Done(customer)),
        idempotency::Outcome::Replayed(stored) => {
            let id = String::from_utf8(stored)
                .ok()
                .and_then(|text| CustomerId::parse(&text).ok())
                .ok_or_else(|| Error::Internal("bad stored answer of a customer call".into()))?;
            Ok(Outcome::Replayed(get(conn, &id).await?))
        }
    }
}
