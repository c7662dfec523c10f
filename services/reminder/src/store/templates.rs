//! Templates by code: added or replaced whole (with the version the caller read, when it gives
//! one), listed in code order. A touchpoint has one default per channel and locale: storing a
//! new default clears the flag of the previous one in the same transaction, and a unique index
//! keeps it so even against concurrent writers.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, QueryResult, TransactionSession, TransactionTrait, Value};
use vipcare_domain::Invalid;
use vipcare_storage::StorageError;
use vipcare_storage::bulk::BulkInsert;
use vipcare_storage::page;

use super::codec::coded;
use super::error::corrupt;
use super::{StoreError, ms, statement, time};
use crate::domain::{ContactChannel, Template, TemplateDraft, Touchpoint};

/// A template as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTemplate {
    pub template: Template,
    /// 1 when first stored, bumped by every replacement (and by losing the default flag).
    pub version: i64,
    pub update_time: DateTime<Utc>,
    /// The client that stored it; empty for the seeded templates.
    pub updated_by: String,
}

impl StoredTemplate {
    pub fn etag(&self) -> String {
        format!("\"v{}\"", self.version)
    }
}

/// ListTemplates filters; `None` matches every template.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TemplateFilter {
    pub touchpoint: Option<Touchpoint>,
    pub channel: Option<ContactChannel>,
    pub locale: Option<String>,
}

const COLUMNS: &str = "code, touchpoint, channel, locale, name, body, is_default, version, \
    updated_by, update_ms";

fn stored(row: &QueryResult) -> Result<StoredTemplate, StoreError> {
    let code: String = row.try_get("", "code")?;
    let draft = TemplateDraft {
        touchpoint: coded("touchpoint", row, Touchpoint::from_code)?,
        channel: coded("channel", row, ContactChannel::from_code)?,
        locale: row.try_get("", "locale")?,
        name: row.try_get("", "name")?,
        body: row.try_get("", "body")?,
        is_default: row.try_get("", "is_default")?,
        code: code.clone(),
    };
    let template = Template::new(draft).map_err(|refused| {
        let reason = refused.first().map(ToString::to_string).unwrap_or_default();
        corrupt(&format!("template {code}"), reason)
    })?;
    Ok(StoredTemplate {
        template,
        version: row.try_get("", "version")?,
        update_time: time(row.try_get("", "update_ms")?),
        updated_by: row.try_get("", "updated_by")?,
    })
}

pub async fn get<C: ConnectionTrait>(
    conn: &C,
    code: &str,
) -> Result<Option<StoredTemplate>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM templates WHERE code = $1");
    let row = conn
        .query_one_raw(statement(conn, &sql, [code.into()]))
        .await?;
    row.as_ref().map(stored).transpose()
}

/// Adds `template`, or replaces the one with its code; with `etag`, only over that version.
/// Returns the template as stored and whether it was new.
pub async fn upsert<C: ConnectionTrait + TransactionTrait>(
    conn: &C,
    template: &Template,
    etag: Option<&str>,
    updated_by: &str,
    now: DateTime<Utc>,
) -> Result<(StoredTemplate, bool), StoreError> {
    let txn = conn.begin().await?;
    let current = get(&txn, template.code()).await?;
    let version = current.as_ref().map_or(0, |c| c.version);
    if let Some(given) = etag {
        let now_tag = current
            .as_ref()
            .map(StoredTemplate::etag)
            .unwrap_or_default();
        if given != now_tag {
            return Err(StoreError::StaleEtag {
                given: given.to_owned(),
                current: now_tag,
            });
        }
    }
    if template.is_default() {
        txn.execute_raw(statement(
            &txn,
            "UPDATE templates SET is_default = FALSE, version = version + 1, update_ms = $1 \
             WHERE touchpoint = $2 AND channel = $3 AND locale = $4 AND is_default AND code <> $5",
            [
                ms(now).into(),
                template.touchpoint().code().into(),
                template.channel().code().into(),
                template.locale().into(),
                template.code().into(),
            ],
        ))
        .await?;
    }
    let mut values = row(template).to_vec();
    values.extend([updated_by.into(), ms(now).into(), version.into()]);
    let sql = if current.is_none() {
        // A concurrent first store of the code makes this a no-op: a conflict, reported below.
        "INSERT INTO templates (code, touchpoint, channel, locale, name, body, is_default, \
         updated_by, update_ms, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10 + 1) \
         ON CONFLICT DO NOTHING"
    } else {
        "UPDATE templates SET touchpoint = $2, channel = $3, locale = $4, name = $5, body = $6, \
         is_default = $7, updated_by = $8, update_ms = $9, version = version + 1 \
         WHERE code = $1 AND version = $10"
    };
    let written = txn
        .execute_raw(statement(&txn, sql, values))
        .await
        .map_err(StorageError::from);
    match written {
        Ok(done) if done.rows_affected() == 1 => {}
        Ok(_) | Err(StorageError::UniqueViolation(_)) => {
            return Err(StoreError::Conflict(format!(
                "template {} was stored concurrently",
                template.code()
            )));
        }
        Err(err) => return Err(err.into()),
    }
    txn.commit().await?;
    let stored = StoredTemplate {
        template: template.clone(),
        version: version + 1,
        update_time: time(ms(now)),
        updated_by: updated_by.to_owned(),
    };
    Ok((stored, current.is_none()))
}

/// The bound values of a template's own columns, in `COLUMNS` order.
fn row(t: &Template) -> [Value; 7] {
    [
        t.code().into(),
        t.touchpoint().code().into(),
        t.channel().code().into(),
        t.locale().into(),
        t.name().into(),
        t.body().into(),
        t.is_default().into(),
    ]
}

/// Templates matching `filter` in code order: one page of at most `size` after the page
/// `token` points to (empty for the first), and the next page's token (empty on the last).
pub async fn list<C: ConnectionTrait>(
    conn: &C,
    filter: &TemplateFilter,
    token: &str,
    size: u64,
) -> Result<(Vec<StoredTemplate>, String), StoreError> {
    let mut clauses = vec!["code > $1".to_owned()];
    let after = if token.is_empty() {
        String::new()
    } else {
        page::decode(token).ok_or_else(|| {
            StoreError::Invalid(vec![
                Invalid::new("not a token this service issued").at("page_token"),
            ])
        })?
    };
    let mut values: Vec<Value> = vec![after.into()];
    let mut bind = |column: &str, value: Value| {
        values.push(value);
        clauses.push(format!("{column} = ${}", values.len()));
    };
    if let Some(t) = filter.touchpoint {
        bind("touchpoint", t.code().into());
    }
    if let Some(c) = filter.channel {
        bind("channel", c.code().into());
    }
    if let Some(l) = &filter.locale {
        bind("locale", l.clone().into());
    }
    let limit = size.saturating_add(1);
    let sql = format!(
        "SELECT {COLUMNS} FROM templates WHERE {} ORDER BY code LIMIT {limit}",
        clauses.join(" AND ")
    );
    let rows = conn.query_all_raw(statement(conn, &sql, values)).await?;
    let mut found = rows.iter().map(stored).collect::<Result<Vec<_>, _>>()?;
    let next = page::next_token(&mut found, size, |t| t.template.code().to_owned());
    Ok((found, next))
}

/// Inserts the templates whose code (or whose touchpoint, channel and locale's default) is not
/// taken; an existing template is left as it is.
pub(super) async fn insert_missing<C: ConnectionTrait>(
    conn: &C,
    templates: &[Template],
    now: DateTime<Utc>,
) -> Result<u64, StoreError> {
    let mut insert = BulkInsert::new(
        "templates",
        &[
            "code",
            "touchpoint",
            "channel",
            "locale",
            "name",
            "body",
            "is_default",
            "update_ms",
        ],
    )
    .fixed("version", "1")
    .fixed("updated_by", "''")
    .then("ON CONFLICT DO NOTHING");
    for t in templates {
        let mut values = row(t).to_vec();
        values.push(ms(now).into());
        insert.row(values);
    }
    Ok(insert.execute(conn).await?)
}
