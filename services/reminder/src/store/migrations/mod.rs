//! The reminder schema's history. Applied with the shared tables by `Database::migrate`.

use sea_orm_migration::prelude::*;

mod m0001_reminders;
mod m0002_event_memory;
mod m0003_waiting_by_customer;
mod m0004_handing_over;
mod m0005_partial_queues;
mod m0006_trace;

pub struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_reminders::Migration),
            Box::new(m0002_event_memory::Migration),
            Box::new(m0003_waiting_by_customer::Migration),
            Box::new(m0004_handing_over::Migration),
            Box::new(m0005_partial_queues::Migration),
            Box::new(m0006_trace::Migration),
        ]
    }
}
