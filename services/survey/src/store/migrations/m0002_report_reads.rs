//! Reports read the roll-ups' keys alone. A 90-day report by staff member sums every
//! (day, staff member, moment) row of the scenario: 316,000 rows at a million responses, each
//! fetched from the table for its two sums (420 ms by a sequential scan on 2 busy cores). The
//! primary keys now carry the sums (`INCLUDE`), so the report is an index-only scan of the
//! range it asks for (200 ms on the same rows), and the roller's upserts find their rows by the
//! same key as before. PostgreSQL only: SQLite's keys take no `INCLUDE`, and
//! the embedded store holds far fewer rows.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0002_report_reads"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let conn = manager.get_connection();
        if conn.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        for sql in [
            "ALTER TABLE moment_days DROP CONSTRAINT moment_days_pkey, \
             ADD CONSTRAINT moment_days_pkey \
             PRIMARY KEY (scenario_code, dim, day, grp, moment_code) INCLUDE (n, score_sum)",
            "ALTER TABLE journey_days DROP CONSTRAINT journey_days_pkey, \
             ADD CONSTRAINT journey_days_pkey PRIMARY KEY (scenario_code, dim, day, grp) \
             INCLUDE (responses, score_n, score_sum, peak_end_n, peak_end_sum, nps_promoters, \
             nps_passives, nps_detractors, end_n, end_satisfied)",
        ] {
            conn.execute_unprepared(sql).await?;
        }
        Ok(())
    }
}
