//! The inputs of value summaries for a page of customers in id order, in four queries per
//! page whatever its size: the customers, their spend history, their relation counts, and
//! their family members' last 3 months. Pages are contiguous id ranges, so every query is a
//! range scan on an index. Paging and reading the inputs are separate steps, so a stream can
//! read the next pages while the inputs of earlier ones are still loading.

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::entities::customer::{Column, Entity};
use super::statement;
use crate::domain::{
    CustomerId, CustomerStatus, Period, RelationKind, SUMMARY_MONTHS, SummaryInput, arpu_3m,
};
use crate::error::Error;

/// One row per customer: the newest period and the spend history newest first as text,
/// so a batch of 5,000 customers is 5,000 rows. Window functions would bound the history in
/// SQL but cost SQLite three times as much; the covering index (customer_id, period DESC,
/// spend_fen) keeps this an index-only range scan on both backends.
const RECENT_SPEND: &str = "SELECT customer_id, MAX(period), \
    string_agg(CAST(spend_fen AS TEXT), ',' ORDER BY period DESC) \
    FROM consumption WHERE customer_id >= $1 AND customer_id <= $2 GROUP BY customer_id";

const RELATION_COUNTS: &str = "SELECT customer_id, kind, COUNT(*) FROM customer_relations \
    WHERE customer_id >= $1 AND customer_id <= $2 GROUP BY customer_id, kind";

/// Each family member's months from its third newest on: an index probe per member.
const FAMILY_SPEND: &str = "SELECT r.customer_id, r.related_customer_id, c.spend_fen \
    FROM customer_relations r JOIN consumption c ON c.customer_id = r.related_customer_id \
    WHERE r.kind = $3 AND r.customer_id >= $1 AND r.customer_id <= $2 \
    AND c.period >= COALESCE((SELECT c2.period FROM consumption c2 \
      WHERE c2.customer_id = r.related_customer_id ORDER BY c2.period DESC LIMIT 1 OFFSET 2), '')";

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

/// The summary input of one customer; NOT_FOUND when there is no such customer.
pub async fn one<C: ConnectionTrait>(conn: &C, id: &CustomerId) -> Result<SummaryInput, Error> {
    let page = page(conn, Start::At(id.as_str()), 1).await?;
    inputs(conn, page)
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

/// The summary inputs of a page's customers, in the page's order.
pub async fn inputs<C: ConnectionTrait>(conn: &C, page: Page) -> Result<Vec<SummaryInput>, Error> {
    let customers = page.0;
    let (Some(first), Some(last)) = (customers.first(), customers.last()) else {
        return Ok(Vec::new());
    };
    let range = [first.0.as_str().into(), last.0.as_str().into()];

    let mut recent: HashMap<String, (Period, Vec<i64>)> = HashMap::new();
    for row in conn
        .query_all_raw(statement(conn, RECENT_SPEND, range.clone()))
        .await?
    {
        let (id, period, history): (String, String, String) = row.try_get_many_by_index()?;
        let period = Period::parse(&period).map_err(|e| corrupt("period", e.0))?;
        let spend = history
            .split(',')
            .take(SUMMARY_MONTHS)
            .map(|fen| fen.parse().map_err(|_| corrupt("spend", history.clone())))
            .collect::<Result<Vec<i64>, Error>>()?;
        recent.insert(id, (period, spend));
    }

    let mut referrals: HashMap<String, u32> = HashMap::new();
    let mut family_count: HashMap<String, usize> = HashMap::new();
    for row in conn
        .query_all_raw(statement(conn, RELATION_COUNTS, range.clone()))
        .await?
    {
        let (id, kind, count): (String, String, i64) = row.try_get_many_by_index()?;
        let count = u32::try_from(count).unwrap_or(u32::MAX);
        match RelationKind::from_code(&kind) {
            Some(RelationKind::Referral) => {
                referrals.insert(id, count);
            }
            Some(RelationKind::Family) => {
                family_count.insert(id, count as usize);
            }
            Some(RelationKind::GroupColleague | RelationKind::SecondaryLine) => {}
            None => return Err(corrupt("relation kind", kind)),
        }
    }
    let mut family: HashMap<String, HashMap<String, Vec<i64>>> = HashMap::new();
    let values = [
        range[0].clone(),
        range[1].clone(),
        RelationKind::Family.code().into(),
    ];
    for row in conn
        .query_all_raw(statement(conn, FAMILY_SPEND, values))
        .await?
    {
        let (id, member, spend): (String, String, i64) = row.try_get_many_by_index()?;
        family
            .entry(id)
            .or_default()
            .entry(member)
            .or_default()
            .push(spend);
    }

    customers
        .into_iter()
        .map(|(id, joined, status, plan_code, key_person)| {
            let members = family.remove(&id).unwrap_or_default();
            let mut family_arpu_3m: Vec<i64> = members.values().map(|s| arpu_3m(s)).collect();
            // Members without any consumption yet count with an ARPU of 0.
            let total = family_count.get(&id).copied().unwrap_or(0);
            family_arpu_3m.resize(total.max(family_arpu_3m.len()), 0);
            let (latest_period, recent_spend) = match recent.remove(&id) {
                Some((period, spend)) => (Some(period), spend),
                None => (None, Vec::new()),
            };
            Ok(SummaryInput {
                customer_id: CustomerId::parse(&id).map_err(|e| corrupt("customer_id", e.0))?,
                network_joined_on: joined,
                status: CustomerStatus::from_code(&status)
                    .ok_or_else(|| corrupt("status", status.clone()))?,
                plan_code,
                group_key_person: key_person,
                latest_period,
                recent_spend,
                family_arpu_3m,
                referrals: referrals.get(&id).copied().unwrap_or(0),
            })
        })
        .collect()
}

fn corrupt(what: &str, detail: String) -> Error {
    Error::Internal(format!("corrupt {what} in summary data: {detail}"))
}
