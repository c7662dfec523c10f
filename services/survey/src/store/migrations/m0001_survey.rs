//! Scenario versions, invitations, responses, each customer's latest satisfaction, the daily
//! roll-ups and the policy. Times are epoch milliseconds (`*_ms`), days `yyyymmdd` integers
//! in Asia/Shanghai, so ranges are integer comparisons on SQLite and PostgreSQL alike; optional
//! values are NULL; codes are the domain's text codes. Lists a row is read with but never
//! queried by (moments, scores, a follow-up's reasons) are JSON text.

use sea_orm_migration::prelude::*;
use vipcare_storage::schema::{index, int, maybe_int, maybe_text, text};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0001_survey"
    }
}

/// A required double (a mean): REAL on SQLite, double precision on PostgreSQL.
fn real(name: &'static str) -> ColumnDef {
    ColumnDef::new(name).double().not_null().to_owned()
}

fn maybe_real(name: &'static str) -> ColumnDef {
    ColumnDef::new(name).double().null().to_owned()
}

/// The key of a roll-up row: a scenario's day, cut by a dimension (`ALL`, `HALL`, `STAFF`,
/// `TIER`, `CHANNEL`) into groups (`''` for `ALL`, and for a hall or staff member not known).
/// Keyed (scenario, dimension, day, ...): a report reads one scenario's one dimension over a
/// range of days, so a 90-day report of the whole reads ~90 × moments rows, never the far
/// more numerous staff rows of those days.
fn day_group(table: &'static str) -> TableCreateStatement {
    Table::create()
        .table(table)
        .if_not_exists()
        .col(text("scenario_code"))
        .col(int("day"))
        .col(text("dim"))
        .col(text("grp"))
        .to_owned()
}

fn tables() -> Vec<TableCreateStatement> {
    vec![
        Table::create()
            .table("scenarios")
            .if_not_exists()
            .col(text("scenario_code"))
            .col(int("version"))
            .col(text("name"))
            .col(text("moments"))
            .col(int("update_ms"))
            .col(text("updated_by"))
            // Two writers of the same next version: the key lets one in.
            .primary_key(Index::create().col("scenario_code").col("version"))
            .to_owned(),
        Table::create()
            .table("invitations")
            .if_not_exists()
            .col(text("invitation_id").primary_key())
            // SHA-256 hex of the one-time token: the token itself is never stored.
            .col(text("token_hash").unique_key())
            .col(text("customer_id"))
            .col(text("scenario_code"))
            .col(int("scenario_version"))
            .col(maybe_text("complaint_id"))
            .col(maybe_text("hall_id"))
            .col(maybe_text("staff_id"))
            .col(maybe_text("event_id"))
            .col(text("channel"))
            .col(int("create_ms"))
            .col(int("expire_ms"))
            .col(maybe_int("answered_ms"))
            .col(maybe_text("response_id"))
            .to_owned(),
        Table::create()
            .table("responses")
            .if_not_exists()
            .col(text("response_id").primary_key())
            .col(text("customer_id"))
            .col(text("scenario_code"))
            .col(int("scenario_version"))
            .col(maybe_text("invitation_id"))
            .col(maybe_text("complaint_id"))
            .col(maybe_text("hall_id"))
            .col(maybe_text("staff_id"))
            .col(maybe_text("event_id"))
            .col(text("channel"))
            .col(text("tier"))
            .col(int("submit_ms"))
            .col(int("day"))
            // The rated moments as scored (name, place, importance, score), and the figures.
            .col(text("moment_scores"))
            .col(text("attribute_scores"))
            .col(maybe_int("nps"))
            .col(text("comment"))
            .col(text("score"))
            .col(real("mean"))
            .col(maybe_real("peak_end"))
            // The end moment's score, NULL when not rated: what CSAT counts, kept as a column
            // so the roller reads it without decoding the score.
            .col(maybe_int("end_score"))
            .col(text("follow_up_state"))
            .col(text("follow_up"))
            .col(maybe_text("follow_up_complaint_id"))
            .col(maybe_text("follow_up_refusal"))
            // 1 once counted in the roll-ups.
            .col(int("rolled"))
            .to_owned(),
        Table::create()
            .table("satisfaction")
            .if_not_exists()
            .col(text("customer_id").primary_key())
            // Of the latest response with an end moment, and when it was given.
            .col(maybe_real("peak_end"))
            .col(maybe_int("peak_end_ms"))
            // Of the latest response with an NPS answer.
            .col(maybe_int("nps"))
            .col(maybe_int("nps_ms"))
            // The latest response.
            .col(text("scenario_code"))
            .col(text("response_id"))
            .col(int("submit_ms"))
            .to_owned(),
        day_group("moment_days")
            .col(text("moment_code"))
            .col(int("n"))
            .col(int("score_sum"))
            .primary_key(
                Index::create()
                    .col("scenario_code")
                    .col("dim")
                    .col("day")
                    .col("grp")
                    .col("moment_code"),
            )
            .to_owned(),
        day_group("journey_days")
            .col(int("responses"))
            // Every rated moment's score, added up: the day's mean score.
            .col(int("score_n"))
            .col(int("score_sum"))
            // Peak-end scores in thousandths, so sums are exact integers.
            .col(int("peak_end_n"))
            .col(int("peak_end_sum"))
            .col(int("nps_promoters"))
            .col(int("nps_passives"))
            .col(int("nps_detractors"))
            .col(int("end_n"))
            .col(int("end_satisfied"))
            .primary_key(
                Index::create()
                    .col("scenario_code")
                    .col("dim")
                    .col("day")
                    .col("grp"),
            )
            .to_owned(),
        Table::create()
            .table("policy")
            .if_not_exists()
            // Always 1: there is one policy in force.
            .col(int("policy_id").primary_key())
            .col(text("policy"))
            // 1 for the seeded default, bumped by every update; the etag is made from it.
            .col(int("version"))
            .col(maybe_int("update_ms"))
            .col(maybe_text("updated_by"))
            .to_owned(),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in tables() {
            manager.create_table(table).await?;
        }
        for idx in [
            // Fatigue: a customer's last invitation.
            index(
                "invitations",
                "invitations_customer",
                &["customer_id", "create_ms"],
            ),
            // ListResponses pages by (submit_ms, response_id) descending, by customer or not
            // (hall, staff and scenario narrow what the time order finds).
            index(
                "responses",
                "responses_customer",
                &["customer_id", "submit_ms", "response_id"],
            ),
            index(
                "responses",
                "responses_submitted",
                &["submit_ms", "response_id"],
            ),
            // Alerts over every scenario: the halls' or staff's last 7 days.
            index("moment_days", "moment_days_recent", &["dim", "day"]),
            // A trend over every scenario, whole or of one hall or staff member.
            index("journey_days", "journey_days_trend", &["dim", "grp", "day"]),
        ] {
            manager.create_index(idx).await?;
        }
        let conn = manager.get_connection();
        // Partial indexes hold only the rows a reader wants: few responses are detractors, and
        // few wait for the roller.
        for sql in [
            "CREATE INDEX IF NOT EXISTS responses_detractors \
             ON responses (submit_ms, response_id) WHERE follow_up_state <> 'NONE'",
            "CREATE INDEX IF NOT EXISTS responses_unrolled \
             ON responses (submit_ms) WHERE rolled = 0",
        ] {
            conn.execute_unprepared(sql).await?;
        }
        Ok(())
    }
}
