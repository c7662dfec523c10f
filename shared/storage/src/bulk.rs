//! Many rows in one statement. On PostgreSQL each column travels as one array and the rows are
//! `unnest`ed from them: whatever the batch size the statement is the same short text, parsed
//! and planned once per connection, and the values go over the wire in binary. The arrays are
//! unnested side by side in the select list, which PostgreSQL streams; `FROM unnest(a, b, …)`
//! would first copy every row into a tuple store (measured: 40% slower for 200,000 rows). SQLite gets
//! multi-row `VALUES` in chunks under its limit on bound values (it is in-process: statement
//! size costs it little).
//!
//! Bound arrays carry no NULLs (the driver binds `text[]` from plain strings), so a column that
//! is NULL in every row goes in as a fixed SQL expression (`.fixed("expire_ms", "NULL")`), and a
//! batch with some NULL values binds each such column with a second, boolean array saying which
//! rows are NULL, unnested side by side `FROM unnest(…)` (a tuple store: slower for hundreds of
//! thousands of rows than the select-list form, which large loads keep by grouping rows by their
//! NULL columns, but still one statement where `VALUES` would be one per few rows).

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
            // Only values whose arrays the driver binds as they are; others (a date, JSON) stay
            // typed in `VALUES`.
            DbBackend::Postgres if self.values.iter().all(arrayable) => {
                match self.clone().unnest_flagged() {
                    Some(statement) => vec![statement],
                    None => self.chunks(backend),
                }
            }
            _ => self.chunks(backend),
        };
        let mut affected = 0;
        for statement in statements {
            affected += conn.execute_raw(statement).await?.rows_affected();
        }
        Ok(affected)
    }

    /// The bound values, column by column.
    fn take_columns(&mut self) -> Vec<Vec<Value>> {
        let width = self.columns.len();
        let rows = self.values.len() / width.max(1);
        let mut columns: Vec<Vec<Value>> = (0..width).map(|_| Vec::with_capacity(rows)).collect();
        for (i, value) in std::mem::take(&mut self.values).into_iter().enumerate() {
            columns[i % width].push(value);
        }
        columns
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
        let columns = self.take_columns();
        let mut arrays = Vec::with_capacity(columns.len());
        let mut unnested = Vec::with_capacity(columns.len());
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

    /// As [`unnest`](Self::unnest) for rows with NULL values: a column with some NULLs is bound
    /// with a filler in their place and a boolean array flagging them. `None` when every bound
    /// column is NULL in every row (nothing to unnest).
    fn unnest_flagged(mut self) -> Option<Statement> {
        let columns = self.take_columns();
        let (mut arrays, mut sources, mut names, mut select) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for (n, column) in columns.into_iter().enumerate() {
            let Some(sample) = column.iter().find(|v| !is_null(v)) else {
                select.push("NULL".to_owned());
                continue;
            };
            let (ty, cast) = array_type(sample);
            let flags: Option<Vec<Value>> = column
                .iter()
                .any(is_null)
                .then(|| column.iter().map(|v| is_null(v).into()).collect());
            let filled = column
                .into_iter()
                .map(|v| if is_null(&v) { filler(&ty) } else { v })
                .collect();
            arrays.push(Value::Array(ty, Some(Box::new(filled))));
            sources.push(format!("${}::{cast}[]", arrays.len()));
            names.push(format!("c{n}"));
            match flags {
                Some(flags) => {
                    arrays.push(Value::Array(ArrayType::Bool, Some(Box::new(flags))));
                    sources.push(format!("${}::bool[]", arrays.len()));
                    names.push(format!("n{n}"));
                    select.push(format!("CASE WHEN n{n} THEN NULL ELSE c{n} END"));
                }
                None => select.push(format!("c{n}")),
            }
        }
        if arrays.is_empty() {
            return None;
        }
        let text = format!(
            "INSERT INTO {table} ({list}) SELECT {select}{fixed} FROM unnest({sources}) AS u({names}) {tail}",
            table = self.table,
            list = self.column_list(),
            select = select.join(", "),
            fixed = self.fixed_exprs(),
            sources = sources.join(", "),
            names = names.join(", "),
            tail = self.tail,
        );
        Some(Statement::from_sql_and_values(
            DbBackend::Postgres,
            text,
            arrays,
        ))
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

/// Whether `value` goes into an array of its own type as it is (see [`array_type`]).
fn arrayable(value: &Value) -> bool {
    matches!(
        value,
        Value::Bool(_)
            | Value::Int(_)
            | Value::BigInt(_)
            | Value::Float(_)
            | Value::Double(_)
            | Value::Bytes(_)
            | Value::String(_)
    )
}

/// What stands in an array for a NULL of type `ty` (its flag says it is NULL).
fn filler(ty: &ArrayType) -> Value {
    match ty {
        ArrayType::Bool => false.into(),
        ArrayType::Int => 0_i32.into(),
        ArrayType::BigInt => 0_i64.into(),
        ArrayType::Float => 0_f32.into(),
        ArrayType::Double => 0_f64.into(),
        ArrayType::Bytes => Vec::<u8>::new().into(),
        _ => String::new().into(),
    }
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
    fn postgres_flags_the_nulls_of_a_column_that_has_some() {
        let mut insert = BulkInsert::new("t", &["id", "n", "gone"]).fixed("note", "NULL");
        insert.row(["a".into(), 1_i64.into(), Value::String(None)]);
        insert.row(["b".into(), Value::BigInt(None), Value::String(None)]);
        let statement = insert.unnest_flagged().unwrap();
        assert_eq!(
            statement.sql,
            "INSERT INTO t (id, n, gone, note) SELECT c0, CASE WHEN n1 THEN NULL ELSE c1 END, \
             NULL, NULL FROM unnest($1::text[], $2::int8[], $3::bool[]) AS u(c0, c1, n1) "
        );
        let values = statement.values.unwrap().0;
        assert_eq!(
            values[1],
            Value::Array(
                ArrayType::BigInt,
                Some(Box::new(vec![1_i64.into(), 0_i64.into()]))
            )
        );
        assert_eq!(
            values[2],
            Value::Array(
                ArrayType::Bool,
                Some(Box::new(vec![false.into(), true.into()]))
            )
        );
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
