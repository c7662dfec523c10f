//! Responses waiting for the roller sit in their own narrow table, `unrolled`, instead of a
//! `rolled` flag on their row. Marking a response counted rewrote its whole row (the scores,
//! the comment, the journey score) with a new entry in each of its five indexes (a column of
//! a partial index changed, so PostgreSQL could not update it in place), and held a lock on
//! the row that the follow-up relay's update of the same response waited for. Now the
//! transaction that stores a response adds its id to the queue, the roller deletes the id
//! when it counts the response, and counting rewrites no response row (measured with
//! `vipcare-bench surveys`: adding, taking and deleting 140,000 ids cost PostgreSQL 0.65 s).
//!
//! Responses not yet counted when this runs are queued, so none is lost or counted twice.
//! The queue keeps no order: counting adds up, so which response is counted first changes
//! nothing, and every pass takes them until none is left.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ConnectionTrait;
use vipcare_storage::schema::text;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0003_roll_queue"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("unrolled")
                    .if_not_exists()
                    .col(text("response_id").primary_key())
                    .to_owned(),
            )
            .await?;
        let conn = manager.get_connection();
        for sql in [
            "INSERT INTO unrolled (response_id) SELECT response_id FROM responses WHERE rolled = 0",
            "DROP INDEX IF EXISTS responses_unrolled",
            "ALTER TABLE responses DROP COLUMN rolled",
        ] {
            conn.execute_unprepared(sql).await?;
        }
        Ok(())
    }
}
