//! The inputs of value summaries as of a period for a page of customers in id order, in four
//! queries per page whatever its size: the customers, their bills in the summary's window, their
//! referral counts, and their active family members with those members' bills in the window.
//! Pages are contiguous id ranges, so every query is a range scan on an index. Paging and
//! reading the inputs are separate steps, so a stream can read the next pages while the inputs
//! of earlier ones are still loading.

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Value,
};

use super::entities::customer::{Column, Entity};
use super::statement;
use crate::domain::{
    Bill, CustomerId, CustomerStatus, MonthlySpend, Period, RelationKind, SummaryInput, window,
};
use crate::error::Error;

/// One row per customer: its bills in the window as "YYYY-MM=fen" pairs, so a batch of 5,000
/// customers is 5,000 rows. The covering index (customer_id, period DESC, spend_fen) keeps
/// this an index-only range scan on both backends; bills outside the window are never read.
const WINDOW_SPEND: &str = "SELECT customer_id, \
    string_agg(period || '=' || CAST(spend_fen AS TEXT), ',') \
    FROM consumption WHERE customer_id >= $1 AND customer_id <= $2 \
    AND period >= $3 AND period <= $4 GROUP BY customer_id";

const REFERRAL_COUNTS: &str = "SELECT customer_id, COUNT(*) FROM customer_relations \
    WHERE kind = $3 AND customer_id >= $1 AND customer_id <= $2 GROUP BY customer_id";

/// Every ACTIVE, not erased family member with its join date and its bills in the window, one
/// row per bill (one row with no bill for a member without any): suspended, closed and erased
/// members add nothing to a household.
const FAMILY_SPEND: &str = "SELECT r.customer_id, r.related_customer_id, m.network_joined_on, \
    c.period, c.spend_fen \
    FROM customer_relations r \
    JOIN customers m ON m.customer_id = r.related_customer_id \
    LEFT JOIN consumption c ON c.customer_id = r.related_customer_id \
      AND c.period >= $4 AND c.period <= $5 \
    WHERE r.kind = $3 AND r.customer_id >= $1 AND r.customer_id <= $2 \
    AND m.status = $6 AND m.erase_time IS NULL";

type CustomerTuple = (String, Option<NaiveDate>, String, String, bool);

/// A page of customers, in id order, whose summary inputs are still to be read.
#[derive(Debug)]
pub struct Page(Vec<CustomerTuple>);

impl Page {
    /// The last customer id, where the next page starts after.
    pub fn last_id(&self) -> Option<&str> {
        self.0.last().map(|c| c.0.as_str())
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Where a batch starts.
#[derive(Debug, Clone, Copy)]
pub enum Start<'a> {
    Beginning,
    /// Just after this customer id.
    After(&'a str),
    /// At this customer id.
    At(&'a str),
}

/// The summary input as of `as_of` of one customer; NOT_FOUND when there is no such customer.
pub async fn one<C: ConnectionTrait>(
    conn: &C,
    id: &CustomerId,
    as_of: Period,
) -> Result<SummaryInput, Error> {
    let page = page(conn, Start::At(id.as_str()), 1).await?;
    inputs(conn, page, as_of)
        .await?
        .into_iter()
        .find(|input| &input.customer_id == id)
        .ok_or_else(|| Error::customer_not_found(id.as_str()))
}

/// At most `limit` customers from `start` on, in id order.
pub async fn page<C: ConnectionTrait>(
    conn: &C,
    start: Start<'_>,
    limit: u64,
) -> Result<Page, Error> {
    let mut query = Entity::find()
        .select_only()
        .columns([
            Column::CustomerId,
            Column::NetworkJoinedOn,
            Column::Status,
            Column::PlanCode,
            Column::GroupKeyPerson,
        ])
        .order_by_asc(Column::CustomerId)
        .limit(limit);
    query = match start {
        Start::Beginning => query,
        Start::After(id) => query.filter(Column::CustomerId.gt(id)),
        Start::At(id) => query.filter(Column::CustomerId.gte(id)),
    };
    Ok(Page(query.into_tuple().all(conn).await?))
}

/// The summary inputs as of `as_of` of a page's customers, in the page's order.
pub async fn inputs<C: ConnectionTrait>(
    conn: &C,
    page: Page,
    as_of: Period,
) -> Result<Vec<SummaryInput>, Error> {
    let customers = page.0;
    let (Some(first), Some(last)) = (customers.first(), customers.last()) else {
        return Ok(Vec::new());
    };
    let range: [Value; 2] = [first.0.as_str().into(), last.0.as_str().into()];
    let (from, to) = window(as_of);
    let (from, to) = (from.to_string(), to.to_string());

    let mut bills: HashMap<String, Vec<Bill>> = HashMap::new();
    let values = [
        range[0].clone(),
        range[1].clone(),
        from.as_str().into(),
        to.as_str().into(),
    ];
    for row in conn
        .query_all_raw(statement(conn, WINDOW_SPEND, values))
        .await?
    {
        let (id, history): (String, String) = row.try_get_many_by_index()?;
        bills.insert(id, parse_bills(&history)?);
    }

    let mut referrals: HashMap<String, u32> = HashMap::new();
    let values = [
        range[0].clone(),
        range[1].clone(),
        RelationKind::Referral.code().into(),
    ];
    for row in conn
        .query_all_raw(statement(conn, REFERRAL_COUNTS, values))
        .await?
    {
        let (id, count): (String, i64) = row.try_get_many_by_index()?;
        referrals.insert(id, u32::try_from(count).unwrap_or(u32::MAX));
    }

    // Per customer, per active family member: its join date and bills.
    type Member = (Option<NaiveDate>, Vec<Bill>);
    let mut family: HashMap<String, HashMap<String, Member>> = HashMap::new();
    let values = [
        range[0].clone(),
        range[1].clone(),
        RelationKind::Family.code().into(),
        from.as_str().into(),
        to.as_str().into(),
        CustomerStatus::Active.code().into(),
    ];
    for row in conn
        .query_all_raw(statement(conn, FAMILY_SPEND, values))
        .await?
    {
        let (id, member, joined, period, spend): (
            String,
            String,
            Option<NaiveDate>,
            Option<String>,
            Option<i64>,
        ) = row.try_get_many_by_index()?;
        let entry = family
            .entry(id)
            .or_default()
            .entry(member)
            .or_insert_with(|| (joined, Vec::new()));
        if let (Some(period), Some(spend_fen)) = (period, spend) {
            let period = Period::parse(&period).map_err(|e| corrupt("period", e.0))?;
            entry.1.push(Bill { period, spend_fen });
        }
    }

    customers
        .into_iter()
        .map(|(id, joined, status, plan_code, key_person)| {
            let family_arpu_3m = family
                .remove(&id)
                .unwrap_or_default()
                .into_values()
                .map(|(joined, bills)| MonthlySpend::new(as_of, joined, &bills).arpu_3m())
                .collect();
            Ok(SummaryInput {
                customer_id: CustomerId::parse(&id).map_err(|e| corrupt("customer_id", e.0))?,
                network_joined_on: joined,
                status: CustomerStatus::from_code(&status)
                    .ok_or_else(|| corrupt("status", status.clone()))?,
                plan_code,
                group_key_person: key_person,
                bills: bills.remove(&id).unwrap_or_default(),
                family_arpu_3m,
                referrals: referrals.get(&id).copied().unwrap_or(0),
            })
        })
        .collect()
}

/// "YYYY-MM=fen" pairs separated by commas.
fn parse_bills(history: &str) -> Result<Vec<Bill>, Error> {
    history
        .split(',')
        .map(|pair| {
            let bad = || corrupt("spend", history.to_owned());
            let (period, fen) = pair.split_once('=').ok_or_else(bad)?;
            Ok(Bill {
                period: Period::parse(period).map_err(|_| bad())?,
                spend_fen: fen.parse().map_err(|_| bad())?,
            })
        })
        .collect()
}

fn corrupt(what: &str, detail: String) -> Error {
    Error::Internal(format!("corrupt {what} in summary data: {detail}"))
}
