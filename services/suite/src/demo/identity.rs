//! Who a demo customer is on paper: a name (surname favouring the common ones, given name by
//! gender), a mobile number unique in the set, a birth date, and an identity document whose
//! number a real system would accept.

use std::collections::HashSet;

use chrono::{Datelike, NaiveDate};
use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use vipcare_proto::profile::v1::{Gender, IdDocument, IdDocumentType};

use super::vocab::{self, Region};

pub(super) fn pick_surname(rng: &mut StdRng) -> String {
    // The smaller of two draws favours the common surnames at the head of the list.
    let n = vocab::SURNAMES.len();
    let i = rng.random_range(0..n).min(rng.random_range(0..n));
    vocab::SURNAMES[i].to_owned()
}

pub(super) fn surname_of(name: &str) -> String {
    vocab::SURNAMES
        .iter()
        .filter(|s| name.starts_with(**s))
        .max_by_key(|s| s.len())
        .map_or_else(|| name.chars().take(1).collect(), |s| (*s).to_owned())
}

pub(super) fn given_name(rng: &mut StdRng, gender: Gender) -> String {
    let chars = if gender == Gender::Male {
        vocab::GIVEN_MALE
    } else {
        vocab::GIVEN_FEMALE
    };
    let len = if rng.random_bool(0.7) { 2 } else { 1 };
    (0..len)
        .filter_map(|_| chars.choose(rng).copied())
        .collect()
}

/// A mainland mobile number nobody else in the set has.
pub(super) fn msisdn(rng: &mut StdRng, taken: &mut HashSet<String>) -> String {
    const PREFIXES: &[&str] = &[
        "134", "135", "136", "137", "138", "139", "147", "150", "151", "152", "157", "158", "159",
        "178", "182", "183", "187", "188", "195", "198",
    ];
    loop {
        let prefix = PREFIXES.choose(rng).unwrap_or(&"138");
        let number = format!("{prefix}{:08}", rng.random_range(0..100_000_000_u32));
        if taken.insert(number.clone()) {
            return number;
        }
    }
}

pub(super) fn birth_date(rng: &mut StdRng, today: NaiveDate, age: i32) -> NaiveDate {
    let year = today.year() - age;
    let month = rng.random_range(1..=12);
    let day = rng.random_range(1..=28);
    NaiveDate::from_ymd_opt(year, month, day).unwrap_or(today)
}

/// Mostly resident ID cards (GB 11643: region, birth date, sequence with the gender's parity,
/// check digit); English speakers carry passports, some Cantonese speakers HK/Macao permits.
pub(super) fn id_document(
    rng: &mut StdRng,
    region: &Region,
    birth: NaiveDate,
    gender: Gender,
) -> IdDocument {
    let lang_roll = rng.random_range(0..100);
    let (kind, number) = if region.cantonese && lang_roll < 8 {
        let letter = if rng.random_bool(0.8) { 'H' } else { 'M' };
        let digits = rng.random_range(0..100_000_000_u32);
        (
            IdDocumentType::HkMacaoPermit,
            format!("{letter}{digits:08}"),
        )
    } else if lang_roll >= 97 {
        let digits = rng.random_range(0..100_000_000_u32);
        (IdDocumentType::Passport, format!("E{digits:08}"))
    } else {
        let male = gender == Gender::Male;
        let sequence = rng.random_range(0..500) * 2 + u32::from(male);
        let body = format!("{}{}{sequence:03}", region.code, birth.format("%Y%m%d"));
        let number = format!("{body}{}", id_check_digit(&body));
        (IdDocumentType::ResidentIdCard, number)
    };
    IdDocument {
        r#type: kind as i32,
        number,
    }
}

/// The 18th character of a resident ID number (ISO 7064 MOD 11-2).
pub(super) fn id_check_digit(body: &str) -> char {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body
        .chars()
        .zip(WEIGHTS)
        .map(|(c, w)| c.to_digit(10).unwrap_or(0) * w)
        .sum();
    ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'][(sum % 11) as usize]
}
