//! `vipcare up --demo`: API keys for every channel and a demo population, so a newcomer can call
//! the gateway a minute after cloning. The data set is generated from a fixed seed and loaded
//! through the profile service's gRPC API (never its tables); the benchmark reuses the same
//! generator and loader through the gateway. Every `up --demo` then sends the day's reminders
//! through the reminder service's API (once per day, however often it is run), and the first one
//! opens a spread of complaints through the complaint service's API and imports 90 days of
//! survey answers (the API cannot backdate an answer: see `surveys`).

pub mod activity;
mod banner;
pub mod complaints;
pub mod data;
pub mod day;
mod identity;
pub mod keys;
pub mod load;
pub mod reminders;
pub mod surveys;
mod tiers;
mod vocab;

use std::net::SocketAddr;

use tonic::transport::Channel;
use vipcare_domain::{Clock, SystemClock};
use vipcare_runtime::InternalCredential;

pub use banner::banner;
pub use data::{DemoSet, SEED};
pub use keys::{DemoKey, DemoKeys};
pub use load::{Credentials, LoadError, Loaded, Outcome, ProfileClient, profile_client};

/// Customers `vipcare up --demo` loads by default: over 1,000, and enough that the billing feed
/// is over 12,000 rows even though newer customers have fewer than 12 months of bills.
pub const DEFAULT_CUSTOMERS: usize = 1_200;

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("cannot reach the service at {addr}: {reason}")]
    Connect { addr: SocketAddr, reason: String },
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error("demo tier evaluation: {0}")]
    Tiering(String),
    #[error("demo survey answers: {0}")]
    Survey(String),
}

/// Where the demo sends what it loads.
#[derive(Debug, Clone, Copy)]
pub struct Services {
    pub profile: SocketAddr,
    pub tiering: SocketAddr,
    pub reminder: SocketAddr,
    pub complaint: SocketAddr,
}

/// Loads `customers` demo customers into the profile service as the admin client, unless it
/// already has customers, then evaluates their tiers; either way sends the day's reminders
/// (once a day), and into empty stores opens complaints and imports survey answers (into the
/// store `survey` names). Every call signed with `credential`. Returns a mobile number of the
/// store, for examples.
pub async fn populate(
    services: Services,
    credential: &InternalCredential,
    admin: &DemoKey,
    customers: usize,
    survey: &vipcare_survey::Settings,
) -> Result<String, DemoError> {
    let channel = connect(services.profile).await?;
    let client = profile_client(
        channel.clone(),
        Credentials::internal(&admin.caller(), credential),
    );
    // The operator's calendar (Asia/Shanghai), as the value summaries count months: on the
    // server's own date the last bill would fall a month short for hours at each month's turn.
    let set = DemoSet::generate(customers, SystemClock.today(), SEED);
    let example = match load::load_unless_present(&client, &set).await? {
        load::Outcome::Loaded(loaded) => {
            tracing::info!(
                customers = loaded.customer_ids.len(),
                bills = loaded.bills_accepted,
                relations = loaded.relations,
                notes = loaded.notes,
                elapsed = ?loaded.elapsed,
                "demo data set loaded"
            );
            let run = tiers::evaluate(services.tiering, credential).await?;
            tracing::info!(
                evaluated = run.processed,
                upgrades = run.upgrades,
                "demo tiers evaluated"
            );
            example_msisdn(&set)
        }
        load::Outcome::AlreadyPresent(customer) => {
            tracing::info!("the profile store already has customers; demo data not loaded again");
            customer.msisdn
        }
    };
    let reminder = connect(services.reminder).await?;
    let (masked, reminders) = reminders::clients(channel, reminder, admin, credential);
    let featured = (!example.is_empty()).then_some(example.as_str());
    let day = reminders::send_day(&masked, &reminders, featured, SystemClock.now()).await?;
    tracing::info!(
        customers = day.customers,
        events = day.events,
        from_events = day.from_events,
        scheduled = day.scheduled,
        already_there = day.duplicate_events as usize + day.deduplicated,
        "demo reminders of the day sent"
    );
    let complaint = connect(services.complaint).await?;
    let complaints = complaints::client(complaint, admin, credential);
    let featured_id = match featured {
        Some(msisdn) => Some(reminders::customer_id_of(&masked, msisdn).await?),
        None => None,
    };
    let ids: Vec<String> = reminders::active_customers(&masked)
        .await?
        .into_iter()
        .map(|c| c.customer_id)
        .collect();
    let opened = complaints::open_unless_present(
        &complaints,
        complaints::plan(&ids, featured_id.as_deref()),
    )
    .await?;
    tracing::info!(opened, "demo complaints opened (none when there were some)");
    let tiering = connect(services.tiering).await?;
    let tiered = tiers::of(tiering, credential, &ids).await?;
    let answered = surveys::load_unless_present(survey, &tiered, SystemClock.now()).await?;
    tracing::info!(
        answered,
        "demo survey answers imported (none when there were some)"
    );
    Ok(example)
}

async fn connect(addr: SocketAddr) -> Result<Channel, DemoError> {
    tonic::transport::Endpoint::from_shared(format!("http://{addr}"))
        .map_err(|err| connect_error(addr, &err))?
        .connect()
        .await
        .map_err(|err| connect_error(addr, &err))
}

/// A customer worth showing: a full year of bills and a work log.
fn example_msisdn(set: &DemoSet) -> String {
    let noted = |i: usize| set.activity.notes.iter().any(|n| n.person == i);
    (0..set.people.len())
        .find(|&i| set.activity.months_of(i) == activity::MONTHS as usize && noted(i))
        .or((!set.people.is_empty()).then_some(0))
        .map(|i| set.people[i].customer.msisdn.clone())
        .unwrap_or_default()
}

fn connect_error(addr: SocketAddr, err: &dyn std::fmt::Display) -> DemoError {
    DemoError::Connect {
        addr,
        reason: err.to_string(),
    }
}

#[cfg(test)]
mod readme_tests {
    use chrono::NaiveDate;

    use super::*;

    /// The number the README's "Calling it" examples use.
    const README_MSISDN: &str = "13409480457";

    #[test]
    fn the_readme_example_number_is_the_demo_customer_shown() {
        // The example is the same customer whatever the day the demo is loaded on.
        for today in [(2025, 6, 15), (2026, 11, 30), (2027, 1, 1)] {
            let today = NaiveDate::from_ymd_opt(today.0, today.1, today.2).unwrap();
            let set = DemoSet::generate(DEFAULT_CUSTOMERS, today, SEED);
            assert_eq!(example_msisdn(&set), README_MSISDN, "loaded on {today}");
        }
        let readme = include_str!("../../../../README.md");
        assert!(readme.contains(&format!("\"msisdn\":\"{README_MSISDN}\"")));
    }
}
