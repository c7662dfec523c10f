//! Persistence of the profile: sea-orm entities, migrations, and the queries and transactions
//! of each aggregate. Writes that must happen together (a customer and its idempotency key,
//! both directions of a mutual relation, an unmasked read and its audit record) share one
//! transaction here, and so do a write and the cache tags it makes stale (`stale`); bumping
//! those is left to the caller, after the commit.

mod codec;
pub mod consumption;
pub mod customers;
pub mod entities;
pub mod migrations;
pub mod relations;
pub mod stale;
pub mod summaries;
pub mod worklog;

pub use migrations::Migrator;

/// Raw statements are written with PostgreSQL's `$n` placeholders for either backend.
pub(crate) use vipcare_storage::statement;
