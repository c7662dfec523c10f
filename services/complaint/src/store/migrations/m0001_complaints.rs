//! Complaints with their timelines, promises, follow-ups, escalations and compensation ledger,
//! and the SLA policy. Times are epoch milliseconds (`*_ms`), so due-time comparisons are the
//! same integer comparisons on SQLite and PostgreSQL; optional values are NULL; codes are the
//! domain's stable text codes.
//!
//! A complaint row keeps its SLA clock as facts (start, pauses, response, resolution), never as
//! due times alone, so a changed policy can recompute them. Two instants derived from the facts
//! under the policy are kept beside them only to be indexed: `overdue_ms` (when a goal not yet
//! met runs out) and `next_check_ms` (when the next escalation level is reached), each NULL
//! when nothing can run out or fire, so the overdue list and the escalation pass read only the
//! rows they want.

use sea_orm_migration::prelude::*;
use vipcare_storage::schema::{flag, index, int, maybe_int, maybe_text, text};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0001_complaints"
    }
}

/// Rows of `table` belong to a complaint: an entry for an unknown one is a bug, refused.
fn of_complaint(table: &'static str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, "complaint_id")
        .to("complaints", "complaint_id")
        .to_owned()
}

fn tables() -> Vec<TableCreateStatement> {
    vec![
        Table::create()
            .table("complaints")
            .if_not_exists()
            .col(text("complaint_id").primary_key())
            .col(text("customer_id"))
            .col(text("channel"))
            .col(text("category"))
            .col(text("severity"))
            .col(text("state"))
            .col(text("first_contact_owner"))
            .col(text("handler"))
            .col(text("tier_at_opening"))
            .col(text("summary"))
            .col(text("description"))
            .col(int("reopen_count"))
            // One more per accepted move; every move is written only over the version it read.
            .col(int("version"))
            .col(int("opened_ms"))
            .col(int("update_ms"))
            // The resolution: all NULL unless RESOLVED or CLOSED.
            .col(maybe_int("resolved_ms"))
            .col(maybe_text("resolution_text"))
            .col(maybe_text("root_cause_gap"))
            .col(maybe_text("cannot_be_solved"))
            .col(maybe_text("resolved_by"))
            // Linked complaint ids as a JSON array: read and written whole, never queried.
            .col(text("related_ids"))
            // The current SLA clock (restarted by a reopen), as facts. Pauses are a JSON array
            // of {from, until, reason}: read and written whole, never queried.
            .col(int("clock_started_ms"))
            .col(text("clock_pauses"))
            .col(maybe_int("clock_responded_ms"))
            .col(maybe_int("clock_resolved_ms"))
            // Derived under the policy in force, for the indexes below.
            .col(maybe_int("overdue_ms"))
            .col(maybe_int("next_check_ms"))
            .to_owned(),
        Table::create()
            .table("complaint_timeline")
            .if_not_exists()
            .col(text("complaint_id"))
            // The complaint's version the entry made: 1 for the opening.
            .col(int("seq"))
            .col(int("at_ms"))
            .col(text("actor"))
            .col(text("kind"))
            .col(text("text"))
            .primary_key(Index::create().col("complaint_id").col("seq"))
            .foreign_key(&mut of_complaint("complaint_timeline"))
            .to_owned(),
        Table::create()
            .table("complaint_promises")
            .if_not_exists()
            .col(text("promise_id").primary_key())
            .col(text("complaint_id"))
            .col(text("text"))
            .col(int("due_ms"))
            .col(text("made_by"))
            .col(int("made_ms"))
            .col(maybe_int("fulfilled_ms"))
            .col(maybe_text("fulfilled_by"))
            // When the broken promise was escalated to the owner: set once, so it fires once.
            .col(maybe_int("escalated_ms"))
            .foreign_key(&mut of_complaint("complaint_promises"))
            .to_owned(),
        Table::create()
            .table("complaint_follow_ups")
            .if_not_exists()
            .col(text("follow_up_id").primary_key())
            .col(text("complaint_id"))
            .col(int("due_ms"))
            .col(text("note"))
            .col(flag("notify_customer"))
            .col(text("scheduled_by"))
            .col(int("scheduled_ms"))
            .foreign_key(&mut of_complaint("complaint_follow_ups"))
            .to_owned(),
        Table::create()
            .table("complaint_escalations")
            .if_not_exists()
            .col(text("complaint_id"))
            // The start of the clock it fired on: a reopen's new clock may fire every level again.
            .col(int("clock_started_ms"))
            .col(text("level"))
            .col(flag("manual"))
            .col(maybe_text("escalated_by"))
            .col(text("reason"))
            .col(int("escalated_ms"))
            // A level fires once per clock, even with two replicas' passes racing.
            .primary_key(
                Index::create()
                    .col("complaint_id")
                    .col("clock_started_ms")
                    .col("level"),
            )
            .foreign_key(&mut of_complaint("complaint_escalations"))
            .to_owned(),
        Table::create()
            .table("compensations")
            .if_not_exists()
            .col(text("compensation_id").primary_key())
            .col(text("complaint_id"))
            .col(text("kind"))
            .col(int("amount_fen"))
            .col(text("reason"))
            .col(text("proposed_by"))
            .col(int("proposed_ms"))
            .col(text("state"))
            .col(maybe_text("decided_by"))
            .col(maybe_int("decided_ms"))
            .col(maybe_text("rejection_reason"))
            .foreign_key(&mut of_complaint("compensations"))
            .to_owned(),
        Table::create()
            .table("sla_policy")
            .if_not_exists()
            // Always 1: there is one policy in force.
            .col(int("policy_id").primary_key())
            // The targets and the calendar as JSON: read and written whole, never queried.
            .col(text("targets"))
            .col(text("calendar"))
            // 1 for the seeded default, bumped by every update; the etag is made from it.
            .col(int("version"))
            .col(maybe_text("updated_by"))
            .col(maybe_int("update_ms"))
            .to_owned(),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in tables() {
            manager.create_table(table).await?;
        }
        let by_opening = |column: &'static str, name: &str| {
            index("complaints", name, &[column, "opened_ms", "complaint_id"])
        };
        for idx in [
            // ListComplaints pages by (opened_ms, complaint_id) descending within a filter.
            by_opening("customer_id", "complaints_customer"),
            by_opening("first_contact_owner", "complaints_owner"),
            by_opening("handler", "complaints_handler"),
            by_opening("state", "complaints_state"),
            // No filter, or only a time range (category, channel and severity are too coarse
            // to be worth an index of their own: they narrow what another filter found).
            index(
                "complaints",
                "complaints_opened",
                &["opened_ms", "complaint_id"],
            ),
            // The repeat check: a customer's complaints in a category since an instant.
            index(
                "complaints",
                "complaints_repeat",
                &["customer_id", "category", "opened_ms"],
            ),
            index(
                "complaint_promises",
                "promises_complaint",
                &["complaint_id", "made_ms"],
            ),
            index(
                "complaint_follow_ups",
                "follow_ups_complaint",
                &["complaint_id", "scheduled_ms"],
            ),
            index(
                "compensations",
                "compensations_complaint",
                &["complaint_id", "proposed_ms"],
            ),
        ] {
            manager.create_index(idx).await?;
        }
        let conn = manager.get_connection();
        // Partial indexes hold only the rows a pass wants: most complaints are resolved, and
        // most promises kept.
        for sql in [
            "CREATE INDEX IF NOT EXISTS complaints_next_check \
             ON complaints (next_check_ms, complaint_id) WHERE next_check_ms IS NOT NULL",
            "CREATE INDEX IF NOT EXISTS complaints_overdue \
             ON complaints (overdue_ms) WHERE overdue_ms IS NOT NULL",
            // Complaints a policy change must reschedule.
            "CREATE INDEX IF NOT EXISTS complaints_unresolved \
             ON complaints (complaint_id) WHERE clock_resolved_ms IS NULL",
            "CREATE INDEX IF NOT EXISTS promises_unkept \
             ON complaint_promises (due_ms, promise_id) \
             WHERE fulfilled_ms IS NULL AND escalated_ms IS NULL",
        ] {
            conn.execute_unprepared(sql).await?;
        }
        Ok(())
    }
}
