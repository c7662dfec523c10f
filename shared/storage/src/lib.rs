//! Storage every service shares: a connection by URL (embedded SQLite by default, PostgreSQL
//! with one schema per service), migrations that bring the shared tables along, idempotency keys
//! for `request_id`, opaque page tokens, multi-row inserts, and the transactional outbox with the relay that
//! delivers cross-service effects. Services keep their own entities and queries.

pub mod bulk;
mod connect;
mod error;
pub mod idempotency;
mod migrations;
pub mod outbox;
pub mod page;
pub mod schema;
mod sql;

pub use connect::{Backend, Database};
pub use error::StorageError;
pub use migrations::WithSharedTables;
pub use sea_orm;
pub use sea_orm_migration;
pub use sql::{sql, statement};
