//! The demo customers: people with Chinese names, valid and unique mobile numbers, the regions
//! and dialects of the source programs, households (spouse and children share the surname and
//! region), enterprise groups with key persons, account managers, plans, tenures from one month
//! to fifteen years, and resident ID numbers with a correct check digit. A seeded generator makes
//! the set the same on every run for a given day, so the demo is reproducible.

use std::collections::HashSet;

use chrono::{Datelike, Months, NaiveDate};
use rand::rngs::StdRng;
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{Rng, SeedableRng};
use vipcare_proto::common::v1::{ClockTime, Date, QuietHours};
use vipcare_proto::profile::v1::{
    ContactPreferences, Customer, CustomerStatus, Gender, GroupMembership,
};

use super::activity::{self, Activity};
use super::identity::{birth_date, given_name, id_document, msisdn, pick_surname, surname_of};
use super::vocab::{self, REGIONS, Region};

/// The seed of the demo set; change it for a different (still reproducible) population.
pub const SEED: u64 = 20_120_531;

/// What the generator knows about a customer beyond the profile: it drives consumption and notes.
#[derive(Debug, Clone)]
pub struct Person {
    pub customer: Customer,
    /// Whole months on the network (at least 1).
    pub tenure_months: u32,
    /// Monthly spend of the latest month, in fen.
    pub level_fen: i64,
    /// Change of spend per month (negative: declining, a churn warning sign).
    pub monthly_change: f64,
    pub city: &'static str,
}

/// The whole demo population and what happens to it.
#[derive(Debug, Clone)]
pub struct DemoSet {
    pub people: Vec<Person>,
    /// Indices into `people` of each household.
    pub households: Vec<Vec<usize>>,
    pub activity: Activity,
}

impl DemoSet {
    /// `count` customers as of `today`, from `seed`.
    pub fn generate(count: usize, today: NaiveDate, seed: u64) -> DemoSet {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut msisdns = HashSet::with_capacity(count);
        let mut people = Vec::with_capacity(count);
        let mut households = Vec::new();
        while people.len() < count {
            let left = count - people.len();
            // One household in eight: about 30% of customers end up in a family of 2-4.
            let size = if left >= 2 && rng.random_bool(0.125) {
                rng.random_range(2..=4).min(left)
            } else {
                1
            };
            let head = person(&mut rng, &mut msisdns, today, None);
            let first = people.len();
            people.push(head);
            for member in 1..size {
                let relative = person(
                    &mut rng,
                    &mut msisdns,
                    today,
                    Some((&people[first], member)),
                );
                people.push(relative);
            }
            if size > 1 {
                households.push((first..first + size).collect());
            }
        }
        assign_groups(&mut rng, &mut people);
        let activity = activity::generate(&mut rng, &people, &households, today);
        DemoSet {
            people,
            households,
            activity,
        }
    }
}

/// A new person; `relative` is the household head and the member's position (1 is the spouse).
fn person(
    rng: &mut StdRng,
    msisdns: &mut HashSet<String>,
    today: NaiveDate,
    relative: Option<(&Person, usize)>,
) -> Person {
    let head = relative.map(|(head, _)| &head.customer);
    let spouse = matches!(relative, Some((_, 1)));
    let gender = match head {
        Some(h) if spouse && h.gender == Gender::Male as i32 => Gender::Female,
        Some(_) if spouse => Gender::Male,
        _ if rng.random_bool(0.5) => Gender::Male,
        _ => Gender::Female,
    };
    let surname = match head {
        // Children take the head's surname; a spouse keeps their own.
        Some(h) if !spouse => surname_of(&h.name),
        _ => pick_surname(rng),
    };
    let region = match relative {
        Some((h, _)) => *REGIONS
            .iter()
            .find(|r| r.city == h.city)
            .unwrap_or(&REGIONS[0]),
        None => *REGIONS
            .choose_weighted(rng, |r| r.weight)
            .unwrap_or(&REGIONS[0]),
    };
    let age = match relative {
        Some((_, member)) if member >= 2 => rng.random_range(18..=32),
        _ => rng.random_range(26..=72),
    };
    let birth = birth_date(rng, today, age);
    let tenure_months = tenure(rng);
    let (plan, plan_fen) = *vocab::PLANS.choose(rng).unwrap_or(&vocab::PLANS[0]);
    let interests = rng.random_range(0..=3);
    let customer = Customer {
        msisdn: msisdn(rng, msisdns),
        name: format!("{surname}{}", given_name(rng, gender)),
        gender: gender as i32,
        birth_date: Some(date(birth)),
        region_code: region.code.to_owned(),
        preferred_language: language(rng, &region).to_owned(),
        occupation: (*vocab::OCCUPATIONS.choose(rng).unwrap_or(&"")).to_owned(),
        interests: vocab::INTERESTS
            .choose_multiple(rng, interests)
            .map(|s| (*s).to_owned())
            .collect(),
        contact_preferences: Some(contact(rng)),
        account_manager_id: if rng.random_bool(0.85) {
            format!("AM-{:03}", rng.random_range(1..=40))
        } else {
            String::new()
        },
        plan_code: plan.to_owned(),
        network_joined_on: today
            .checked_sub_months(Months::new(tenure_months))
            .map(date),
        status: status(rng) as i32,
        id_document: Some(id_document(rng, &region, birth, gender)),
        ..Customer::default()
    };
    let level_fen = (plan_fen as f64 * rng.random_range(0.6..1.8)) as i64;
    let monthly_change = match rng.random_range(0..100) {
        0..55 => rng.random_range(-0.01..0.01),
        55..80 => rng.random_range(0.02..0.05),
        _ => rng.random_range(-0.08..-0.03),
    };
    Person {
        customer,
        tenure_months,
        level_fen,
        monthly_change,
        city: region.city,
    }
}

fn language(rng: &mut StdRng, region: &Region) -> &'static str {
    let roll = rng.random_range(0..100);
    match (region.cantonese, roll) {
        (true, 0..55) => "yue",
        (true, 55..95) | (false, 0..94) => "zh-CN",
        (false, 94..95) => "yue",
        _ => "en",
    }
}

/// Ages 26-72 for adults; 45% under two years on the network, as in the source survey.
fn tenure(rng: &mut StdRng) -> u32 {
    match rng.random_range(0..100) {
        0..5 => rng.random_range(1..12),
        5..45 => rng.random_range(12..24),
        _ => rng.random_range(24..=180),
    }
}

fn date(d: NaiveDate) -> Date {
    Date {
        year: d.year(),
        month: d.month() as i32,
        day: d.day() as i32,
    }
}

fn contact(rng: &mut StdRng) -> ContactPreferences {
    use vipcare_proto::common::v1::{ContactChannel as C, Touchpoint as T};
    let mut channels = [
        C::Sms,
        C::AppPush,
        C::Email,
        C::VoiceCall,
        C::AccountManager,
    ];
    channels.shuffle(rng);
    let count = rng.random_range(1..=3);
    let ((start_h, start_m), (end_h, end_m)) = *[
        ((22, 0), (8, 0)),
        ((22, 0), (8, 0)),
        ((22, 0), (8, 0)),
        ((23, 0), (7, 0)),
        ((21, 30), (7, 30)),
        ((12, 0), (14, 0)),
    ]
    .choose(rng)
    .unwrap_or(&((22, 0), (8, 0)));
    let opted_out = match rng.random_range(0..100) {
        0..10 => vec![T::PromotionExpiry as i32],
        10..15 => vec![T::TopupRebate as i32, T::PromotionExpiry as i32],
        _ => vec![],
    };
    ContactPreferences {
        preferred_channels: channels[..count].iter().map(|c| *c as i32).collect(),
        quiet_hours: Some(QuietHours {
            start: Some(ClockTime {
                hours: start_h,
                minutes: start_m,
            }),
            end: Some(ClockTime {
                hours: end_h,
                minutes: end_m,
            }),
            time_zone: "Asia/Shanghai".to_owned(),
        }),
        opted_out_touchpoints: opted_out,
    }
}

fn status(rng: &mut StdRng) -> CustomerStatus {
    match rng.random_range(0..100) {
        0..92 => CustomerStatus::Active,
        92..98 => CustomerStatus::Suspended,
        _ => CustomerStatus::Closed,
    }
}

/// About 50 groups per 1,200 customers; a third of the customers belong to one, and each group's
/// first member is its key person.
fn assign_groups(rng: &mut StdRng, people: &mut [Person]) {
    let count = (people.len() / 24).max(1);
    let names: Vec<String> = (0..count)
        .map(|_| {
            let city = REGIONS.choose(rng).map_or("", |r| r.city);
            let brand = vocab::GROUP_BRANDS.choose(rng).unwrap_or(&"");
            let trade = vocab::GROUP_TRADES.choose(rng).unwrap_or(&"");
            format!("{city}{brand}{trade}有限公司")
        })
        .collect();
    let mut has_key_person = vec![false; count];
    for person in people.iter_mut() {
        if !rng.random_bool(0.33) {
            continue;
        }
        let g = rng.random_range(0..count);
        let key_person = !has_key_person[g] || rng.random_bool(0.03);
        has_key_person[g] = true;
        person.customer.group = Some(GroupMembership {
            group_id: format!("G-{:04}", g + 1),
            name: names[g].clone(),
            key_person,
        });
    }
}

#[cfg(test)]
#[path = "data_tests.rs"]
mod tests;
