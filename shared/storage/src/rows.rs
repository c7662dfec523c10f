//! Many rows as a table inside one statement, for `UPDATE … FROM` (each row its own new values
//! and its own guard) where a statement per row would cost a round trip per row. On PostgreSQL
//! each column travels as one array, unnested side by side (as [`crate::bulk`] inserts): one
//! short statement text whatever the batch size, planned once per connection. SQLite gets a
//! `VALUES` list in chunks under its bound-value limit, its `column1…` renamed.
//!
//! PostgreSQL arrays here carry no NULLs, so a nullable text column travels with `''` for NULL
//! and is turned back by `NULLIF`: such a column must never hold the empty text.

use sea_orm::sea_query::ArrayType;
use sea_orm::{DbBackend, Statement, Value};

use crate::sql::sql;

/// Bound values per SQLite statement (see `bulk`: SQLite binds more slowly the more a
/// statement has).
const SQLITE_VALUES: usize = 300;

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    /// Text or NULL; never the empty text.
    MaybeText,
    Int,
}

/// Rows being gathered: one value per column, per row.
#[derive(Debug, Clone)]
pub struct Rows {
    columns: Vec<(String, Kind)>,
    /// Row-major.
    values: Vec<Value>,
}

impl Rows {
    pub fn new(columns: &[(&str, Kind)]) -> Rows {
        Rows {
            columns: columns.iter().map(|(c, k)| ((*c).to_owned(), *k)).collect(),
            values: Vec::new(),
        }
    }

    /// Adds a row: exactly one value per column, in their order.
    pub fn row(&mut self, values: impl IntoIterator<Item = Value>) {
        let before = self.values.len();
        self.values.extend(values);
        assert_eq!(
            self.values.len() - before,
            self.columns.len(),
            "a row needs one value per column"
        );
    }

    pub fn len(&self) -> usize {
        self.values.len() / self.columns.len().max(1)
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The statements that use the rows: `text` is given the rows as a parenthesised subquery
    /// whose columns carry their names (alias it), and `leading` are its own `$1…$k`
    /// parameters; the rows' parameters follow them. PostgreSQL gets one statement, SQLite one
    /// per chunk.
    pub fn statements(
        self,
        backend: DbBackend,
        leading: &[Value],
        text: impl Fn(&str) -> String,
    ) -> Vec<Statement> {
        if self.values.is_empty() {
            return Vec::new();
        }
        match backend {
            DbBackend::Postgres => vec![self.unnest(leading, &text)],
            _ => self.chunks(backend, leading, &text),
        }
    }

    fn unnest(self, leading: &[Value], text: &impl Fn(&str) -> String) -> Statement {
        let width = self.columns.len();
        let rows = self.len();
        let mut columns: Vec<Vec<Value>> = (0..width).map(|_| Vec::with_capacity(rows)).collect();
        for (i, value) in self.values.into_iter().enumerate() {
            let column = i % width;
            let value = match (self.columns[column].1, value) {
                (Kind::MaybeText, Value::String(None)) => Value::String(Some(String::new())),
                (_, v) => v,
            };
            columns[column].push(value);
        }
        let mut values = leading.to_vec();
        let mut select = Vec::with_capacity(width);
        for ((name, kind), column) in self.columns.iter().zip(columns) {
            let n = values.len() + 1;
            let (ty, expr) = match kind {
                Kind::Text => (ArrayType::String, format!("unnest(${n}::text[])")),
                Kind::MaybeText => (
                    ArrayType::String,
                    format!("NULLIF(unnest(${n}::text[]), '')"),
                ),
                Kind::Int => (ArrayType::BigInt, format!("unnest(${n}::int8[])")),
            };
            select.push(format!("{expr} AS {name}"));
            values.push(Value::Array(ty, Some(Box::new(column))));
        }
        let source = format!("(SELECT {})", select.join(", "));
        Statement::from_sql_and_values(DbBackend::Postgres, text(&source), values)
    }

    fn chunks(
        self,
        backend: DbBackend,
        leading: &[Value],
        text: &impl Fn(&str) -> String,
    ) -> Vec<Statement> {
        let width = self.columns.len();
        let per_statement = (SQLITE_VALUES / width).max(1);
        let names: Vec<String> = self
            .columns
            .iter()
            .enumerate()
            .map(|(i, (name, _))| format!("column{} AS {name}", i + 1))
            .collect();
        let mut statements = Vec::new();
        let mut rest = self.values.into_iter().peekable();
        while rest.peek().is_some() {
            let chunk: Vec<Value> = rest.by_ref().take(per_statement * width).collect();
            let mut rows = Vec::with_capacity(chunk.len() / width);
            for row in 0..chunk.len() / width {
                let first = leading.len() + row * width;
                let marks: Vec<String> = (1..=width).map(|n| format!("${}", first + n)).collect();
                rows.push(format!("({})", marks.join(", ")));
            }
            let source = format!(
                "(SELECT {} FROM (VALUES {}))",
                names.join(", "),
                rows.join(", ")
            );
            let mut values = leading.to_vec();
            values.extend(chunk);
            statements.push(Statement::from_sql_and_values(
                backend,
                sql(backend, &text(&source)),
                values,
            ));
        }
        statements
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Rows {
        let mut rows = Rows::new(&[
            ("id", Kind::Text),
            ("n", Kind::Int),
            ("who", Kind::MaybeText),
        ]);
        rows.row(["a".into(), 1_i64.into(), Value::String(None)]);
        rows.row(["b".into(), 2_i64.into(), "x".into()]);
        rows
    }

    fn update(source: &str) -> String {
        format!(
            "UPDATE t SET n = v.n, who = v.who FROM {source} AS v WHERE t.id = v.id AND t.k = $1"
        )
    }

    #[test]
    fn postgres_binds_one_array_per_column_after_the_leading_values() {
        let statements = sample().statements(DbBackend::Postgres, &[7_i64.into()], update);
        assert_eq!(statements.len(), 1);
        assert_eq!(
            statements[0].sql,
            "UPDATE t SET n = v.n, who = v.who FROM (SELECT unnest($2::text[]) AS id, \
             unnest($3::int8[]) AS n, NULLIF(unnest($4::text[]), '') AS who) AS v \
             WHERE t.id = v.id AND t.k = $1"
        );
        let values = statements[0].values.as_ref().map(|v| v.0.clone()).unwrap();
        assert_eq!(values.len(), 4);
        // NULL travels as the empty text, which NULLIF turns back.
        assert_eq!(
            values[3],
            Value::Array(
                ArrayType::String,
                Some(Box::new(vec!["".into(), "x".into()]))
            )
        );
    }

    #[test]
    fn sqlite_names_the_values_columns_and_chunks_them() {
        let statements = sample().statements(DbBackend::Sqlite, &[7_i64.into()], update);
        assert_eq!(statements.len(), 1);
        assert_eq!(
            statements[0].sql,
            "UPDATE t SET n = v.n, who = v.who FROM (SELECT column1 AS id, column2 AS n, \
             column3 AS who FROM (VALUES (?2, ?3, ?4), (?5, ?6, ?7))) AS v \
             WHERE t.id = v.id AND t.k = ?1"
        );
        let mut many = Rows::new(&[("id", Kind::Text), ("n", Kind::Int)]);
        for i in 0..200_i64 {
            many.row([format!("r{i}").into(), i.into()]);
        }
        // 150 rows of two values fill a statement.
        assert_eq!(many.statements(DbBackend::Sqlite, &[], update).len(), 2);
    }

    #[test]
    fn no_rows_make_no_statement() {
        let rows = Rows::new(&[("id", Kind::Text)]);
        assert!(rows.statements(DbBackend::Postgres, &[], update).is_empty());
    }
}
