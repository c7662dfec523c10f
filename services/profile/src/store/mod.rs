//! Persistence of the profile: sea-orm entities, migrations, and the queries and transactions
//! of each aggregate. Writes that must happen together (a customer and its idempotency key,
//! both directions of a mutual relation, an unmasked read and its audit record) share one
//! transaction here; cache invalidation is left to the caller, after the commit.

mod codec;
pub mod consumption;
pub mod customers;
pub mod entities;
pub mod migrations;
pub mod relations;
pub mod summaries;
pub mod worklog;

pub use migrations::Migrator;

use sea_orm::{ConnectionTrait, DbBackend, Statement, Value};

/// A raw statement written with PostgreSQL's `$n` placeholders, for either backend.
pub(crate) fn statement<C: ConnectionTrait>(
    conn: &C,
    sql: &str,
    values: impl IntoIterator<Item = Value>,
) -> Statement {
    let backend = conn.get_database_backend();
    let sql = match backend {
        DbBackend::Sqlite => sql.replace('$', "?"),
        _ => sql.to_owned(),
    };
    Statement::from_sql_and_values(backend, sql, values)
}
