//! Request values for the property tests: mostly valid, sometimes arbitrary or on the edge of
//! a rule, so every check of a message is reached, not only the first.

use proptest::prelude::*;
use proptest::sample::{Index, select};
use vipcare_proto::common::v1 as common;
use vipcare_proto::profile::v1 as pb;

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
pub fn text(valid: &'static [&'static str]) -> BoxedStrategy<String> {
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
pub fn enum_number(first: i32, last: i32) -> impl Strategy<Value = i32> {
    prop_oneof![8 => first..=last, 1 => any::<i32>()]
}

pub fn date() -> impl Strategy<Value = Option<common::Date>> {
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

pub fn customer() -> impl Strategy<Value = pb::Customer> {
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

pub fn amount(max: i64) -> impl Strategy<Value = i64> {
    prop_oneof![
        4 => 0..=max,
        1 => any::<i64>(),
        1 => select(vec![i64::MIN, -1, i64::MAX]),
        1 => Just(max + 1),
    ]
}
