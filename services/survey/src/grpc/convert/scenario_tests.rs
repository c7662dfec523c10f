use chrono::DateTime;

use super::*;
use crate::domain::seed;

fn at() -> DateTime<Utc> {
    DateTime::from_timestamp(1_780_000_000, 0).unwrap()
}

fn on_site() -> pb::Scenario {
    scenario_to_proto(&seed::scenario("ON_SITE_VISIT").unwrap(), at())
}

fn refused(scenario: pb::Scenario) -> Vec<String> {
    let req = pb::UpsertScenarioRequest {
        scenario: Some(scenario),
        expected_version: 3,
        request_id: String::new(),
    };
    let found = upsert_from_proto(&req).unwrap_err();
    found.into_iter().map(|v| v.field).collect()
}

#[test]
fn every_seeded_scenario_round_trips() {
    for scenario in seed::scenarios() {
        let shown = scenario_to_proto(&scenario, at());
        assert_eq!(shown.version, scenario.version());
        assert_eq!(shown.update_time, Some(timestamp(at())));
        let draft = draft_from_proto(&shown).unwrap();
        assert_eq!(draft.publish(scenario.version()), scenario);
    }
}

#[test]
fn the_contract_spells_codes_and_stages_its_own_way() {
    let shown = on_site();
    assert_eq!(shown.scenario_code, "ON_SITE_VISIT");
    assert_eq!(shown.moments.len(), 10);
    let end = shown.moments.last().unwrap();
    assert_eq!(end.moment_code, "FOLLOW_UP");
    assert_eq!(end.stage, pb::Stage::End as i32);
    assert!(end.end);
    let first = &shown.moments[0];
    assert_eq!(first.moment_code, "APPOINTMENT");
    assert_eq!(first.importance, 4.62);
    assert!(!first.attributes.is_empty());
    assert!(
        first
            .attributes
            .iter()
            .all(|a| !a.attribute_code.is_empty())
    );
}

#[test]
fn the_mean_importance_is_shown_and_ignored_on_the_way_in() {
    let mut shown = on_site();
    let mean = seed::scenario("ON_SITE_VISIT").unwrap().mean_importance();
    assert_eq!(shown.mean_importance, mean);
    shown.mean_importance = -7.0;
    shown.version = 99;
    shown.update_time = None;
    let upsert = upsert_from_proto(&pb::UpsertScenarioRequest {
        scenario: Some(shown),
        expected_version: 0,
        request_id: "r-1".into(),
    })
    .unwrap();
    assert_eq!(upsert.expected_version, None);
    assert_eq!(upsert.draft.publish(1).mean_importance(), mean);
}

#[test]
fn the_scenario_is_required() {
    let req = pb::UpsertScenarioRequest::default();
    let fields: Vec<_> = upsert_from_proto(&req)
        .unwrap_err()
        .into_iter()
        .map(|v| v.field)
        .collect();
    assert_eq!(fields, ["scenario"]);
}

#[test]
fn every_refused_field_is_named_by_its_contract_path() {
    let mut s = on_site();
    s.scenario_code = "on site".into();
    s.name = String::new();
    s.moments[1].stage = 0;
    s.moments[2].moment_code = s.moments[0].moment_code.clone();
    s.moments[3].importance = 5.5;
    s.moments[0].attributes[1].attribute_code = "bad code".into();
    s.moments[4].attributes[0].name = " ".into();
    assert_eq!(
        refused(s),
        [
            "scenario.moments[1].stage",
            "scenario.scenario_code",
            "scenario.name",
            "scenario.moments[0].attributes[1].attribute_code",
            "scenario.moments[2].moment_code",
            "scenario.moments[3].importance",
            "scenario.moments[4].attributes[0].name",
        ]
    );
}

#[test]
fn an_unknown_stage_number_is_refused_once() {
    let mut s = on_site();
    let last = s.moments.len() - 1;
    s.moments[last].stage = 42;
    assert_eq!(refused(s), [format!("scenario.moments[{last}].stage")]);
}

#[test]
fn scenario_rules_of_the_domain_name_the_contract_paths() {
    let mut s = on_site();
    s.moments[0].end = true;
    assert_eq!(
        refused(s),
        [
            "scenario.moments",
            "scenario.moments[0].end",
            "scenario.moments[0].stage",
        ]
    );
    let mut s = on_site();
    s.moments.clear();
    assert_eq!(refused(s), ["scenario.moments"]);
}

#[test]
fn domain_paths_become_contract_paths() {
    assert_eq!(contract_path("code"), "scenario_code");
    assert_eq!(contract_path("moments[3].code"), "moments[3].moment_code");
    assert_eq!(
        contract_path("moments[3].attributes[1].code"),
        "moments[3].attributes[1].attribute_code"
    );
    assert_eq!(
        contract_path("moments[3].importance"),
        "moments[3].importance"
    );
}
