//! Service tests: a real profile and tiering service on 127.0.0.1:0, driven through the
//! generated clients, once per configured backend (embedded SQLite always; PostgreSQL and
//! Redis when VIPCARE_TEST_DATABASE_URL and VIPCARE_TEST_REDIS_URL are set). A real survey
//! service runs beside them (tiering reads peak-end scores from it).

mod complaints;
mod customers;
mod harness;

mod benefits;
mod calendar;
mod catalogue;
mod churn;
mod downgrades;
mod evaluation;
mod expiry;
mod invalidations;
mod legacy_rows;
mod notices;
mod overlaps;
mod overrides;
mod partners;
mod policy;
mod priority;
mod request_ids;
mod runs;
mod satisfaction;
mod schedule;
mod service_signals;
mod trust;
