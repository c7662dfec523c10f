//! The customers a run reads: those a running gateway already has, or the demo generator's,
//! loaded through the gateway with the bench key (customers, a year of bills, relations and
//! work-log entries, so every view has all its sections). Their mobile numbers are known when
//! the bench loaded them, or when the key lists customers unmasked (`pii:read`). The tiers the
//! bench's stores are seeded with live here too: one mix for every subcommand.

use std::time::Instant;

use anyhow::Context;
use tonic::transport::Channel;
use vipcare_domain::Clock;
use vipcare_proto::profile::v1::ListCustomersRequest;
use vipcare_suite::demo::{self, Credentials, DemoSet, ProfileClient};

use crate::target::Target;

/// Tiers in the proportions a hall sees them: few DIAMOND, many STANDARD.
pub(crate) const TIERS: [&str; 20] = [
    "DIAMOND", "DIAMOND", "PLATINUM", "PLATINUM", "PLATINUM", "GOLD", "GOLD", "GOLD", "GOLD",
    "GOLD", "SILVER", "SILVER", "SILVER", "SILVER", "SILVER", "STANDARD", "STANDARD", "STANDARD",
    "STANDARD", "STANDARD",
];

/// The customers of a run.
#[derive(Debug, Clone, Default)]
pub(crate) struct Customers {
    pub ids: Vec<String>,
    /// Their mobile numbers, in the order of `ids`; empty when they were listed masked.
    pub msisdns: Vec<String>,
}

/// Up to `wanted` customers: the target's own, or `wanted` new ones when it has none.
pub(crate) async fn customers(
    target: &Target,
    channel: Channel,
    wanted: usize,
) -> anyhow::Result<Customers> {
    let client = demo::profile_client(channel, Credentials::bearer(&target.api_key));
    let existing = list(&client, wanted).await?;
    if !existing.ids.is_empty() {
        eprintln!(
            "using {} customers the gateway already has",
            existing.ids.len()
        );
        return Ok(existing);
    }
    let started = Instant::now();
    let set = DemoSet::generate(wanted, vipcare_domain::SystemClock.today(), demo::SEED);
    let loaded = demo::load::load(&client, &set)
        .await
        .context("loading customers through the gateway")?;
    eprintln!(
        "loaded {} customers, {} bills, {} relations, {} notes in {:.1?}",
        loaded.customer_ids.len(),
        loaded.bills_accepted,
        loaded.relations,
        loaded.notes,
        started.elapsed()
    );
    // Loaded in the order of the people, so the numbers line up with the ids.
    let msisdns = set.people.iter().map(|p| p.customer.msisdn.clone());
    Ok(Customers {
        msisdns: msisdns.take(loaded.customer_ids.len()).collect(),
        ids: loaded.customer_ids,
    })
}

async fn list(client: &ProfileClient, wanted: usize) -> anyhow::Result<Customers> {
    let mut ids = Vec::new();
    let mut msisdns = Vec::new();
    let mut masked = false;
    let mut page_token = String::new();
    while ids.len() < wanted {
        let request = ListCustomersRequest {
            page_size: 500,
            page_token,
            ..ListCustomersRequest::default()
        };
        let page = client
            .clone()
            .list_customers(request)
            .await
            .context("listing customers through the gateway")?
            .into_inner();
        for customer in page.customers {
            masked |= customer.pii_masked;
            ids.push(customer.customer_id);
            msisdns.push(customer.msisdn);
        }
        if page.next_page_token.is_empty() {
            break;
        }
        page_token = page.next_page_token;
    }
    ids.truncate(wanted);
    msisdns.truncate(wanted);
    if masked {
        msisdns.clear();
    }
    Ok(Customers { ids, msisdns })
}
