//! Property tests: every request conversion and validator of the profile service, fed arbitrary
//! field values (any unicode, huge and negative numbers, impossible dates, unknown enum
//! numbers), either accepts a value that keeps the domain's rules or refuses it with a
//! violation that becomes INVALID_ARGUMENT with a field violation. None of them panics.
//!
//! Each field mixes near-valid samples with arbitrary values, so the checks behind the first
//! field are reached too.

use chrono::NaiveDate;
use proptest::prelude::*;
use proptest::sample::{Index, select};
use tonic::{Code, Status};
use tonic_types::StatusExt;
use vipcare_proto::common::v1 as common;
use vipcare_proto::profile::v1 as pb;

use super::*;
use crate::domain::{
    Customer, CustomerName, Disclosure, IdDocument, IdDocumentType, MAX_DATA_MB, MAX_FEN,
    MAX_VOICE_MINUTES, QuietHours, ServiceNote, bounded_text,
};
use crate::error::Error;

/// Values that sit on the edges of the rules.
const TRICKY: &[&str] = &[
    "",
    " ",
    "\u{3000}",
    "*",
    "张**",
    "\u{0}",
    "a\nb",
    "\u{85}",
    "\u{202E}",
    "\u{2066}x\u{2069}",
    "\u{200F}",
    "\u{061C}",
    "\u{200D}",
    "\u{FEFF}",
    "１３８００１３８０００",
    "-",
    "|",
    "%00",
];

/// Characters that some rule is about, spliced into valid values.
const SPECIAL: &[char] = &[
    '\u{0}', '\u{7f}', '\u{85}', '\n', '\t', '*', '\u{202A}', '\u{202E}', '\u{2066}', '\u{2069}',
    '\u{200E}', '\u{200F}', '\u{061C}', '\u{200D}', 'x', 'X', '-', '|', ' ', '字',
];

/// Mostly one of the `valid` samples; otherwise arbitrary text, a tricky value, a valid sample
/// with one arbitrary or special character inserted, or one repeated past any length limit.
fn text(valid: &'static [&'static str]) -> BoxedStrategy<String> {
    let c = prop_oneof![any::<char>(), select(SPECIAL)];
    let spliced = (select(valid), c, any::<Index>()).prop_map(|(s, c, at)| {
        let bounds: Vec<usize> = s.char_indices().map(|(i, _)| i).chain([s.len()]).collect();
        let mut out = s.to_owned();
        out.insert(*at.get(&bounds), c);
        out
    });
    prop_oneof![
        12 => select(valid).prop_map(str::to_owned),
        1 => any::<String>(),
        2 => spliced,
        1 => select(TRICKY).prop_map(str::to_owned),
        1 => (select(valid), 1..80_usize).prop_map(|(s, n)| s.repeat(n)),
    ]
    .boxed()
}

/// Mostly a defined value (`first..=last`), sometimes any number.
fn enum_number(first: i32, last: i32) -> impl Strategy<Value = i32> {
    prop_oneof![8 => first..=last, 1 => any::<i32>()]
}

fn date() -> impl Strategy<Value = Option<common::Date>> {
    let fields = prop_oneof![
        6 => (1950..2020, 1..13, 1..29),
        1 => (1890..2030, 0..14, 0..33),
        1 => (any::<i32>(), any::<i32>(), any::<i32>()),
    ];
    proptest::option::of(fields.prop_map(|(year, month, day)| common::Date { year, month, day }))
}

fn clock_time() -> impl Strategy<Value = Option<common::ClockTime>> {
    let fields = prop_oneof![6 => (0..24, 0..60), 1 => (any::<i32>(), any::<i32>())];
    let time = fields.prop_map(|(hours, minutes)| common::ClockTime { hours, minutes });
    proptest::option::weighted(0.9, time)
}

fn contact() -> impl Strategy<Value = Option<pb::ContactPreferences>> {
    let zone = text(&["Asia/Shanghai", "Europe/London", "UTC", "America/Sao_Paulo"]);
    let quiet =
        (clock_time(), clock_time(), zone).prop_map(|(start, end, time_zone)| common::QuietHours {
            start,
            end,
            time_zone,
        });
    let lists = (
        proptest::collection::vec(enum_number(1, 5), 0..4),
        proptest::collection::vec(enum_number(1, 10), 0..4),
    );
    proptest::option::of((lists, proptest::option::of(quiet)).prop_map(
        |((preferred_channels, opted_out_touchpoints), quiet_hours)| pb::ContactPreferences {
            preferred_channels,
            quiet_hours,
            opted_out_touchpoints,
        },
    ))
}

fn customer() -> impl Strategy<Value = pb::Customer> {
    let who = (
        text(&["13800138000", "19912345678"]),
        text(&["张三丰", "Ada Lovelace", "李四", "محمد", "Zoë"]),
        enum_number(0, 3),
        date(),
        text(&["440100", ""]),
        text(&["zh-CN", "yue", "zh-hant-hk", "en", ""]),
    );
    let id_number = text(&[
        "11010519491231002X",
        "110105198006150026",
        "11010519800615019X",
    ]);
    let id_document = (enum_number(1, 5), id_number)
        .prop_map(|(r#type, number)| pb::IdDocument { r#type, number });
    let group = (text(&["g-1", ""]), text(&["Acme", ""]), any::<bool>()).prop_map(
        |(group_id, name, key_person)| pb::GroupMembership {
            group_id,
            name,
            key_person,
        },
    );
    let what = (
        text(&["engineer", ""]),
        prop_oneof![
            6 => proptest::collection::vec(text(&["golf", "car club"]), 0..2),
            1 => proptest::collection::vec(text(&["golf", "car club", "茶"]), 0..22),
        ],
        contact(),
        text(&["am-007", ""]),
        proptest::option::of(group),
        text(&["GLOBAL-588", ""]),
        date(),
        enum_number(0, 3),
        proptest::option::of(id_document),
    );
    (who, what).prop_map(|(who, what)| {
        let (msisdn, name, gender, birth_date, region_code, preferred_language) = who;
        let (occupation, interests, contact_preferences, account_manager_id, group, plan_code) =
            (what.0, what.1, what.2, what.3, what.4, what.5);
        let (network_joined_on, status, id_document) = (what.6, what.7, what.8);
        pb::Customer {
            msisdn,
            name,
            gender,
            birth_date,
            region_code,
            preferred_language,
            occupation,
            interests,
            contact_preferences,
            account_manager_id,
            group,
            plan_code,
            network_joined_on,
            status,
            id_document,
            ..pb::Customer::default()
        }
    })
}

fn amount(max: i64) -> impl Strategy<Value = i64> {
    prop_oneof![
        4 => 0..=max,
        1 => any::<i64>(),
        1 => select(vec![i64::MIN, -1, i64::MAX]),
        1 => Just(max + 1),
    ]
}

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
                assert_answers(violation, &personal(&c));
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
        check(request_key("c", "M", &any_text, &common::Date::default()).map(drop));
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
}
