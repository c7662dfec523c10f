//! Raw statements written once, with PostgreSQL's `$n` placeholders, for either backend.

use sea_orm::sea_query::ArrayType;
use sea_orm::{ConnectionTrait, DbBackend, Statement, Value};

/// A statement for `conn`'s backend from `$n`-style SQL.
pub fn statement<C: ConnectionTrait>(
    conn: &C,
    text: &str,
    values: impl IntoIterator<Item = Value>,
) -> Statement {
    let backend = conn.get_database_backend();
    Statement::from_sql_and_values(backend, sql(backend, text), values)
}

/// Writes `$1`-style SQL for either backend (SQLite takes `?1`; numbers may repeat).
pub fn sql(backend: DbBackend, text: &str) -> String {
    match backend {
        DbBackend::Sqlite => {
            let mut out = String::with_capacity(text.len());
            let mut chars = text.chars().peekable();
            while let Some(c) = chars.next() {
                if c == '$' && chars.peek().is_some_and(char::is_ascii_digit) {
                    out.push('?');
                } else {
                    out.push(c);
                }
            }
            out
        }
        _ => text.to_owned(),
    }
}

/// `column` is one of `values`, placeholders from `$first`: one array on PostgreSQL, so the
/// statement's text (and plan) is the same whatever the count; a list on SQLite.
pub fn one_of<C: ConnectionTrait>(
    conn: &C,
    column: &str,
    first: usize,
    values: &[&str],
) -> (String, Vec<Value>) {
    if conn.get_database_backend() == DbBackend::Postgres {
        let array: Vec<Value> = values.iter().map(|v| Value::from(*v)).collect();
        let array = Value::Array(ArrayType::String, Some(Box::new(array)));
        (format!("{column} = ANY(${first}::text[])"), vec![array])
    } else {
        let marks: Vec<String> = (first..first + values.len())
            .map(|n| format!("${n}"))
            .collect();
        let values = values.iter().map(|v| Value::from(*v)).collect();
        (format!("{column} IN ({})", marks.join(", ")), values)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_follow_the_backend() {
        let text = "SELECT $1, $2 WHERE x = $10 AND y = $1";
        assert_eq!(
            sql(DbBackend::Sqlite, text),
            "SELECT ?1, ?2 WHERE x = ?10 AND y = ?1"
        );
        assert_eq!(sql(DbBackend::Postgres, text), text);
    }
}
