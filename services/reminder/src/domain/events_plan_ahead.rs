//! The reminders due ahead of something rather than when it happened: a free trial's end, a
//! promotion's expiry (at the event's leads or the defaults), and an opening's usage tips a week
//! later. Apart from the rest of the planning, whose notices are due when the event happened,
//! because each of these works out its own due times from the event's.

use chrono::{DateTime, Days, NaiveTime, TimeDelta, Utc};
use chrono_tz::Asia::Shanghai;

use super::codes;
use crate::domain::Touchpoint;
use crate::domain::events::words::{day_words, local_date, time_words, yuan};
use crate::domain::events::{PromotionExpiring, VasSubscribed};

/// Usage tips follow an opening a week later, mid-morning.
const USAGE_TIPS_AFTER_DAYS: u64 = 7;
const USAGE_TIPS_AT_HOUR: u32 = 10;
/// A free trial is reminded a day before it ends (halfway, for trials of two days or less).
const TRIAL_LEAD: TimeDelta = TimeDelta::hours(24);
/// Promotion expiries are reminded this long before, unless the event says otherwise.
const DEFAULT_LEADS: [TimeDelta; 2] = [TimeDelta::days(7), TimeDelta::days(1)];

/// Where a planned reminder goes: touchpoint, template code, variables, send time, deadline
/// and dedupe key.
pub(super) type Add<'a> = dyn FnMut(
        Touchpoint,
        &'static str,
        &[(&str, String)],
        DateTime<Utc>,
        Option<DateTime<Utc>>,
        Option<String>,
    ) + 'a;

/// A subscription's notice; for a free trial, a reminder before it ends too.
pub(super) fn vas_subscribed(e: &VasSubscribed, at: DateTime<Utc>, add: &mut Add<'_>) {
    use Touchpoint as T;
    let mut vars = vec![
        ("VAS_NAME", e.service_name.clone()),
        ("VAS_DESC", e.description.clone()),
        ("PRICE", yuan(e.price_fen)),
        ("CANCEL_HOW", e.cancel_instructions.clone()),
    ];
    if e.free_trial_hours == 0 {
        add(
            T::VasSubscription,
            codes::VAS_SUBSCRIBED,
            &vars,
            at,
            None,
            None,
        );
    } else {
        let trial = TimeDelta::hours(i64::from(e.free_trial_hours));
        let end = at + trial;
        let mut first = vars.clone();
        first.push(("FREE_HOURS", e.free_trial_hours.to_string()));
        add(
            T::VasSubscription,
            codes::VAS_FREE_TRIAL,
            &first,
            at,
            None,
            None,
        );
        vars.retain(|(k, _)| *k != "VAS_DESC");
        vars.push(("TRIAL_END", time_words(end)));
        let lead = TRIAL_LEAD.min(trial / 2);
        add(
            T::VasSubscription,
            codes::VAS_TRIAL_ENDING,
            &vars,
            end - lead,
            Some(end),
            None,
        );
    }
}

/// A promotion's expiry, reminded at each lead before it.
pub(super) fn promotion_expiring(e: &PromotionExpiring, at: DateTime<Utc>, add: &mut Add<'_>) {
    use Touchpoint as T;
    let vars = [
        ("PROMOTION_NAME", e.promotion_name.clone()),
        ("EXPIRY_DATE", day_words(local_date(e.expire_time))),
        ("COST_AFTER", e.cost_after.clone()),
    ];
    let leads = if e.remind_before.is_empty() {
        DEFAULT_LEADS.to_vec()
    } else {
        e.remind_before.clone()
    };
    // Leads already past when the event happened collapse into one notice, sent then.
    let (past, ahead): (Vec<_>, Vec<_>) = leads.into_iter().partition(|l| e.expire_time - *l <= at);
    let mut dues: Vec<(DateTime<Utc>, TimeDelta)> =
        ahead.iter().map(|l| (e.expire_time - *l, *l)).collect();
    if let Some(shortest) = past.iter().min() {
        dues.push((at, *shortest));
    }
    dues.sort();
    for (due, lead) in dues {
        let key = format!(
            "promotion_expiry:{}:{}:{}",
            e.promotion_name,
            e.expire_time.timestamp_millis(),
            lead.num_seconds()
        );
        add(
            T::PromotionExpiry,
            codes::PROMOTION_EXPIRING,
            &vars,
            due,
            Some(e.expire_time),
            Some(key),
        );
    }
}

/// A week after the opening, mid-morning on the operator's clock.
pub(super) fn usage_tips_time(opened: DateTime<Utc>) -> DateTime<Utc> {
    let day = local_date(opened) + Days::new(USAGE_TIPS_AFTER_DAYS);
    let at = NaiveTime::from_hms_opt(USAGE_TIPS_AT_HOUR, 0, 0).unwrap_or_default();
    // Shanghai keeps no daylight saving: every wall time exists exactly once.
    day.and_time(at)
        .and_local_timezone(Shanghai)
        .single()
        .map_or(opened + TimeDelta::days(7), |t| t.with_timezone(&Utc))
}
