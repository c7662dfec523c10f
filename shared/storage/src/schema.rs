//! Column and index shorthands for the services' migrations, so every schema spells a required
//! or optional text, integer, flag or timestamp column and a keyset index the same way.

use sea_orm_migration::prelude::{ColumnDef, Index, IndexCreateStatement};

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
