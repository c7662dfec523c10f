//! Storage every service shares: a connection by URL (embedded SQLite by default, PostgreSQL
//! with one schema per service), migrations that bring the shared tables along, idempotency keys
//! for `request_id`, opaque page tokens, multi-row inserts, the transactional outbox with the relay that
//! delivers cross-service effects, and the journal that keeps cache invalidations as durable as
//! the writes behind them, and scheduled work that runs once across replicas. Services keep
//! their own entities and queries.

pub mod bulk;
mod connect;
mod error;
pub mod idempotency;
pub mod invalidation;
mod migrations;
mod nodelay;
pub mod outbox;
pub mod page;
pub mod rows;
pub mod schedule;
pub mod schema;
pub mod settings;
mod sql;

pub use connect::{Backend, Database};
pub use error::StorageError;
pub use migrations::WithSharedTables;
pub use sea_orm;
pub use sea_orm_migration;
pub use settings::DatabaseSettings;
pub use sql::{one_of, sql, statement};
