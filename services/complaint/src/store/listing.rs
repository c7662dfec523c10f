//! ListComplaints: complaints filtered (every filter optional, combined with AND), most
//! recently opened first, then by id. Pages are cut by keyset on (opened time, id) behind an
//! opaque token, so a complaint opened while a caller pages never shifts the pages that follow:
//! nothing already listed repeats and nothing is skipped. A token carries the filters it was
//! issued for, and is refused with other filters: it would point into another list.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, Value};
use vipcare_domain::Invalid;
use vipcare_storage::page;

use super::codec::{COMPLAINT_COLUMNS, SCHEDULE_READ, complaint, select_complaints};
use super::{StoreError, StoredComplaint, ms, statement};
use crate::domain::{Category, Channel, ComplaintState, Severity};

/// What to list; `None` (or `false`) matches everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ComplaintFilter {
    pub customer_id: Option<String>,
    pub state: Option<ComplaintState>,
    pub first_contact_owner: Option<String>,
    pub handler: Option<String>,
    /// Only complaints not yet resolved whose time to respond or to resolve has run out unmet
    /// by the `now` of the call.
    pub overdue: bool,
    pub category: Option<Category>,
    pub channel: Option<Channel>,
    pub severity: Option<Severity>,
    /// Opened at or after this.
    pub opened_from: Option<DateTime<Utc>>,
    /// Opened before this.
    pub opened_before: Option<DateTime<Utc>>,
}

impl ComplaintFilter {
    /// The filters as a token carries them: equal exactly when the filters are.
    fn key(&self) -> String {
        let code = |c: Option<&'static str>| c.unwrap_or_default();
        let key = (
            &self.customer_id,
            code(self.state.map(|s| s.code())),
            &self.first_contact_owner,
            &self.handler,
            self.overdue,
            code(self.category.map(|c| c.code())),
            code(self.channel.map(|c| c.code())),
            code(self.severity.map(|s| s.code())),
            self.opened_from.map(ms),
            self.opened_before.map(ms),
        );
        serde_json::to_string(&key).unwrap_or_default()
    }
}

/// One page and the token of the next (empty on the last).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComplaintPage {
    pub complaints: Vec<StoredComplaint>,
    pub next_page_token: String,
}

/// The page of at most `size` complaints after the one `token` points to (empty: the first).
pub async fn list<C: ConnectionTrait>(
    conn: &C,
    filter: &ComplaintFilter,
    now: DateTime<Utc>,
    token: &str,
    size: u64,
) -> Result<ComplaintPage, StoreError> {
    // The overdue list is cut from the schedules (see below), which carry the opening time
    // too; every other list from the complaints.
    let overdue = filter.overdue;
    let by = if overdue { "s" } else { "c" };
    let mut clauses: Vec<String> = Vec::new();
    let mut values: Vec<Value> = Vec::new();
    let mut bind = |value: Value| {
        values.push(value);
        format!("${}", values.len())
    };
    let texts = [
        ("customer_id", &filter.customer_id),
        ("first_contact_owner", &filter.first_contact_owner),
        ("handler", &filter.handler),
    ];
    for (column, wanted) in texts {
        if let Some(wanted) = wanted {
            clauses.push(format!("c.{column} = {}", bind(wanted.clone().into())));
        }
    }
    let codes = [
        ("state", filter.state.map(|s| s.code())),
        ("category", filter.category.map(|c| c.code())),
        ("channel", filter.channel.map(|c| c.code())),
        ("severity", filter.severity.map(|s| s.code())),
    ];
    for (column, wanted) in codes {
        if let Some(code) = wanted {
            clauses.push(format!("c.{column} = {}", bind(code.into())));
        }
    }
    // Filters on the complaint row: the overdue list joins it only for them.
    let on_complaint = !clauses.is_empty();
    if overdue {
        // `overdue_ms` is NULL once resolved; the state says so too, whatever a schedule held.
        clauses.push(format!(
            "s.overdue_ms <= {} AND s.state NOT IN ('RESOLVED', 'CLOSED')",
            bind(ms(now).into())
        ));
    }
    if let Some(from) = filter.opened_from {
        clauses.push(format!("{by}.opened_ms >= {}", bind(ms(from).into())));
    }
    if let Some(before) = filter.opened_before {
        clauses.push(format!("{by}.opened_ms < {}", bind(ms(before).into())));
    }
    let key = filter.key();
    if !token.is_empty() {
        let (opened, id) = cursor(token, &key)?;
        let (opened, id) = (bind(opened.into()), bind(id.into()));
        clauses.push(format!(
            "({by}.opened_ms < {opened} OR ({by}.opened_ms = {opened} AND {by}.complaint_id < {id}))"
        ));
    }
    let filter = if clauses.is_empty() {
        "TRUE".to_owned()
    } else {
        clauses.join(" AND ")
    };
    let order = "ORDER BY c.opened_ms DESC, c.complaint_id DESC";
    let limit = size.saturating_add(1);
    let sql = if overdue {
        // Overdue complaints are old ones: walking the opening order from the newest would
        // pass over nearly every open complaint before the first. The schedules' overdue index
        // (which carries the opening time, id and state, and the rest of the schedule row: see
        // m0004, m0005 and m0006) finds the few, set apart so the planner cannot trade it for
        // that walk; the page is cut from them with its schedules, and only its complaint rows
        // are read.
        let from = if on_complaint {
            "complaint_schedules s JOIN complaints c ON c.complaint_id = s.complaint_id"
        } else {
            "complaint_schedules s"
        };
        let columns: Vec<String> = COMPLAINT_COLUMNS.iter().map(|c| format!("c.{c}")).collect();
        format!(
            "WITH hits AS MATERIALIZED \
             (SELECT s.complaint_id, {SCHEDULE_READ}, s.opened_ms FROM {from} WHERE {filter}), \
             page AS (SELECT * FROM hits \
             ORDER BY opened_ms DESC, complaint_id DESC LIMIT {limit}) \
             SELECT {}, {SCHEDULE_READ} FROM page s JOIN complaints c \
             ON c.complaint_id = s.complaint_id {order}",
            columns.join(", ")
        )
    } else {
        format!(
            "{} WHERE {filter} {order} LIMIT {limit}",
            select_complaints()
        )
    };
    let rows = conn.query_all_raw(statement(conn, &sql, values)).await?;
    let mut complaints = rows.iter().map(complaint).collect::<Result<Vec<_>, _>>()?;
    let next_page_token = page::next_token(&mut complaints, size, |c| {
        let at = (ms(c.complaint.opened_at), &c.complaint.id, &key);
        serde_json::to_string(&at).unwrap_or_default()
    });
    Ok(ComplaintPage {
        complaints,
        next_page_token,
    })
}

/// The (opened time, id) a token points after, if it was issued for filters of `key`.
fn cursor(token: &str, key: &str) -> Result<(i64, String), StoreError> {
    let refused = |why: &str| StoreError::Invalid(vec![Invalid::new(why).at("page_token")]);
    let text = page::decode(token).ok_or_else(|| refused("not a token this service issued"))?;
    let (opened, id, issued_for): (i64, String, String) =
        serde_json::from_str(&text).map_err(|_| refused("not a token this service issued"))?;
    if issued_for != key {
        return Err(refused("was issued for other filters"));
    }
    Ok((opened, id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_carry_their_filters() {
        let mine = ComplaintFilter {
            handler: Some("staff-1".into()),
            ..ComplaintFilter::default()
        };
        let token = page::encode(&serde_json::to_string(&(5, "c-1", mine.key())).unwrap());
        assert_eq!(cursor(&token, &mine.key()).unwrap(), (5, "c-1".to_owned()));
        let other = ComplaintFilter {
            overdue: true,
            ..mine.clone()
        };
        for (bad, key) in [(&token, other.key()), (&page::encode("5:c-1"), mine.key())] {
            assert!(
                matches!(cursor(bad, &key), Err(StoreError::Invalid(v)) if v[0].field == "page_token")
            );
        }
    }
}
