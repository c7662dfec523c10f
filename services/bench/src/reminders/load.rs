//! The run's data, written straight into the stores before the suite starts (as `tier-batch`
//! loads its customers), so loading a million reminders takes the load's time, not the
//! dispatcher's: customers in the profile store whose quiet hours are hours away, and five
//! reminders due at one instant for each backlog customer, in a mix that takes the dispatcher
//! through its rules — three mergeable touchpoints (one message), a complaint's progress (alone)
//! and an urgent sensitive-query notice (alone, outside the daily cap). Three messages a
//! customer, two of them counted: well under the default cap of five.

use chrono::{DateTime, NaiveTime, TimeDelta, Timelike, Utc};
use vipcare_profile::domain::{
    ContactPreferences, Customer, CustomerName, CustomerProfile, CustomerStatus, Gender, Msisdn,
    QuietHours,
};
use vipcare_reminder::domain::rule::default_rule;
use vipcare_reminder::domain::{Reminder, ReminderState, Touchpoint, Variables, new_reminder_id};
use vipcare_storage::Database;

/// Reminders per backlog customer: one of each of [`MIX`].
pub(super) const PER_CUSTOMER: u64 = 5;
/// Customers (and their reminders) written per round trip.
const CHUNK: usize = 1_000;
/// Where the lag measurement's customers' numbers start, clear of the backlog's.
pub(super) const LAG_NUMBERS: usize = 50_000_000;

/// A backlog customer's reminders, most important first as the merge orders them.
const MIX: [(Touchpoint, &str); PER_CUSTOMER as usize] = [
    (
        Touchpoint::PlanChange,
        "尊敬的全球通客户:您已成功订购5G畅享套餐,下月1日生效,每月128元含30GB流量。中国移动",
    ),
    (
        Touchpoint::TopupRebate,
        "尊敬的客户:您参加的预存返还已办好,每次返还话费20.00元,最后一次12月1日到账。中国移动",
    ),
    (
        Touchpoint::PromotionExpiry,
        "尊敬的客户:您的畅享流量包将于下月1日到期,之后每月30元。如需续订请回复KT。中国移动",
    ),
    (
        Touchpoint::ComplaintProgress,
        "尊敬的客户:您反映的信号问题已处理完毕,如仍有问题请拨打10086。中国移动",
    ),
    (
        Touchpoint::SensitiveQuery,
        "尊敬的客户:您的通话详单刚在营业厅被查询。如非本人操作,请拨打10086。中国移动",
    ),
];

/// Messages `reminders` backlog reminders make for one customer (the last customer of an
/// uneven count has fewer): the mergeable ones share one, the other two go alone.
fn messages_of(reminders: u64) -> u64 {
    u64::from(reminders >= 1) + u64::from(reminders >= 4) + u64::from(reminders >= 5)
}

/// Messages a backlog of `count` reminders reaches the sink as.
pub(super) fn messages(count: u64) -> u64 {
    (count / PER_CUSTOMER) * messages_of(PER_CUSTOMER) + messages_of(count % PER_CUSTOMER)
}

/// Customers a backlog of `count` reminders is for.
pub(super) fn customers_for(count: u64) -> u64 {
    count.div_ceil(PER_CUSTOMER)
}

/// Writes `count` customers numbered from `first` into the profile store; their ids.
pub(super) async fn customers(
    profile: &Database,
    first: usize,
    count: usize,
    now: DateTime<Utc>,
) -> anyhow::Result<Vec<String>> {
    let contact = awake(now)?;
    let mut ids = Vec::with_capacity(count);
    for start in (first..first + count).step_by(CHUNK) {
        let batch = make_customers(start..(start + CHUNK).min(first + count), &contact, now)?;
        vipcare_profile::store::customers::insert_many(profile.conn(), &batch).await?;
        ids.extend(batch.iter().map(|c| c.id.to_string()));
    }
    Ok(ids)
}

/// The backlog: `count` reminders due at `due`, five for each of `count / 5` new customers.
/// Returns the ids of at most `keep` of the customers (the event feed's), so the bench's own
/// memory does not grow with the backlog it measures the service's memory under.
pub(super) async fn backlog(
    profile: &Database,
    reminder: &Database,
    count: u64,
    due: DateTime<Utc>,
    keep: usize,
) -> anyhow::Result<Vec<String>> {
    let contact = awake(due)?;
    let customers = usize::try_from(customers_for(count))?;
    let mut kept = Vec::with_capacity(keep.min(customers));
    let mut left = count;
    for start in (0..customers).step_by(CHUNK) {
        let batch = make_customers(start..(start + CHUNK).min(customers), &contact, due)?;
        vipcare_profile::store::customers::insert_many(profile.conn(), &batch).await?;
        let ids: Vec<String> = batch.iter().map(|c| c.id.to_string()).collect();
        left -= store_reminders(reminder, &ids, left, due).await?;
        let room = keep.saturating_sub(kept.len());
        kept.extend(ids.into_iter().take(room));
    }
    Ok(kept)
}

/// A set like the backlog's for the floor: `count` reminders due at `due`, five per customer,
/// for customer ids no service knows (the floor asks nobody).
pub(super) async fn floor_set(
    reminder: &Database,
    count: u64,
    due: DateTime<Utc>,
) -> anyhow::Result<()> {
    let customers = usize::try_from(customers_for(count))?;
    let mut left = count;
    for start in (0..customers).step_by(CHUNK) {
        let ids: Vec<String> = (start..(start + CHUNK).min(customers))
            .map(|i| format!("floor-{i}"))
            .collect();
        left -= store_reminders(reminder, &ids, left, due).await?;
    }
    Ok(())
}

/// Up to five reminders for each of `customers`, at most `left` in all; how many were stored.
async fn store_reminders(
    db: &Database,
    customers: &[String],
    left: u64,
    due: DateTime<Utc>,
) -> anyhow::Result<u64> {
    let reminders: Vec<Reminder> = customers
        .iter()
        .flat_map(|c| MIX.iter().map(move |m| reminder(c, *m, due)))
        .take(usize::try_from(left)?)
        .collect();
    let stored =
        vipcare_reminder::store::ingest::insert_reminders(db.conn(), &reminders, &[], due).await?;
    anyhow::ensure!(
        stored.inserted.len() == reminders.len(),
        "{} of {} reminders were stored",
        stored.inserted.len(),
        reminders.len()
    );
    Ok(reminders.len() as u64)
}

/// A SCHEDULED reminder due at `due`, as ScheduleReminder would have stored it.
fn reminder(
    customer: &str,
    (touchpoint, text): (Touchpoint, &str),
    due: DateTime<Utc>,
) -> Reminder {
    let rule = default_rule(touchpoint);
    Reminder {
        id: new_reminder_id(),
        customer_id: customer.to_owned(),
        touchpoint,
        template_code: format!("{}.bench.sms.zh-cn", touchpoint.code()),
        variables: Variables::default(),
        text: text.to_owned(),
        priority: rule.priority,
        send_at: due,
        deadline: due + rule.default_deadline,
        planned_send_at: due,
        state: ReminderState::Scheduled,
        dedupe_key: None,
        staff_assignee: None,
        channel: None,
        channel_index: 0,
        attempts: 0,
        message_id: None,
        superseded_by: None,
        source_event_id: None,
        client: "bench".into(),
        create_time: due,
        update_time: due,
        changes: 1,
        trace: None,
    }
}

fn make_customers(
    numbers: std::ops::Range<usize>,
    contact: &ContactPreferences,
    now: DateTime<Utc>,
) -> anyhow::Result<Vec<Customer>> {
    numbers
        .map(|i| Ok(Customer::create(profile(i, contact)?, now)))
        .collect()
}

fn profile(i: usize, contact: &ContactPreferences) -> anyhow::Result<CustomerProfile> {
    Ok(CustomerProfile {
        msisdn: Some(Msisdn::parse(&format!("139{i:08}"))?),
        name: CustomerName::parse("王小明")?,
        gender: Gender::Unspecified,
        birth_date: None,
        region_code: None,
        preferred_language: None,
        occupation: String::new(),
        interests: Vec::new(),
        contact: contact.clone(),
        account_manager_id: "am-1".into(),
        group: None,
        plan_code: "P188".into(),
        network_joined_on: None,
        status: CustomerStatus::Active,
        id_document: None,
    })
}

/// Default channels, no opt-outs, and an hour of quiet starting three hours from `now` on the
/// Shanghai clock: nothing the run sends falls in it, whatever time of day the bench runs.
fn awake(now: DateTime<Utc>) -> anyhow::Result<ContactPreferences> {
    let shanghai = (now + TimeDelta::hours(8)).time();
    let (later, _) = shanghai.overflowing_add_signed(TimeDelta::hours(3));
    let start = NaiveTime::from_hms_opt(later.hour(), later.minute(), 0).unwrap_or(later);
    let (end, _) = start.overflowing_add_signed(TimeDelta::hours(1));
    let quiet = QuietHours::new(start, end, "Asia/Shanghai")?;
    Ok(ContactPreferences::new(Vec::new(), quiet, Vec::new())?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_customer_s_five_reminders_make_three_messages() {
        assert_eq!(messages(5), 3);
        assert_eq!(messages(100_000), 60_000);
        // The last customer of an uneven count: two mergeable ones, then the complaint too.
        assert_eq!(messages(7), 4);
        assert_eq!(messages(9), 5);
        assert_eq!(customers_for(100_000), 20_000);
        assert_eq!(customers_for(7), 2);
    }

    #[test]
    fn the_mix_merges_as_the_rules_say() {
        let rules: Vec<_> = MIX.iter().map(|(t, _)| default_rule(*t)).collect();
        assert!(rules[..3].iter().all(|r| r.mergeable && !r.urgent));
        assert!(!rules[3].mergeable && !rules[3].urgent);
        assert!(rules[4].urgent);
    }

    #[test]
    fn quiet_hours_never_cover_the_run() {
        let now: DateTime<Utc> = "2026-03-02T15:30:00Z".parse().unwrap();
        let contact = awake(now).unwrap();
        let quiet = contact.quiet_hours;
        // 23:30 in Shanghai: quiet from 02:30 to 03:30.
        assert_eq!(quiet.start(), NaiveTime::from_hms_opt(2, 30, 0).unwrap());
        for minutes in [0, 60, 170] {
            assert!(
                !quiet.contains(now + TimeDelta::minutes(minutes)),
                "{minutes}"
            );
        }
        assert!(quiet.contains(now + TimeDelta::minutes(190)));
    }
}
