//! ListReminders: a customer's (or a member of staff's) reminders, filtered by state and
//! touchpoint, earliest planned send first, then by id. Pages are cut by keyset on
//! (planned send time, id) behind an opaque token, so a reminder inserted while a caller pages
//! never shifts the pages that follow: nothing already listed repeats and nothing is skipped.

use sea_orm::{ConnectionTrait, Value};
use vipcare_domain::Invalid;
use vipcare_storage::page;

use super::codec::{REMINDER_COLUMNS, reminder};
use super::{StoreError, ms, statement};
use crate::domain::{Reminder, ReminderState, Touchpoint};

/// What to list; `None` or empty matches everything. Callers require a customer or an
/// assignee, so a list never scans every reminder.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReminderFilter {
    pub customer_id: Option<String>,
    pub states: Vec<ReminderState>,
    pub touchpoint: Option<Touchpoint>,
    pub staff_assignee: Option<String>,
}

/// One page and the token of the next (empty on the last).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderPage {
    pub reminders: Vec<Reminder>,
    pub next_page_token: String,
}

/// The page of at most `size` reminders after the one `token` points to (empty: the first).
pub async fn list<C: ConnectionTrait>(
    conn: &C,
    filter: &ReminderFilter,
    token: &str,
    size: u64,
) -> Result<ReminderPage, StoreError> {
    let mut clauses: Vec<String> = Vec::new();
    let mut values: Vec<Value> = Vec::new();
    let mut bind = |value: Value| {
        values.push(value);
        format!("${}", values.len())
    };
    if let Some(customer) = &filter.customer_id {
        clauses.push(format!("customer_id = {}", bind(customer.clone().into())));
    }
    if let Some(assignee) = &filter.staff_assignee {
        clauses.push(format!(
            "staff_assignee = {}",
            bind(assignee.clone().into())
        ));
    }
    if let Some(touchpoint) = filter.touchpoint {
        clauses.push(format!("touchpoint = {}", bind(touchpoint.code().into())));
    }
    if !filter.states.is_empty() {
        let marks: Vec<String> = filter
            .states
            .iter()
            .map(|s| bind(s.code().into()))
            .collect();
        clauses.push(format!("state IN ({})", marks.join(", ")));
    }
    if !token.is_empty() {
        let (planned, id) = cursor(token)?;
        let (planned, id) = (bind(planned.into()), bind(id.into()));
        clauses.push(format!(
            "(planned_send_ms > {planned} OR (planned_send_ms = {planned} AND reminder_id > {id}))"
        ));
    }
    let filter = if clauses.is_empty() {
        "TRUE".to_owned()
    } else {
        clauses.join(" AND ")
    };
    let sql = format!(
        "SELECT {REMINDER_COLUMNS} FROM reminders WHERE {filter} \
         ORDER BY planned_send_ms, reminder_id LIMIT {}",
        size.saturating_add(1)
    );
    let rows = conn.query_all_raw(statement(conn, &sql, values)).await?;
    let mut reminders = rows.iter().map(reminder).collect::<Result<Vec<_>, _>>()?;
    let next_page_token = page::next_token(&mut reminders, size, |r| {
        format!("{}:{}", ms(r.planned_send_at), r.id)
    });
    Ok(ReminderPage {
        reminders,
        next_page_token,
    })
}

/// The (planned send time, id) a token points after.
fn cursor(token: &str) -> Result<(i64, String), StoreError> {
    page::decode(token)
        .and_then(|c| {
            let (planned, id) = c.split_once(':')?;
            Some((planned.parse().ok()?, id.to_owned()))
        })
        .ok_or_else(|| {
            StoreError::Invalid(vec![
                Invalid::new("not a token this service issued").at("page_token"),
            ])
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_carry_the_time_and_id_and_refuse_foreign_text() {
        let token = page::encode("1780000000000:0192f0c8-7d8e-7000-8000-000000000001");
        assert_eq!(
            cursor(&token).unwrap(),
            (
                1_780_000_000_000,
                "0192f0c8-7d8e-7000-8000-000000000001".to_owned()
            )
        );
        for bad in ["garbage", &page::encode("no-colon"), &page::encode("x:id")] {
            assert!(
                matches!(cursor(bad), Err(StoreError::Invalid(v)) if v[0].field == "page_token")
            );
        }
    }
}
