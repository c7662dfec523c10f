//! The survey schema's history. Applied after the shared tables (outbox, idempotency keys,
//! cache invalidations) by `Database::migrate`, which puts them in front.

use sea_orm_migration::prelude::*;

mod m0001_survey;
mod m0002_report_reads;
mod m0003_roll_queue;

pub struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_survey::Migration),
            Box::new(m0002_report_reads::Migration),
            Box::new(m0003_roll_queue::Migration),
        ]
    }
}
