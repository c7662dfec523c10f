//! ListResponses and ListDetractors: responses filtered (every filter optional, combined with
//! AND), most recent first, then by id. Pages are cut by keyset on (submit time, id) behind an
//! opaque token, so a response submitted while a caller pages never shifts the pages that
//! follow: nothing already listed repeats and nothing is skipped. A token carries the filters
//! it was issued for and is refused with others: it would point into another list.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, Value};
use vipcare_storage::page;

use super::codec::{response, select_responses};
use super::{StoreError, StoredResponse, ms, statement};
use crate::domain::codes::FollowUpState;

/// What to list; `None` matches everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResponseFilter {
    pub customer_id: Option<String>,
    pub scenario_code: Option<String>,
    pub hall_id: Option<String>,
    pub staff_id: Option<String>,
    /// Submitted at or after this.
    pub from: Option<DateTime<Utc>>,
    /// Submitted before this.
    pub before: Option<DateTime<Utc>>,
}

/// Which detractors to list: those of `responses`, whose follow-up stands at `state`; `None`:
/// every detractor.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DetractorFilter {
    pub responses: ResponseFilter,
    pub state: Option<FollowUpState>,
}

/// One page and the token of the next (empty on the last).
#[derive(Debug, Clone, PartialEq)]
pub struct ResponsePage {
    pub responses: Vec<StoredResponse>,
    pub next_page_token: String,
}

/// The page of at most `size` responses after the one `token` points to (empty: the first).
pub async fn list<C: ConnectionTrait>(
    conn: &C,
    filter: &ResponseFilter,
    token: &str,
    size: u64,
) -> Result<ResponsePage, StoreError> {
    let mut query = Query::of(filter);
    page_of(conn, &mut query, ("responses", filter.key()), token, size).await
}

/// The page of at most `size` detractors (responses whose follow-up is not NONE).
pub async fn detractors<C: ConnectionTrait>(
    conn: &C,
    filter: &DetractorFilter,
    token: &str,
    size: u64,
) -> Result<ResponsePage, StoreError> {
    let mut query = Query::of(&filter.responses);
    // Spelled as the partial index is, so PostgreSQL reads only the detractors.
    query.clauses.push("follow_up_state <> 'NONE'".to_owned());
    let state = filter.state.map(FollowUpState::code);
    if let Some(code) = state {
        let mark = query.bind(code.into());
        query.clauses.push(format!("follow_up_state = {mark}"));
    }
    let key = format!("{}|{}", filter.responses.key(), state.unwrap_or_default());
    page_of(conn, &mut query, ("detractors", key), token, size).await
}

impl ResponseFilter {
    /// The filters as a token carries them: equal exactly when the filters are.
    fn key(&self) -> String {
        let key = (
            &self.customer_id,
            &self.scenario_code,
            &self.hall_id,
            &self.staff_id,
            self.from.map(ms),
            self.before.map(ms),
        );
        serde_json::to_string(&key).unwrap_or_default()
    }
}

/// A WHERE clause being built with its bound values.
struct Query {
    clauses: Vec<String>,
    values: Vec<Value>,
}

impl Query {
    fn of(filter: &ResponseFilter) -> Query {
        let mut query = Query {
            clauses: Vec::new(),
            values: Vec::new(),
        };
        let texts = [
            ("customer_id", &filter.customer_id),
            ("scenario_code", &filter.scenario_code),
            ("hall_id", &filter.hall_id),
            ("staff_id", &filter.staff_id),
        ];
        for (column, wanted) in texts {
            if let Some(wanted) = wanted {
                let mark = query.bind(wanted.clone().into());
                query.clauses.push(format!("{column} = {mark}"));
            }
        }
        if let Some(from) = filter.from {
            let mark = query.bind(ms(from).into());
            query.clauses.push(format!("submit_ms >= {mark}"));
        }
        if let Some(before) = filter.before {
            let mark = query.bind(ms(before).into());
            query.clauses.push(format!("submit_ms < {mark}"));
        }
        query
    }

    fn bind(&mut self, value: Value) -> String {
        self.values.push(value);
        format!("${}", self.values.len())
    }
}

/// `list` is which list the token is of, and `key` its filters.
async fn page_of<C: ConnectionTrait>(
    conn: &C,
    query: &mut Query,
    (list, key): (&str, String),
    token: &str,
    size: u64,
) -> Result<ResponsePage, StoreError> {
    let key = format!("{list}:{key}");
    if !token.is_empty() {
        let (at, id) = cursor(token, &key)?;
        let (at, id) = (query.bind(at.into()), query.bind(id.into()));
        query.clauses.push(format!(
            "(submit_ms < {at} OR (submit_ms = {at} AND response_id < {id}))"
        ));
    }
    let filter = if query.clauses.is_empty() {
        "1 = 1".to_owned()
    } else {
        query.clauses.join(" AND ")
    };
    let sql = format!(
        "{} WHERE {filter} ORDER BY submit_ms DESC, response_id DESC LIMIT {}",
        select_responses(),
        size.saturating_add(1)
    );
    let values = std::mem::take(&mut query.values);
    let rows = conn.query_all_raw(statement(conn, &sql, values)).await?;
    let mut responses = rows.iter().map(response).collect::<Result<Vec<_>, _>>()?;
    let next_page_token = page::next_token(&mut responses, size, |r| {
        serde_json::to_string(&(ms(r.submit_time), &r.response_id, &key)).unwrap_or_default()
    });
    Ok(ResponsePage {
        responses,
        next_page_token,
    })
}

/// The (submit time, id) a token points after, if it was issued for the list `key`.
fn cursor(token: &str, key: &str) -> Result<(i64, String), StoreError> {
    let foreign = || StoreError::invalid("page_token", "not a token this service issued");
    let text = page::decode(token).ok_or_else(foreign)?;
    let (at, id, issued_for): (i64, String, String) =
        serde_json::from_str(&text).map_err(|_| foreign())?;
    if issued_for != key {
        return Err(StoreError::invalid(
            "page_token",
            "was issued for other filters",
        ));
    }
    Ok((at, id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_carry_their_filters() {
        let mine = ResponseFilter {
            hall_id: Some("hall-1".into()),
            ..ResponseFilter::default()
        };
        let key = format!("responses:{}", mine.key());
        let token = page::encode(&serde_json::to_string(&(5, "r-1", &key)).unwrap());
        assert_eq!(cursor(&token, &key).unwrap(), (5, "r-1".to_owned()));
        let other = format!("detractors:{}|", mine.key());
        for (bad, key) in [(&token, other), (&page::encode("5:r-1"), key)] {
            assert!(
                matches!(cursor(bad, &key), Err(StoreError::Invalid(v)) if v[0].field == "page_token")
            );
        }
    }
}
