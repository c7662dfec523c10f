//! The tiering schema's history. Applied with the shared tables by `Database::migrate`.

use sea_orm_migration::prelude::*;

mod m0001_tiering_tables;
mod m0002_run_snapshots;
mod m0003_override_expiry;
mod m0004_domain_columns;
mod m0005_keys_in_byte_order;

pub struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_tiering_tables::Migration),
            Box::new(m0002_run_snapshots::Migration),
            Box::new(m0003_override_expiry::Migration),
            Box::new(m0004_domain_columns::Migration),
            Box::new(m0005_keys_in_byte_order::Migration),
        ]
    }
}
