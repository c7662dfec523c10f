//! The customers a run reads: those a running gateway already has, or the demo generator's,
//! loaded through the gateway with the bench key (customers, a year of bills, relations and
//! work-log entries, so every view has all its sections).

use std::time::Instant;

use anyhow::Context;
use chrono::Local;
use tonic::transport::Channel;
use vipcare_proto::profile::v1::ListCustomersRequest;
use vipcare_suite::demo::{self, Credentials, DemoSet, ProfileClient};

use crate::target::Target;

/// Up to `wanted` customer ids: the target's own, or `wanted` new ones when it has none.
pub(crate) async fn customers(
    target: &Target,
    channel: Channel,
    wanted: usize,
) -> anyhow::Result<Vec<String>> {
    let client = demo::profile_client(channel, Credentials::bearer(&target.api_key));
    let existing = list(&client, wanted).await?;
    if !existing.is_empty() {
        eprintln!("using {} customers the gateway already has", existing.len());
        return Ok(existing);
    }
    let started = Instant::now();
    let set = DemoSet::generate(wanted, Local::now().date_naive(), demo::SEED);
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
    Ok(loaded.customer_ids)
}

async fn list(client: &ProfileClient, wanted: usize) -> anyhow::Result<Vec<String>> {
    let mut ids = Vec::new();
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
        ids.extend(page.customers.into_iter().map(|c| c.customer_id));
        if page.next_page_token.is_empty() {
            break;
        }
        page_token = page.next_page_token;
    }
    ids.truncate(wanted);
    Ok(ids)
}
