//! Who the reminders are for and what must become of each: customers drawn from a seeded
//! generator, each with channels, a home time zone and quiet hours set around the real "now"
//! (the binary reads the system clock), and eight reminders per customer whose end state follows
//! from the customer alone — so a crash that changed an outcome shows as a wrong end state.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveTime, TimeDelta, Timelike, Utc};
use chrono_tz::Tz;
use vipcare_proto::common::v1 as common;
use vipcare_reminder::domain::{ReminderState, Touchpoint};

pub const CUSTOMERS: usize = 1_250;
/// Reminders per customer: 10,000 in all.
pub const PER_CUSTOMER: usize = 8;

/// Home zones, with half- and three-quarter-hour offsets among them.
const ZONES: [Tz; 6] = [
    chrono_tz::Asia::Shanghai,
    chrono_tz::Europe::Paris,
    chrono_tz::America::New_York,
    chrono_tz::Asia::Kolkata,
    chrono_tz::Australia::Adelaide,
    chrono_tz::Pacific::Chatham,
];

/// A seeded generator (SplitMix64): the seed printed by the test replays its draws.
#[derive(Debug, Clone)]
pub struct Draws(u64);

impl Draws {
    pub fn new(seed: u64) -> Draws {
        Draws(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A draw in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// What sets a customer's outcomes apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// SMS, quiet hours later today: every due reminder is delivered.
    Plain,
    /// In quiet hours now, until after the reminders' deadline: they expire unsent.
    Quiet,
    /// Opted out of care messages: those are suppressed, the rest delivered.
    OptedOut,
    /// E-mail first (the provider refuses it), then SMS: delivered after the fallback.
    Fallback,
    /// E-mail only, refused: every due reminder fails.
    Unreachable,
}

/// Wall-clock quiet hours in a zone, read here independently of the service's own code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quiet {
    pub start: NaiveTime,
    pub end: NaiveTime,
    pub zone: Tz,
}

impl Quiet {
    /// From `from` to `to` after `now`, on the zone's clock, to the minute.
    fn around(now: DateTime<Utc>, from: TimeDelta, to: TimeDelta, zone: Tz) -> Quiet {
        let wall = |t: DateTime<Utc>| {
            let local = t.with_timezone(&zone).time();
            NaiveTime::from_hms_opt(local.hour(), local.minute(), 0).unwrap_or_default()
        };
        Quiet {
            start: wall(now + from),
            end: wall(now + to),
            zone,
        }
    }

    pub fn covers(&self, at: DateTime<Utc>) -> bool {
        let wall = at.with_timezone(&self.zone).time();
        if self.start < self.end {
            self.start <= wall && wall < self.end
        } else {
            wall >= self.start || wall < self.end
        }
    }

    pub fn to_proto(self) -> common::QuietHours {
        let clock = |t: NaiveTime| common::ClockTime {
            hours: t.hour() as i32,
            minutes: t.minute() as i32,
        };
        common::QuietHours {
            start: Some(clock(self.start)),
            end: Some(clock(self.end)),
            time_zone: self.zone.name().to_owned(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct CustomerPlan {
    pub kind: Kind,
    pub quiet: Quiet,
    pub channels: Vec<common::ContactChannel>,
    pub opted_out: Vec<common::Touchpoint>,
}

#[derive(Debug, Clone)]
pub struct ReminderPlan {
    /// Index into the customers.
    pub customer: usize,
    pub touchpoint: Touchpoint,
    pub variables: BTreeMap<String, String>,
    pub send_at: Option<DateTime<Utc>>,
    pub deadline: Option<DateTime<Utc>>,
    /// Cancelled by the test while the workers are being killed.
    pub cancel: bool,
    /// Stored after the others: it supersedes the customer's waiting one of its touchpoint.
    pub newer: bool,
    pub expect: ReminderState,
}

#[derive(Debug, Clone)]
pub struct Population {
    pub customers: Vec<CustomerPlan>,
    /// In the order they are scheduled: a customer's reminders one after the other.
    pub reminders: Vec<ReminderPlan>,
}

/// The customers and reminders for a run starting at `now`.
pub fn population(draws: &mut Draws, now: DateTime<Utc>) -> Population {
    let mut customers = Vec::with_capacity(CUSTOMERS);
    let mut reminders = Vec::with_capacity(CUSTOMERS * PER_CUSTOMER);
    for n in 0..CUSTOMERS {
        // Four in ten plain; the rest mostly end without a receipt the test must report, which
        // costs the service more than the dispatch itself.
        let kind = match n % 10 {
            4 | 5 => Kind::Quiet,
            6 => Kind::OptedOut,
            7 => Kind::Fallback,
            8 | 9 => Kind::Unreachable,
            _ => Kind::Plain,
        };
        let zone = ZONES[draws.below(ZONES.len() as u64) as usize];
        let quiet = match kind {
            Kind::Quiet => Quiet::around(now, TimeDelta::hours(-2), TimeDelta::hours(2), zone),
            _ => Quiet::around(now, TimeDelta::hours(3), TimeDelta::hours(6), zone),
        };
        use common::ContactChannel::{Email, Sms};
        let channels = match kind {
            Kind::Fallback => vec![Email, Sms],
            Kind::Unreachable => vec![Email],
            _ => vec![Sms],
        };
        let opted_out = match kind {
            Kind::OptedOut => vec![common::Touchpoint::Care],
            _ => Vec::new(),
        };
        customers.push(CustomerPlan {
            kind,
            quiet,
            channels,
            opted_out,
        });
        reminders.extend(of_customer(n, kind, draws.below(8), now));
    }
    Population {
        customers,
        reminders,
    }
}

/// A customer's eight reminders, all due now and merged into one unit of two SMS: plan changes,
/// birthday greetings, rebates and a data alert, and an eighth that is another rebate, a newer
/// data alert (superseding the first) or a low-balance warning due in an hour that the test
/// cancels.
fn of_customer(n: usize, kind: Kind, variant: u64, now: DateTime<Utc>) -> Vec<ReminderPlan> {
    use ReminderState as S;
    use Touchpoint::{Care, DataUsageAlert, LowBalance, PlanChange, TopupRebate};
    let sent_as = match kind {
        Kind::Plain | Kind::OptedOut | Kind::Fallback => S::Delivered,
        Kind::Quiet => S::Expired,
        Kind::Unreachable => S::Failed,
    };
    // Quiet hours end two hours from now: past this deadline.
    let deadline = (kind == Kind::Quiet).then(|| now + TimeDelta::hours(1));
    let due = |touchpoint, expect| ReminderPlan {
        customer: n,
        touchpoint,
        variables: variables(touchpoint),
        send_at: None,
        deadline,
        cancel: false,
        newer: false,
        expect,
    };
    let care = if kind == Kind::OptedOut {
        S::Suppressed
    } else {
        sent_as
    };
    let mut planned = vec![
        due(PlanChange, sent_as),
        due(Care, care),
        due(DataUsageAlert, sent_as),
        due(TopupRebate, sent_as),
        due(PlanChange, sent_as),
        due(Care, care),
        due(TopupRebate, sent_as),
    ];
    let last = match variant {
        0 => {
            planned[2].expect = S::Superseded;
            ReminderPlan {
                newer: true,
                ..due(DataUsageAlert, sent_as)
            }
        }
        1 => ReminderPlan {
            send_at: Some(now + TimeDelta::hours(1)),
            deadline: Some(now + TimeDelta::hours(3)),
            cancel: true,
            ..due(LowBalance, S::Cancelled)
        },
        _ => due(TopupRebate, sent_as),
    };
    planned.push(last);
    planned
}

/// The variables of each touchpoint's seeded default template.
fn variables(touchpoint: Touchpoint) -> BTreeMap<String, String> {
    use Touchpoint as T;
    let pairs: &[(&str, &str)] = match touchpoint {
        T::PlanChange => &[
            ("TRADE_MARK", "全球通"),
            ("PLAN_NAME", "畅享套餐"),
            ("YEAR", "2026"),
            ("MONTH", "7"),
            ("DATE", "1"),
            ("PLAN_DESC", "月费128元,含国内流量30GB。"),
        ],
        T::Care => &[("CUSTOMER_NAME", "王先生")],
        T::DataUsageAlert => &[
            ("USED_PERCENT", "80"),
            ("USED", "24GB"),
            ("REMAINING", "6GB"),
        ],
        T::TopupRebate => &[
            ("PROMOTION_NAME", "充100返50"),
            ("AMOUNT", "10"),
            ("FIRST_DATE", "7月1日"),
            ("END_DATE", "11月1日"),
        ],
        T::LowBalance => &[("BALANCE", "8.50"), ("THRESHOLD", "10")],
        _ => &[],
    };
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}
