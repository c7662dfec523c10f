//! Property tests: every request conversion and validator of the profile service, fed arbitrary
//! field values (any unicode, huge and negative numbers, impossible dates, unknown enum
//! numbers), either accepts a value that keeps the domain's rules or refuses it with a
//! violation that becomes INVALID_ARGUMENT with a field violation. None of them panics.
//!
//! Each field is mostly valid and sometimes arbitrary (see `values`), so the checks behind the
//! first field are reached too.

use chrono::NaiveDate;
use proptest::prelude::*;
use proptest::sample::select;
use tonic::{Code, Status};
use tonic_types::StatusExt;
use vipcare_proto::common::v1 as common;
use vipcare_proto::profile::v1 as pb;
use vipcare_storage::idempotency::RequestKey;

use super::*;
use crate::domain::{
    Bill, Customer, CustomerName, Disclosure, IdDocument, IdDocumentType, MAX_DATA_MB, MAX_FEN,
    MAX_VOICE_MINUTES, Period, QuietHours, ServiceNote, SummaryInput, bounded_text, summarize,
};
use crate::error::Error;
use values::{amount, customer, date, text};

mod values;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 5, 20).unwrap_or_default()
}

/// A refusal as the client receives it: INVALID_ARGUMENT with one field violation naming the
/// same field, and a message that repeats none of `personal`.
fn assert_answers(violation: Violation, personal: &[&str]) {
    assert!(!violation.field.is_empty(), "a violation without a field");
    for value in personal.iter().filter(|v| v.chars().count() >= 6) {
        assert!(
            !violation.reason.contains(value),
            "{violation} repeats {value:?}"
        );
    }
    let field = violation.field.clone();
    let status = Status::from(Error::from(violation));
    assert_eq!(status.code(), Code::InvalidArgument);
    let details = status
        .get_details_bad_request()
        .expect("BadRequest details");
    assert_eq!(details.field_violations.len(), 1);
    assert_eq!(details.field_violations[0].field, field);
}

fn personal(c: &pb::Customer) -> Vec<&str> {
    let number = c.id_document.as_ref().map_or("", |d| d.number.as_str());
    vec![c.msisdn.as_str(), c.name.as_str(), number]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn a_new_customer_is_accepted_whole_or_refused_by_field(c in customer()) {
        match profile_from_proto(&c).and_then(|p| {
            p.check_dates(today()).map_err(|v| v.under("customer"))?;
            Ok(p)
        }) {
            Err(violation) => {
                prop_assert!(violation.field.starts_with("customer."), "{violation}");
                assert_answers(violation, &personal(&c));
            }
            Ok(profile) => {
                let name = profile.name.as_str();
                prop_assert!(!name.chars().any(|ch| ch.is_control() || crate::domain::is_bidi_format(ch)));
                if let Some(doc) = &profile.id_document {
                    prop_assert!(IdDocument::new(doc.kind, doc.number()).is_ok());
                }
                // What the service answers reads back as the same profile.
                let stored = Customer::create(profile.clone(), chrono::Utc::now());
                let answer = customer_to_proto(&stored, Disclosure::Full);
                prop_assert_eq!(profile_from_proto(&answer), Ok(profile));
            }
        }
    }

    #[test]
    fn an_update_mask_is_read_or_refused_by_field(
        c in customer(),
        paths in proptest::collection::vec(text(&[
            "msisdn", "name", "birth_date", "contact_preferences.quiet_hours", "id_document",
            "status", "group", "etag", "interests", "contact_preferences",
        ]), 0..4),
    ) {
        match changes_from_proto(&c, &paths) {
            Err(violation) => {
                let f = &violation.field;
                prop_assert!(f == "update_mask" || f.starts_with("customer."), "{violation}");
                // An unknown path is named back: it is the mask, not a personal field.
                let personal = if f == "update_mask" { vec![] } else { personal(&c) };
                assert_answers(violation, &personal);
            }
            Ok(changes) => {
                let mut stored = Customer::create(crate::domain::sample_profile(), chrono::Utc::now());
                if let Err(violation) = stored.apply(changes, chrono::Utc::now()) {
                    assert_answers(violation.under("customer"), &personal(&c));
                }
            }
        }
    }

    #[test]
    fn consumption_is_bounded_or_refused_by_field(
        id in text(&["0190a0c4-7b7e-7cc3-9a5e-3f2b1c4d5e6f"]),
        period in text(&["2024-05", "2024-06", "1899-12", "2024-13", "24-05"]),
        amounts in (amount(MAX_FEN), amount(MAX_DATA_MB), amount(MAX_VOICE_MINUTES), amount(MAX_FEN), amount(MAX_FEN)),
    ) {
        let (spend_fen, data_mb, voice_minutes, roaming_fen, vas_fen) = amounts;
        let request = pb::RecordConsumptionRequest {
            customer_id: id.clone(), period: period.clone(), spend_fen, data_mb, voice_minutes, roaming_fen, vas_fen,
        };
        let row = pb::ImportConsumptionRequest {
            customer_id: id, period, spend_fen, data_mb, voice_minutes, roaming_fen, vas_fen,
        };
        let recorded = consumption_from_proto(&request, today());
        prop_assert_eq!(&recorded, &import_row_from_proto(&row, today()), "the feed and the call agree");
        match recorded {
            Err(violation) => assert_answers(violation, &[]),
            Ok(record) => {
                let u = record.usage();
                prop_assert!((0..=MAX_FEN).contains(&u.spend_fen));
                prop_assert!((0..=MAX_DATA_MB).contains(&u.data_mb));
                prop_assert!((0..=MAX_VOICE_MINUTES).contains(&u.voice_minutes));
                prop_assert!(u.roaming_fen >= 0 && u.vas_fen >= 0);
                prop_assert!(u.roaming_fen + u.vas_fen <= u.spend_fen);
            }
        }
    }

    #[test]
    fn small_fields_are_accepted_or_refused_by_field(
        any_text in text(&["0190a0c4-7b7e-7cc3-9a5e-3f2b1c4d5e6f", "r-1", "am-7"]),
        number in any::<i32>(),
        d in date(),
        kind in select(IdDocumentType::ALL),
        id_number in text(&["11010519491231002X", "110105198006150026", "11010519800615002X"]),
    ) {
        let check = |r: Result<_, Violation>| if let Err(v) = r { assert_answers(v, &[]) };
        check(customer_id(&any_text, "customer_id").map(drop));
        check(RequestKey::of("c", "M", &any_text, &common::Date::default()).map(drop));
        check(super::super::paging(number, &any_text).map(drop));
        let hidden = |t: &str| t.chars().any(|c| c.is_control() || crate::domain::is_bidi_format(c));
        match bounded_text(&any_text, 64) {
            Ok(kept) => prop_assert!(!hidden(&kept) && kept.chars().count() <= 64),
            Err(e) => assert_answers(e.at("reason"), &[]),
        }
        match CustomerName::parse(&any_text) {
            Ok(name) => prop_assert!(!hidden(name.as_str()) && !name.as_str().contains('*')),
            Err(e) => assert_answers(e.at("name"), &[&any_text]),
        }
        check(QuietHours::clock_time(number, number).map_err(|e| e.at("start")).map(drop));
        check(QuietHours::new(chrono::NaiveTime::MIN, chrono::NaiveTime::MIN, &any_text).map(drop));
        for from_proto in [status_from_proto(number).map(drop), kind_from_proto(number).map(drop),
            note_kind_from_proto(number).map(drop), channel_from_proto(number).map(drop)] {
            check(from_proto.map_err(|e| e.at("kind")));
        }
        match date_from_proto(d) {
            Ok(Some(day)) => prop_assert!((1900..=9999).contains(&chrono::Datelike::year(&day))),
            Ok(None) => {}
            Err(e) => assert_answers(e.at("birth_date"), &[]),
        }
        let note = ServiceNote::new(crate::domain::CustomerId::generate(), crate::domain::NoteKind::Care,
            &any_text, &any_text, None, chrono::Utc::now());
        check(note.map(drop));
        match IdDocument::new(kind, &id_number) {
            Err(e) => assert_answers(e.at("id_document.number"), &[&id_number]),
            Ok(doc) => prop_assert!(doc.number().eq_ignore_ascii_case(&id_number)),
        }
    }
    #[test]
    fn a_value_summary_never_overflows(
        spends in proptest::collection::vec((0..24_u32, amount(MAX_FEN)), 0..30),
        family in proptest::collection::vec(amount(MAX_FEN), 0..6),
    ) {
        let as_of = Period::of(today());
        let back = |months: u32| (0..months).fold(as_of, |p, _| p.previous());
        let bills = spends
            .iter()
            .map(|(months, spend_fen)| Bill { period: back(*months), spend_fen: *spend_fen })
            .collect();
        let input = SummaryInput {
            customer_id: crate::domain::CustomerId::generate(),
            network_joined_on: None,
            status: crate::domain::CustomerStatus::Active,
            plan_code: String::new(),
            group_key_person: false,
            bills,
            family_arpu_3m: family.clone(),
            referrals: 0,
        };
        let summary = summarize(input, as_of);
        // Within the bounds the household is the exact sum; beyond them it saturates.
        if family.iter().chain(spends.iter().map(|(_, s)| s)).all(|v| (0..=MAX_FEN).contains(v)) {
            let family_sum: i64 = family.iter().sum();
            prop_assert_eq!(summary.household_arpu_fen, summary.arpu_3m_fen + family_sum);
        }
    }
}
