//! The complaint schema's history. Applied with the shared tables by `Database::migrate`.

use sea_orm_migration::prelude::*;

mod m0001_complaints;
mod m0002_progress;
mod m0003_watch;
mod m0004_overdue_list;
mod m0005_schedules;
mod m0006_watch_stamp;

pub struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_complaints::Migration),
            Box::new(m0002_progress::Migration),
            Box::new(m0003_watch::Migration),
            Box::new(m0004_overdue_list::Migration),
            Box::new(m0005_schedules::Migration),
            Box::new(m0006_watch_stamp::Migration),
        ]
    }
}
