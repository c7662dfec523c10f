//! OpenComplaint: the request checked field by field, the customer and their tier learnt from
//! the profile and tiering (before any transaction: no transaction waits on another service),
//! then in one transaction the repeat looked for, the complaint opened with its SLA clock
//! started and held to the policy's target for the tier and severity, and stored.
//!
//! Complaint ids are read out on the phone and sent by SMS, so they are short and readable
//! rather than a UUID: `C` + the day it was opened in China + ten characters of a base-31
//! alphabet without look-alikes (no 0/O, 1/I/L), e.g. `C20260615-7K3QXM9TRA`. About 50 random
//! bits a day make a clash negligible (about one in ten million days at 10,000 complaints a day),
//! and one would be refused by the primary key, not overwrite anything.

use chrono::{DateTime, Utc};
use chrono_tz::Asia::Shanghai;
use sea_orm::DatabaseTransaction;
use tonic::{Request, Response};
use vipcare_domain::Violation;
use vipcare_proto::complaint::v1 as pb;
use vipcare_storage::idempotency::Begun;

use super::convert::codes::{
    category_from_proto, channel_from_proto, required, severity_from_proto,
};
use super::{ComplaintApi, Reply};
use crate::domain::repeat::REPEAT_WINDOW;
use crate::domain::sla::DEFAULT_TIER;
use crate::domain::{Complaint, ComplaintDraft, NewComplaint, SlaClock, find_repeat};
use crate::error::Error;
use crate::store::{self, Schedule, StoredComplaint};
use crate::sweep::progress::first_notice;

pub async fn open(
    api: &ComplaintApi,
    r: Request<pb::OpenComplaintRequest>,
) -> Reply<pb::OpenComplaintResponse> {
    let key = super::request::key(
        r.metadata(),
        "OpenComplaint",
        &r.get_ref().request_id,
        r.get_ref(),
    )?;
    let request = r.into_inner();
    let fresh = match api
        .requests
        .begin::<pb::OpenComplaintResponse, Error>(key.as_ref())
        .await?
    {
        Begun::Replayed(answer) => return Ok(Response::new(answer)),
        Begun::Fresh(fresh) => fresh,
    };
    let now = store::stored_time(api.clock.now());
    let draft = draft_of(request, now)?;
    let customer = api
        .directory
        .customer(&draft.customer_id)
        .await?
        .ok_or_else(|| Error::not_found("customer", &draft.customer_id))?;
    // A customer tiering has not placed yet is held to the base tier, and reported under it.
    let tier = match customer.tier.as_str() {
        "" => DEFAULT_TIER.to_owned(),
        tier => tier.to_owned(),
    };
    let id = complaint_id(now, uuid::Uuid::new_v4().as_u128());
    let answer = fresh
        .finish::<pb::OpenComplaintResponse, Error, _>(async |txn| {
            let progress = first_notice(&api.rules.progress, &tier, now);
            let repeat_of = store_opened(txn, &id, draft, tier, now).await?;
            // The customer's first progress notice, at the cadence of their tier.
            store::progress::schedule_first(txn, &id, progress).await?;
            Ok(pb::OpenComplaintResponse {
                complaint: Some(super::reads::answer(api, txn, &id).await?),
                repeat_of,
            })
        })
        .await?;
    tracing::info!(complaint_id = %id, repeat_of = %answer.repeat_of, "complaint opened");
    Ok(Response::new(answer))
}

/// Opens the complaint `id` from `draft` inside `txn`: linked to the earlier one it repeats
/// (whose id it answers, or empty), its SLA clock started at `now` and scheduled under the
/// policy's target for the tier and its severity.
async fn store_opened(
    txn: &DatabaseTransaction,
    id: &str,
    draft: ComplaintDraft,
    tier: String,
    now: DateTime<Utc>,
) -> Result<String, Error> {
    let since = now - REPEAT_WINDOW;
    let earlier =
        store::complaints::earlier_in_category(txn, &draft.customer_id, draft.category, since)
            .await?;
    let repeat = find_repeat(draft.category, draft.severity, now, &earlier);
    let repeat_of = repeat.as_ref().map(|r| r.of.clone()).unwrap_or_default();
    let complaint = Complaint::open(id.to_owned(), draft, tier, repeat);
    let policy = store::policy::get(txn).await?;
    let target = policy
        .policy
        .target(&complaint.tier_at_opening, complaint.severity);
    let clock = SlaClock::start(now);
    let schedule = Schedule::of(&clock, &target, &policy.calendar, &[]);
    let opened = StoredComplaint {
        complaint,
        clock,
        pause_reasons: Vec::new(),
        schedule,
        update_time: now,
    };
    store::complaints::insert(txn, &opened).await?;
    Ok(repeat_of)
}

/// The request as a checked draft, or every refused field named.
fn draft_of(
    request: pb::OpenComplaintRequest,
    now: DateTime<Utc>,
) -> Result<ComplaintDraft, Error> {
    let pb::OpenComplaintRequest {
        customer_id,
        channel,
        category,
        severity,
        summary,
        description,
        first_contact_owner,
        request_id: _,
    } = request;
    let mut found: Vec<Violation> = Vec::new();
    let channel = kept(&mut found, required(channel_from_proto(channel), "channel"));
    let category = kept(
        &mut found,
        required(category_from_proto(category), "category"),
    );
    let severity = kept(
        &mut found,
        required(severity_from_proto(severity), "severity"),
    );
    let values = NewComplaint {
        customer_id,
        channel,
        category,
        severity,
        summary,
        description,
        first_contact_owner,
    };
    match ComplaintDraft::new(values, now) {
        Ok(draft) if found.is_empty() => Ok(draft),
        Ok(_) => Err(Error::Invalid(found)),
        Err(more) => {
            // An unknown enum number was named already; the draft only saw it missing.
            let named: Vec<String> = found.iter().map(|v| v.field.clone()).collect();
            found.extend(more.into_iter().filter(|v| !named.contains(&v.field)));
            Err(Error::Invalid(found))
        }
    }
}

fn kept<T>(found: &mut Vec<Violation>, checked: Result<T, Violation>) -> Option<T> {
    checked.map_err(|v| found.push(v)).ok()
}

/// Digits and capitals that cannot be mistaken for one another when read out or copied.
const ID_ALPHABET: &[u8; 31] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/// `C` + the day in China + 10 characters of `random` in base 31 (31^10: about 50 bits).
fn complaint_id(now: DateTime<Utc>, random: u128) -> String {
    let day = now.with_timezone(&Shanghai).format("%Y%m%d");
    let base = ID_ALPHABET.len() as u128;
    let mut rest = random;
    let suffix: String = (0..10)
        .map(|_| {
            let digit = ID_ALPHABET[(rest % base) as usize] as char;
            rest /= base;
            digit
        })
        .collect();
    format!("C{day}-{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_name_the_day_in_china_and_are_readable() {
        let late_evening_utc: DateTime<Utc> = "2026-06-14T20:00:00Z".parse().unwrap();
        let id = complaint_id(late_evening_utc, 0x1234_5678_9abc);
        assert!(id.starts_with("C20260615-"), "{id}");
        assert_eq!(id.len(), 20);
        let suffix = &id[10..];
        assert!(!suffix.contains(['0', 'O', '1', 'I', 'L']), "{id}");
        assert_ne!(id, complaint_id(late_evening_utc, 0x1234_5678_9abd));
    }

    #[test]
    fn every_refused_field_is_named_once() {
        let request = pb::OpenComplaintRequest {
            channel: 99,
            summary: " ".into(),
            ..Default::default()
        };
        let Err(Error::Invalid(found)) = draft_of(request, Utc::now()) else {
            panic!("refused");
        };
        let mut fields: Vec<&str> = found.iter().map(|v| v.field.as_str()).collect();
        fields.sort_unstable();
        assert_eq!(
            fields,
            [
                "category",
                "channel",
                "customer_id",
                "first_contact_owner",
                "severity",
                "summary"
            ]
        );
    }
}
