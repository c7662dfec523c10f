//! Many rows in one statement. On PostgreSQL each column travels as one array and the rows are
//! `unnest`ed from them: whatever the batch size the statement is the same short text, parsed
//! and planned once per connection, and the values go over the wire in binary. The arrays are
//! unnested side by side in the select list, which PostgreSQL streams; `FROM unnest(a, b, …)`
//! would first copy every row into a tuple store (measured: 40% slower for 200,000 rows). SQLite gets
//! multi-row `VALUES` in chunks under its limit on bound values (it is in-process: statement
//! size costs it little).
//!
//! Arrays carry no NULLs here, so a column that is NULL for some rows either goes in as a fixed
//! SQL expression (`.fixed("expire_ms", "NULL")`) or, if a bound value is NULL, the batch falls
//! back to `VALUES` on PostgreSQL too: always correct, only slower.

use sea_orm::sea_query::ArrayType;
use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement, Value};

use crate::sql::sql;

/// Bound values per SQLite statement. Small: binding costs SQLite more per value the more a
/// statement has (measured with `vipcare-bench tier-batch`: 16,000 values a statement wrote
/// 5,000 records in 1 s, 2,000 in 0.2 s, 300 in 0.06 s), and it parses each size once.
const SQLITE_VALUES: usize = 300;

/// A multi-row INSERT being built.
#[derive(Debug, Clone)]
pub struct BulkInsert {
    table: String,
    columns: Vec<String>,
    fixed: Vec<(String, String)>,
    tail: String,
    /// Row-major: `columns.len()` values per row.
    values: Vec<Value>,
}

impl BulkInsert {
    /// An insert into `table` binding one value per column in `columns`, per row.
    pub fn new(table: &str, columns: &[&str]) -> BulkInsert {
        BulkInsert {
            table: table.to_owned(),
            columns: columns.iter().map(|c| (*c).to_owned()).collect(),
            fixed: Vec::new(),
            tail: String::new(),
            values: Vec::new(),
        }
    }

    /// Sets `column` to the SQL expression `expr` in every row (a constant, or NULL).
    pub fn fixed(mut self, column: &str, expr: &str) -> BulkInsert {
        self.fixed.push((column.to_owned(), expr.to_owned()));
        self
    }

    /// What follows the rows, e.g. `ON CONFLICT (id) DO NOTHING`.
    pub fn then(mut self, tail: &str) -> BulkInsert {
        self.tail = tail.to_owned();
        self
    }

    /// Adds a row: exactly one value per bound column, in their order.
    pub fn row(&mut self, values: impl IntoIterator<Item = Value>) {
        let before = self.values.len();
        self.values.extend(values);
        assert_eq!(
            self.values.len() - before,
            self.columns.len(),
            "a row of {} needs one value per column",
            self.table
        );
    }

    pub fn len(&self) -> usize {
        self.values.len() / self.columns.len().max(1)
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Writes the rows; returns how many the statements affected.
    pub async fn execute<C: ConnectionTrait>(self, conn: &C) -> Result<u64, DbErr> {
        if self.values.is_empty() {
            return Ok(0);
        }
        let backend = conn.get_database_backend();
        let statements = match backend {
            DbBackend::Postgres if !self.values.iter().any(is_null) => vec![self.unnest()],
            _ => self.chunks(backend),
        };
        let mut affected = 0;
        for statement in statements {
            affected += conn.execute_raw(statement).await?.rows_affected();
        }
        Ok(affected)
    }

    fn column_list(&self) -> String {
        self.columns
            .iter()
            .chain(self.fixed.iter().map(|(c, _)| c))
            .cloned()
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn fixed_exprs(&self) -> String {
        self.fixed.iter().map(|(_, e)| format!(", {e}")).collect()
    }

    fn unnest(mut self) -> Statement {
        let width = self.columns.len();
        let rows = self.values.len() / width;
        let mut columns: Vec<Vec<Value>> = (0..width).map(|_| Vec::with_capacity(rows)).collect();
        for (i, value) in std::mem::take(&mut self.values).into_iter().enumerate() {
            columns[i % width].push(value);
        }
        let mut arrays = Vec::with_capacity(width);
        let mut unnested = Vec::with_capacity(width);
        for (n, column) in columns.into_iter().enumerate() {
            let (ty, cast) = array_type(&column[0]);
            unnested.push(format!("unnest(${}::{cast}[])", n + 1));
            arrays.push(Value::Array(ty, Some(Box::new(column))));
        }
        let text = format!(
            "INSERT INTO {table} ({list}) SELECT {unnested}{fixed} {tail}",
            table = self.table,
            list = self.column_list(),
            unnested = unnested.join(", "),
            fixed = self.fixed_exprs(),
            tail = self.tail,
        );
        Statement::from_sql_and_values(DbBackend::Postgres, text, arrays)
    }

    fn chunks(mut self, backend: DbBackend) -> Vec<Statement> {
        let width = self.columns.len();
        let per_statement = (SQLITE_VALUES / width).max(1);
        let head = format!(
            "INSERT INTO {} ({}) VALUES ",
            self.table,
            self.column_list()
        );
        let fixed = self.fixed_exprs();
        let mut statements = Vec::new();
        let mut values = std::mem::take(&mut self.values).into_iter().peekable();
        while values.peek().is_some() {
            let chunk: Vec<Value> = values.by_ref().take(per_statement * width).collect();
            let mut text = head.clone();
            for row in 0..chunk.len() / width {
                if row > 0 {
                    text.push(',');
                }
                let marks: Vec<String> = (1..=width)
                    .map(|n| format!("${}", row * width + n))
                    .collect();
                text.push_str(&format!("({}{fixed})", marks.join(",")));
            }
            text.push(' ');
            text.push_str(&self.tail);
            statements.push(Statement::from_sql_and_values(
                backend,
                sql(backend, &text),
                chunk,
            ));
        }
        statements
    }
}

fn is_null(value: &Value) -> bool {
    !value.is_some()
}

/// The array element type and PostgreSQL cast for a column whose first value is `sample`.
fn array_type(sample: &Value) -> (ArrayType, &'static str) {
    match sample {
        Value::Bool(_) => (ArrayType::Bool, "bool"),
        Value::Int(_) => (ArrayType::Int, "int4"),
        Value::BigInt(_) => (ArrayType::BigInt, "int8"),
        Value::Float(_) => (ArrayType::Float, "float4"),
        Value::Double(_) => (ArrayType::Double, "float8"),
        Value::Bytes(_) => (ArrayType::Bytes, "bytea"),
        // Everything else the services bind is text.
        _ => (ArrayType::String, "text"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> BulkInsert {
        let mut insert = BulkInsert::new("t", &["id", "n"])
            .fixed("note", "NULL")
            .then("ON CONFLICT (id) DO NOTHING");
        insert.row(["a".into(), 1_i64.into()]);
        insert.row(["b".into(), 2_i64.into()]);
        insert
    }

    #[test]
    fn postgres_binds_one_array_per_column() {
        let statement = sample().unnest();
        assert_eq!(
            statement.sql,
            "INSERT INTO t (id, n, note) SELECT unnest($1::text[]), unnest($2::int8[]), NULL \
             ON CONFLICT (id) DO NOTHING"
        );
        assert_eq!(statement.values.map(|v| v.0.len()), Some(2));
    }

    #[test]
    fn sqlite_binds_every_value() {
        let statements = sample().chunks(DbBackend::Sqlite);
        assert_eq!(statements.len(), 1);
        assert_eq!(
            statements[0].sql,
            "INSERT INTO t (id, n, note) VALUES (?1,?2, NULL),(?3,?4, NULL) ON CONFLICT (id) DO NOTHING"
        );
    }

    #[test]
    #[should_panic(expected = "one value per column")]
    fn a_short_row_is_a_bug() {
        BulkInsert::new("t", &["id", "n"]).row(["a".into()]);
    }
}
