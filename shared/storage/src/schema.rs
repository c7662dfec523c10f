//! Column and index shorthands for the services' migrations, so every schema spells a required
//! or optional text, integer, flag or timestamp column and a keyset index the same way.

use sea_orm::DbBackend;
use sea_orm_migration::prelude::{
    ColumnDef, ConnectionTrait, DbErr, Index, IndexCreateStatement, SchemaManager,
};

/// A required text column.
pub fn text(name: &'static str) -> ColumnDef {
    ColumnDef::new(name).string().not_null().to_owned()
}

/// A required 64-bit integer column (amounts in fen, counts, epoch milliseconds).
pub fn int(name: &'static str) -> ColumnDef {
    ColumnDef::new(name).big_integer().not_null().to_owned()
}

/// An optional text column (NULL when absent).
pub fn maybe_text(name: &'static str) -> ColumnDef {
    ColumnDef::new(name).string().null().to_owned()
}

/// An optional 64-bit integer column (NULL when absent).
pub fn maybe_int(name: &'static str) -> ColumnDef {
    ColumnDef::new(name).big_integer().null().to_owned()
}

/// A required boolean column.
pub fn flag(name: &'static str) -> ColumnDef {
    ColumnDef::new(name).boolean().not_null().to_owned()
}

/// A required timestamp with time zone.
pub fn time(name: &'static str) -> ColumnDef {
    ColumnDef::new(name)
        .timestamp_with_time_zone()
        .not_null()
        .to_owned()
}

/// An index over `cols`, created only if missing.
pub fn index(table: &'static str, name: &str, cols: &[&'static str]) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table(table).if_not_exists();
    for col in cols {
        index.col(*col);
    }
    index.to_owned()
}

/// Compares the text key columns `cols` of `table` byte by byte on PostgreSQL (`COLLATE "C"`),
/// as SQLite and Rust do. Ids are ASCII (UUIDs, codes), whose order is the same under every
/// locale, so nothing reads differently; what changes is the cost: a database created under
/// a locale (even `C.UTF-8`) compares every key through the C library's `strcoll`, in every
/// index insert and look-up. The column and its indexes are rewritten once.
pub async fn keys_in_byte_order(
    manager: &SchemaManager<'_>,
    table: &str,
    cols: &[&str],
) -> Result<(), DbErr> {
    if manager.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    let alters: Vec<String> = cols
        .iter()
        .map(|col| format!("ALTER COLUMN {col} TYPE varchar COLLATE \"C\""))
        .collect();
    manager
        .get_connection()
        .execute_unprepared(&format!("ALTER TABLE {table} {}", alters.join(", ")))
        .await?;
    Ok(())
}
