//! What the demo customers did: monthly bills since they joined (at most the last 12 complete
//! months, spend following each customer's level and trend so some visibly decline), family,
//! colleague and referral relations, and the account managers' work-log entries.

use chrono::{Datelike, Months, NaiveDate};
use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use vipcare_proto::profile::v1::{NoteKind, RelationKind};

use super::data::Person;
use super::vocab;

/// Months of consumption a customer with a full year on the network has.
pub const MONTHS: u32 = 12;

/// One month of one customer; `person` indexes `DemoSet::people`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bill {
    pub person: usize,
    pub period: String,
    pub spend_fen: i64,
    pub data_mb: i64,
    pub voice_minutes: i64,
    pub roaming_fen: i64,
    pub vas_fen: i64,
}

/// A relation between two people of the set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Link {
    pub from: usize,
    pub to: usize,
    pub kind: RelationKind,
}

/// A work-log entry about one person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub person: usize,
    pub kind: NoteKind,
    pub text: String,
    pub author: String,
}

#[derive(Debug, Clone, Default)]
pub struct Activity {
    pub bills: Vec<Bill>,
    pub links: Vec<Link>,
    pub notes: Vec<Note>,
}

impl Activity {
    /// How many months of bills `person` has.
    pub fn months_of(&self, person: usize) -> usize {
        self.bills.iter().filter(|b| b.person == person).count()
    }
}

pub(super) fn generate(
    rng: &mut StdRng,
    people: &[Person],
    households: &[Vec<usize>],
    today: NaiveDate,
) -> Activity {
    let mut bills = Vec::with_capacity(people.len() * MONTHS as usize);
    for (index, person) in people.iter().enumerate() {
        bills.extend(person_bills(rng, index, person, today));
    }
    Activity {
        bills,
        links: links(rng, people, households),
        notes: notes(rng, people),
    }
}

/// Bills for the complete months since the customer joined, oldest first; a bill before the
/// customer joined would contradict the tenure the value summary shows.
fn person_bills(rng: &mut StdRng, index: usize, person: &Person, today: NaiveDate) -> Vec<Bill> {
    let months = person.tenure_months.min(MONTHS);
    let data_base = rng.random_range(3_000..60_000_i64);
    let voice_base = rng.random_range(150..2_500_i64);
    (1..=months)
        .rev()
        .filter_map(|ago| {
            let month = today.checked_sub_months(Months::new(ago))?;
            // `ago` 1 is the latest month; earlier months are the level undone by the trend.
            let drift = (1.0 + person.monthly_change).powi(1 - ago as i32);
            let spend = (person.level_fen as f64 * drift * rng.random_range(0.92..1.08)) as i64;
            let spend_fen = spend.max(1_000);
            let vas_fen = rng.random_range(0..=(spend_fen / 10).min(3_000));
            let roaming_fen = if rng.random_bool(0.12) {
                rng.random_range(2_000..40_000).min(spend_fen - vas_fen)
            } else {
                0
            };
            Some(Bill {
                person: index,
                period: format!("{:04}-{:02}", month.year(), month.month()),
                spend_fen,
                data_mb: (data_base as f64 * rng.random_range(0.7..1.3)) as i64,
                voice_minutes: (voice_base as f64 * rng.random_range(0.7..1.3)) as i64,
                roaming_fen,
                vas_fen,
            })
        })
        .collect()
}

/// Every pair of a household (so each member's household ARPU counts all the others), a key
/// person with up to three colleagues, and about 4% of customers referred by an earlier one.
fn links(rng: &mut StdRng, people: &[Person], households: &[Vec<usize>]) -> Vec<Link> {
    let mut links = Vec::new();
    for household in households {
        for (i, &from) in household.iter().enumerate() {
            for &to in &household[i + 1..] {
                links.push(link(from, to, RelationKind::Family));
            }
        }
    }
    let group_of = |p: &Person| p.customer.group.as_ref().map(|g| g.group_id.clone());
    for (key, person) in people.iter().enumerate() {
        let Some(group) = person.customer.group.as_ref().filter(|g| g.key_person) else {
            continue;
        };
        let colleagues = people
            .iter()
            .enumerate()
            .filter(|&(other, p)| other != key && group_of(p).as_ref() == Some(&group.group_id))
            .take(3);
        links.extend(colleagues.map(|(other, _)| link(key, other, RelationKind::GroupColleague)));
    }
    for referred in 1..people.len() {
        if rng.random_bool(0.04) {
            let referrer = rng.random_range(0..referred);
            links.push(link(referrer, referred, RelationKind::Referral));
        }
    }
    links
}

fn link(from: usize, to: usize, kind: RelationKind) -> Link {
    Link { from, to, kind }
}

/// A quarter of the customers have one to three entries: a need or problem first, then
/// progress or care, written by their account manager.
fn notes(rng: &mut StdRng, people: &[Person]) -> Vec<Note> {
    let mut notes = Vec::new();
    for (index, person) in people.iter().enumerate() {
        if !rng.random_bool(0.25) {
            continue;
        }
        let author = match person.customer.account_manager_id.as_str() {
            "" => format!("AM-{:03}", rng.random_range(1..=40)),
            id => id.to_owned(),
        };
        let interest = person
            .customer
            .interests
            .first()
            .map_or("VIP俱乐部", String::as_str);
        for step in 0..rng.random_range(1..=3) {
            let kind = match (step, rng.random_bool(0.5)) {
                (0, true) => NoteKind::Need,
                (0, false) => NoteKind::Problem,
                (_, true) => NoteKind::Progress,
                (_, false) => NoteKind::Care,
            };
            let texts = match kind {
                NoteKind::Need => vocab::NEEDS,
                NoteKind::Problem => vocab::PROBLEMS,
                NoteKind::Progress => vocab::PROGRESS,
                NoteKind::Care | NoteKind::Unspecified => vocab::CARE,
            };
            let text = texts
                .choose(rng)
                .unwrap_or(&"")
                .replace("{interest}", interest)
                .replace("{city}", person.city);
            notes.push(Note {
                person: index,
                kind,
                text,
                author: author.clone(),
            });
        }
    }
    notes
}
