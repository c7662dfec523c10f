//! CreateCustomer, GetCustomer, BatchGetCustomers, UpdateCustomer, ListCustomers and
//! EraseCustomer.

use tonic::{Request, Response};
use vipcare_proto::profile::v1 as pb;
use vipcare_proto::profile::v1::get_customer_request::Lookup;
use vipcare_storage::idempotency::RequestKey;
use vipcare_storage::page::next_token;

use super::cached;
use super::convert::{self, customer_to_proto};
use super::{ProfileApi, Reply, paging, viewer};
use crate::domain::{
    AuditRecord, Customer, CustomerId, Disclosure, Invalid, Msisdn, RegionCode, Viewer, Violation,
    batch_ids, bounded_text,
};
use crate::error::Error;
use crate::store::customers::{self, CustomerFilter, Outcome};
use crate::store::worklog;

const CREATE: &str = "vipcare.profile.v1.ProfileService/CreateCustomer";
const ERASE: &str = "vipcare.profile.v1.ProfileService/EraseCustomer";

pub async fn create(
    api: &ProfileApi,
    request: Request<pb::CreateCustomerRequest>,
) -> Reply<pb::CreateCustomerResponse> {
    let viewer = viewer(request.metadata());
    let key = RequestKey::of(
        &viewer.client,
        CREATE,
        &request.get_ref().request_id,
        request.get_ref(),
    )?;
    let pb::CreateCustomerRequest {
        customer,
        request_id: _,
    } = request.into_inner();
    let customer = customer.ok_or_else(|| Invalid::new("required").at("customer"))?;
    let profile = convert::profile_from_proto(&customer)?;
    profile
        .check_dates(api.clock.today())
        .map_err(|v| v.under("customer"))?;
    let now = api.clock.now();
    let customer = Customer::create(profile, now);
    let audit = viewer.audit(&customer, "CreateCustomer", now);
    let created = match customers::create(
        &api.requests,
        api.db.conn(),
        &customer,
        key.as_ref(),
        audit.as_ref(),
    )
    .await?
    {
        Outcome::Done(customer) => customer,
        Outcome::Replayed(customer) => audited(api, &viewer, customer, "CreateCustomer").await?,
    };
    Ok(Response::new(pb::CreateCustomerResponse {
        customer: Some(customer_to_proto(&created, viewer.disclosure)),
    }))
}

pub async fn get(
    api: &ProfileApi,
    request: Request<pb::GetCustomerRequest>,
) -> Reply<pb::GetCustomerResponse> {
    let viewer = viewer(request.metadata());
    let lookup = request.into_inner().lookup;
    let customer = match (lookup, viewer.disclosure) {
        (None, _) => {
            return Err(Invalid::new("set customer_id or msisdn")
                .at("lookup")
                .into());
        }
        (Some(Lookup::CustomerId(id)), Disclosure::Masked) => {
            cached::masked_customer(api, &convert::customer_id(&id, "customer_id")?).await?
        }
        (Some(Lookup::Msisdn(msisdn)), Disclosure::Masked) => {
            let id = cached::customer_id_of(api, &msisdn_field(&msisdn)?).await?;
            cached::masked_customer(api, &id).await?
        }
        (Some(Lookup::CustomerId(id)), Disclosure::Full) => {
            let found =
                customers::get(api.db.conn(), &convert::customer_id(&id, "customer_id")?).await?;
            customer_to_proto(
                &audited(api, &viewer, found, "GetCustomer").await?,
                Disclosure::Full,
            )
        }
        (Some(Lookup::Msisdn(msisdn)), Disclosure::Full) => {
            let found = customers::find_by_msisdn(api.db.conn(), &msisdn_field(&msisdn)?)
                .await?
                .ok_or(Error::MsisdnNotFound)?;
            customer_to_proto(
                &audited(api, &viewer, found, "GetCustomer").await?,
                Disclosure::Full,
            )
        }
    };
    Ok(Response::new(pb::GetCustomerResponse {
        customer: Some(customer),
    }))
}

/// Always masked, so nothing is audited and nothing personal leaves in bulk.
pub async fn batch_get(
    api: &ProfileApi,
    request: Request<pb::BatchGetCustomersRequest>,
) -> Reply<pb::BatchGetCustomersResponse> {
    let pb::BatchGetCustomersRequest { customer_ids } = request.into_inner();
    let ids = batch_ids(&customer_ids, "customer_ids", CustomerId::parse)?;
    let mut found = customers::find_many(api.db.conn(), &ids).await?;
    let (mut answered, mut missing) = (Vec::with_capacity(found.len()), Vec::new());
    for id in ids {
        match found.remove(&id) {
            Some(c) => answered.push(customer_to_proto(&c, Disclosure::Masked)),
            None => missing.push(id.to_string()),
        }
    }
    Ok(Response::new(pb::BatchGetCustomersResponse {
        customers: answered,
        missing_customer_ids: missing,
    }))
}

pub async fn update(
    api: &ProfileApi,
    request: Request<pb::UpdateCustomerRequest>,
) -> Reply<pb::UpdateCustomerResponse> {
    let viewer = viewer(request.metadata());
    let pb::UpdateCustomerRequest {
        customer,
        update_mask,
    } = request.into_inner();
    let customer = customer.ok_or_else(|| Invalid::new("required").at("customer"))?;
    let id = convert::customer_id(&customer.customer_id, "customer.customer_id")?;
    if customer.etag.is_empty() {
        return Err(Invalid::new("required: send the etag you read")
            .at("customer.etag")
            .into());
    }
    let paths = update_mask.map(|m| m.paths).unwrap_or_default();
    let changes = convert::changes_from_proto(&customer, &paths)?;
    let when = (api.clock.now(), api.clock.today());
    let (_, after, stale) =
        customers::update(api.db.conn(), &id, &customer.etag, changes, when, &viewer).await?;
    cached::invalidate(api, stale).await;
    Ok(Response::new(pb::UpdateCustomerResponse {
        customer: Some(customer_to_proto(&after, viewer.disclosure)),
    }))
}

pub async fn list(
    api: &ProfileApi,
    request: Request<pb::ListCustomersRequest>,
) -> Reply<pb::ListCustomersResponse> {
    let viewer = viewer(request.metadata());
    let pb::ListCustomersRequest {
        page_size,
        page_token,
        region_code,
        account_manager_id,
        group_id,
        status,
    } = request.into_inner();
    let (size, after) = paging(page_size, &page_token)?;
    let filter = CustomerFilter {
        region_code: (!region_code.is_empty())
            .then(|| RegionCode::parse(&region_code).map_err(|e| e.at("region_code")))
            .transpose()?,
        account_manager_id: Some(account_manager_id).filter(|s| !s.is_empty()),
        group_id: Some(group_id).filter(|s| !s.is_empty()),
        status: convert::status_from_proto(status).map_err(|e| e.at("status"))?,
    };
    let mut found = customers::list(api.db.conn(), &filter, after.as_deref(), size + 1).await?;
    let next_page_token = next_token(&mut found, size, |c: &Customer| c.id.to_string());
    let now = api.clock.now();
    let audits: Vec<AuditRecord> = found
        .iter()
        .filter_map(|c| viewer.audit(c, "ListCustomers", now))
        .collect();
    worklog::record_reads(api.db.conn(), &audits, convert::sensitive_query_notice).await?;
    let customers = found
        .iter()
        .map(|c| customer_to_proto(c, viewer.disclosure))
        .collect();
    Ok(Response::new(pb::ListCustomersResponse {
        customers,
        next_page_token,
    }))
}

pub async fn erase(
    api: &ProfileApi,
    request: Request<pb::EraseCustomerRequest>,
) -> Reply<pb::EraseCustomerResponse> {
    let viewer = viewer(request.metadata());
    let key = RequestKey::of(
        &viewer.client,
        ERASE,
        &request.get_ref().request_id,
        request.get_ref(),
    )?;
    let pb::EraseCustomerRequest {
        customer_id,
        reason,
        request_id: _,
    } = request.into_inner();
    let id = convert::customer_id(&customer_id, "customer_id")?;
    let reason = bounded_text(&reason, 500).map_err(|e| e.at("reason"))?;
    let now = api.clock.now();
    let mut audit = AuditRecord::new(
        id.clone(),
        &viewer.client,
        viewer.channel,
        "EraseCustomer",
        &[],
        now,
    );
    audit.reason = reason;
    let (outcome, stale) =
        customers::erase(&api.requests, api.db.conn(), &id, key.as_ref(), audit, now).await?;
    cached::invalidate(api, stale).await;
    let (Outcome::Done(erased) | Outcome::Replayed(erased)) = outcome;
    Ok(Response::new(pb::EraseCustomerResponse {
        customer: Some(customer_to_proto(&erased, viewer.disclosure)),
    }))
}

/// Writes the audit record an unmasked read of `customer` owes, then hands it back.
async fn audited(
    api: &ProfileApi,
    viewer: &Viewer,
    customer: Customer,
    action: &str,
) -> Result<Customer, Error> {
    if let Some(record) = viewer.audit(&customer, action, api.clock.now()) {
        let told = convert::sensitive_query_notice;
        worklog::record_reads(api.db.conn(), std::slice::from_ref(&record), told).await?;
    }
    Ok(customer)
}

fn msisdn_field(text: &str) -> Result<Msisdn, Violation> {
    Msisdn::parse(text).map_err(|e| e.at("msisdn"))
}
