use std::collections::HashSet;

use vipcare_proto::profile::v1::{IdDocumentType, RelationKind};

use super::*;
use crate::demo::identity::id_check_digit;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 6, 15).unwrap()
}

fn set(count: usize) -> DemoSet {
    DemoSet::generate(count, today(), SEED)
}

fn valid_msisdn(m: &str) -> bool {
    let b = m.as_bytes();
    b.len() == 11
        && b[0] == b'1'
        && (b'3'..=b'9').contains(&b[1])
        && b.iter().all(u8::is_ascii_digit)
}

#[test]
fn the_same_seed_gives_the_same_people() {
    let (a, b) = (set(200), set(200));
    let names =
        |s: &DemoSet| -> Vec<_> { s.people.iter().map(|p| p.customer.name.clone()).collect() };
    assert_eq!(names(&a), names(&b));
    assert_eq!(a.activity.bills, b.activity.bills);
    assert_ne!(names(&a), names(&DemoSet::generate(200, today(), SEED + 1)));
}

#[test]
fn msisdns_are_valid_and_unique() {
    let demo = set(1_200);
    assert_eq!(demo.people.len(), 1_200);
    let msisdns: HashSet<_> = demo
        .people
        .iter()
        .map(|p| p.customer.msisdn.as_str())
        .collect();
    assert_eq!(msisdns.len(), 1_200);
    assert!(msisdns.iter().all(|m| valid_msisdn(m)), "{msisdns:?}");
}

#[test]
fn names_regions_and_languages_look_like_the_programs() {
    let demo = set(1_200);
    for p in &demo.people {
        let c = &p.customer;
        let chars = c.name.chars().count();
        assert!((2..=4).contains(&chars), "{}", c.name);
        assert!(vocab::REGIONS.iter().any(|r| r.code == c.region_code));
        assert!(["zh-CN", "yue", "en"].contains(&c.preferred_language.as_str()));
        assert!((1..=180).contains(&p.tenure_months));
    }
    let yue = demo
        .people
        .iter()
        .filter(|p| p.customer.preferred_language == "yue")
        .count();
    assert!(
        yue > 100,
        "Cantonese speakers in Guangzhou and Zhongshan: {yue}"
    );
    let managers: HashSet<_> = demo
        .people
        .iter()
        .map(|p| p.customer.account_manager_id.as_str())
        .collect();
    assert!(managers.len() > 30);
}

#[test]
fn about_thirty_percent_live_in_families_of_two_to_four() {
    let demo = set(1_200);
    let members: usize = demo.households.iter().map(Vec::len).sum();
    assert!(
        (250..=480).contains(&members),
        "{members} of 1200 in families"
    );
    assert!(demo.households.iter().all(|h| (2..=4).contains(&h.len())));
    let family = demo
        .activity
        .links
        .iter()
        .filter(|l| l.kind == RelationKind::Family)
        .count();
    assert!(family >= demo.households.len());
}

#[test]
fn groups_have_key_persons() {
    let demo = set(1_200);
    let groups: HashSet<_> = demo
        .people
        .iter()
        .filter_map(|p| p.customer.group.as_ref().map(|g| g.group_id.clone()))
        .collect();
    assert!((40..=50).contains(&groups.len()), "{} groups", groups.len());
    let key_persons = demo
        .people
        .iter()
        .filter(|p| p.customer.group.as_ref().is_some_and(|g| g.key_person))
        .count();
    assert!(key_persons >= groups.len());
}

#[test]
fn bills_are_consistent_and_some_customers_decline() {
    let demo = set(1_200);
    let bills = &demo.activity.bills;
    assert!(bills.len() >= 12_000, "{} rows", bills.len());
    for b in bills {
        assert!(b.roaming_fen + b.vas_fen <= b.spend_fen, "{b:?}");
        assert!(
            b.period.as_str() <= "2025-05" && b.period.as_str() >= "2024-06",
            "{}",
            b.period
        );
    }
    let full_year = (0..demo.people.len())
        .filter(|&i| demo.activity.months_of(i) == 12)
        .count();
    assert!(full_year > 1_000);
    let declining = demo
        .people
        .iter()
        .filter(|p| p.monthly_change < -0.03)
        .count();
    assert!(declining > 100);
}

#[test]
fn notes_cover_a_few_hundred_customers() {
    let demo = set(1_200);
    let noted: HashSet<_> = demo.activity.notes.iter().map(|n| n.person).collect();
    assert!((200..=400).contains(&noted.len()), "{}", noted.len());
    assert!(demo.activity.notes.iter().all(|n| !n.text.contains('{')));
}

#[test]
fn resident_id_numbers_carry_the_check_digit() {
    // The example of GB 11643.
    assert_eq!(id_check_digit("11010519491231002"), 'X');
    let demo = set(300);
    let ids = demo
        .people
        .iter()
        .filter_map(|p| p.customer.id_document.as_ref());
    for id in ids.filter(|d| d.r#type == IdDocumentType::ResidentIdCard as i32) {
        assert_eq!(id.number.len(), 18);
        assert_eq!(
            id.number.chars().last(),
            Some(id_check_digit(&id.number[..17]))
        );
    }
}
