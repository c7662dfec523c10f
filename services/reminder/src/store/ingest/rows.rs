//! Many rows inserted in one statement, answering which of them went in: `ON CONFLICT DO
//! NOTHING RETURNING key`. `vipcare_storage::bulk` writes rows it need not hear back about;
//! the feed must know which event ids were new and which reminders a dedupe key turned away.
//! On PostgreSQL each column travels as one array (one statement text whatever the batch
//! size, planned once per connection); a column that is NULL in every row is written as NULL,
//! and a text column NULL in some rows goes as '' and comes back through `NULLIF` — so only
//! text columns where '' means nothing (ids, keys) may be partly NULL. SQLite takes multi-row
//! VALUES in chunks, binding NULLs as they are.

use std::collections::HashSet;

use sea_orm::sea_query::ArrayType;
use sea_orm::{ConnectionTrait, DbBackend, Statement, Value};
use vipcare_storage::sql;

use crate::store::StoreError;

/// Bound values per SQLite statement, as `vipcare_storage::bulk` measured them.
const SQLITE_VALUES: usize = 300;
/// What RETURNING calls the key, on both backends.
const KEY_ALIAS: &str = "inserted_key";

/// Rows for `table`, one value per column each, row-major.
pub(super) struct NewRows<'a> {
    pub table: &'a str,
    pub columns: &'a [&'a str],
    /// The column whose value RETURNING reports for each row inserted.
    pub key: &'a str,
    pub values: Vec<Value>,
}

impl NewRows<'_> {
    /// Inserts the rows a conflict does not turn away; returns the keys of those inserted.
    pub async fn insert<C: ConnectionTrait>(self, conn: &C) -> Result<HashSet<String>, StoreError> {
        if self.values.is_empty() {
            return Ok(HashSet::new());
        }
        let backend = conn.get_database_backend();
        let statements = match backend {
            DbBackend::Postgres => {
                let returning = format!("{} AS {KEY_ALIAS}", self.key);
                let (text, arrays) = self.postgres(&returning)?;
                vec![Statement::from_sql_and_values(backend, text, arrays)]
            }
            _ => self.chunks(backend),
        };
        let mut inserted = HashSet::new();
        for statement in statements {
            for row in conn.query_all_raw(statement).await? {
                inserted.insert(row.try_get::<String>("", KEY_ALIAS)?);
            }
        }
        Ok(inserted)
    }

    /// The PostgreSQL statement, returning `returning` of each row inserted, and its arrays
    /// ($1, $2, …: a caller wrapping it binds its own values after them).
    pub fn postgres(self, returning: &str) -> Result<(String, Vec<Value>), StoreError> {
        let width = self.columns.len();
        let mut columns: Vec<Vec<Value>> = vec![Vec::new(); width];
        for (i, value) in self.values.into_iter().enumerate() {
            columns[i % width].push(value);
        }
        let mut arrays = Vec::new();
        let mut select = Vec::with_capacity(width);
        for (name, column) in self.columns.iter().zip(columns) {
            let nulls = column.iter().filter(|v| !v.is_some()).count();
            if nulls == column.len() {
                select.push("NULL".to_owned());
                continue;
            }
            let (ty, cast) = array_type(&column[0]);
            let n = arrays.len() + 1;
            if nulls == 0 {
                select.push(format!("unnest(${n}::{cast}[])"));
                arrays.push(Value::Array(ty, Some(Box::new(column))));
            } else if ty == ArrayType::String {
                select.push(format!("NULLIF(unnest(${n}::text[]), '')"));
                let texts = column.into_iter().map(|v| match v {
                    Value::String(Some(s)) => Value::String(Some(s)),
                    _ => Value::String(Some(String::new())),
                });
                arrays.push(Value::Array(ty, Some(Box::new(texts.collect()))));
            } else {
                return Err(StoreError::Internal(format!(
                    "{}.{name} is NULL in some rows but is not text",
                    self.table
                )));
            }
        }
        let text = format!(
            "INSERT INTO {} ({}) SELECT {} ON CONFLICT DO NOTHING RETURNING {returning}",
            self.table,
            self.columns.join(", "),
            select.join(", ")
        );
        Ok((text, arrays))
    }

    fn chunks(self, backend: DbBackend) -> Vec<Statement> {
        let width = self.columns.len();
        let per_statement = (SQLITE_VALUES / width).max(1) * width;
        let head = format!(
            "INSERT INTO {} ({}) VALUES ",
            self.table,
            self.columns.join(", ")
        );
        let tail = format!(
            "ON CONFLICT DO NOTHING RETURNING {} AS {KEY_ALIAS}",
            self.key
        );
        let mut statements = Vec::new();
        let mut values = self.values.into_iter().peekable();
        while values.peek().is_some() {
            let chunk: Vec<Value> = values.by_ref().take(per_statement).collect();
            let rows: Vec<String> = (0..chunk.len() / width)
                .map(|row| {
                    let marks: Vec<String> = (1..=width)
                        .map(|n| format!("${}", row * width + n))
                        .collect();
                    format!("({})", marks.join(","))
                })
                .collect();
            let text = format!("{head}{} {tail}", rows.join(","));
            statements.push(Statement::from_sql_and_values(
                backend,
                sql(backend, &text),
                chunk,
            ));
        }
        statements
    }
}

/// The array element type and PostgreSQL cast for a column whose first value is `sample`.
fn array_type(sample: &Value) -> (ArrayType, &'static str) {
    match sample {
        Value::Bool(_) => (ArrayType::Bool, "bool"),
        Value::BigInt(_) => (ArrayType::BigInt, "int8"),
        // Everything else the reminder store binds is text.
        _ => (ArrayType::String, "text"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(values: Vec<Value>) -> NewRows<'static> {
        NewRows {
            table: "t",
            columns: &["id", "n", "key", "gone"],
            key: "id",
            values,
        }
    }

    fn row(id: &str, key: Option<&str>) -> Vec<Value> {
        vec![
            id.into(),
            1_i64.into(),
            key.map(str::to_owned).into(),
            Option::<String>::None.into(),
        ]
    }

    #[test]
    fn postgres_binds_arrays_and_keeps_partly_null_text_null() {
        let values = [row("a", Some("k")), row("b", None)].concat();
        let (sql, arrays) = rows(values).postgres("id").unwrap();
        assert_eq!(
            sql,
            "INSERT INTO t (id, n, key, gone) SELECT unnest($1::text[]), unnest($2::int8[]), \
             NULLIF(unnest($3::text[]), ''), NULL ON CONFLICT DO NOTHING RETURNING id"
        );
        assert_eq!(arrays.len(), 3);
    }

    #[test]
    fn sqlite_binds_every_value_in_chunks() {
        let values: Vec<Value> = (0..100).flat_map(|i| row(&i.to_string(), None)).collect();
        let statements = rows(values).chunks(DbBackend::Sqlite);
        // 300 values a statement: 75 rows of 4, then 25.
        assert_eq!(statements.len(), 2);
        assert!(
            statements[0]
                .sql
                .starts_with("INSERT INTO t (id, n, key, gone) VALUES (?1,?2,?3,?4),")
        );
        assert!(
            statements[1].sql.ends_with(
                "(?97,?98,?99,?100) ON CONFLICT DO NOTHING RETURNING id AS inserted_key"
            )
        );
    }

    #[test]
    fn a_partly_null_number_is_refused() {
        let mut values = row("a", None);
        values[1] = Option::<i64>::None.into();
        values.extend(row("b", None));
        assert!(rows(values).postgres("id").is_err());
    }
}
