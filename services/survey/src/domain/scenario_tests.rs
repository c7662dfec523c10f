use super::*;

fn moment(code: &str, stage: Stage, importance: f64) -> Moment {
    Moment {
        code: code.to_owned(),
        name: code.to_lowercase(),
        stage,
        importance,
        peak: false,
        end: stage == Stage::End,
        attributes: vec![Attribute {
            code: "ON_TIME".to_owned(),
            name: "准时".to_owned(),
        }],
    }
}

fn three() -> Vec<Moment> {
    vec![
        moment("CALL", Stage::Contact, 4.0),
        moment("HANDLING", Stage::Operation, 4.5),
        moment("FEEDBACK", Stage::End, 3.5),
    ]
}

fn fields(refused: Vec<Violation>) -> Vec<String> {
    refused.into_iter().map(|v| v.field).collect()
}

#[test]
fn a_sound_scenario_is_published_with_its_version() {
    let scenario = ScenarioDraft::new("PHONE", "电话", three())
        .unwrap()
        .publish(2);
    assert_eq!(scenario.code(), "PHONE");
    assert_eq!(scenario.version(), 2);
    assert_eq!(scenario.end_moment().code, "FEEDBACK");
    assert_eq!(scenario.position("HANDLING"), Some(1));
    assert!(scenario.moment("NOPE").is_none());
}

#[test]
fn important_means_strictly_above_the_mean() {
    let scenario = ScenarioDraft::new("PHONE", "电话", three())
        .unwrap()
        .publish(1);
    assert!((scenario.mean_importance() - 4.0).abs() < 1e-9);
    let important: Vec<&str> = scenario
        .moments()
        .iter()
        .filter(|m| scenario.is_important(m))
        .map(|m| m.code.as_str())
        .collect();
    // CALL sits exactly on the mean: not above it.
    assert_eq!(important, ["HANDLING"]);
}

#[test]
fn every_refused_field_is_named_at_once() {
    let mut moments = three();
    moments[0].code = "call".to_owned();
    moments[1].importance = 5.5;
    moments[1].name = " ".to_owned();
    moments[2].attributes.push(Attribute {
        code: "ON_TIME".to_owned(),
        name: "again".to_owned(),
    });
    let refused = ScenarioDraft::new("p", "", moments).unwrap_err();
    assert_eq!(
        fields(refused),
        [
            "code",
            "name",
            "moments[0].code",
            "moments[1].name",
            "moments[1].importance",
            "moments[2].attributes[1].code",
        ]
    );
}

#[test]
fn importance_has_at_most_two_decimals_within_one_to_five() {
    for (value, ok) in [
        (1.0, true),
        (5.0, true),
        (4.45, true),
        (4.455, false),
        (0.99, false),
        (f64::NAN, false),
    ] {
        let mut moments = three();
        moments[0].importance = value;
        assert_eq!(
            ScenarioDraft::new("PHONE", "电话", moments).is_ok(),
            ok,
            "{value}"
        );
    }
}

#[test]
fn no_moments_or_too_many_are_refused() {
    assert_eq!(
        fields(ScenarioDraft::new("PHONE", "电话", vec![]).unwrap_err()),
        ["moments"]
    );
    let mut many: Vec<Moment> = (0..MAX_MOMENTS)
        .map(|i| moment(&format!("M{i}"), Stage::Operation, 3.0))
        .collect();
    many.push(moment("LAST", Stage::End, 3.0));
    assert_eq!(
        fields(ScenarioDraft::new("PHONE", "电话", many).unwrap_err()),
        ["moments"]
    );
}

#[test]
fn moment_codes_are_unique() {
    let mut moments = three();
    moments[1].code = "CALL".to_owned();
    assert_eq!(
        fields(ScenarioDraft::new("PHONE", "电话", moments).unwrap_err()),
        ["moments[1].code"]
    );
}

#[test]
fn exactly_one_end_moment_last_and_in_stage_end() {
    let mut none = three();
    none[2].end = false;
    assert_eq!(
        fields(ScenarioDraft::new("PHONE", "电话", none).unwrap_err()),
        ["moments"]
    );

    let mut two = three();
    two[1].end = true;
    assert_eq!(
        fields(ScenarioDraft::new("PHONE", "电话", two).unwrap_err()),
        ["moments", "moments[1].end", "moments[1].stage"]
    );

    let mut not_end_stage = three();
    not_end_stage[2].stage = Stage::Operation;
    assert_eq!(
        fields(ScenarioDraft::new("PHONE", "电话", not_end_stage).unwrap_err()),
        ["moments[2].stage"]
    );
}

#[test]
fn stages_never_go_back() {
    let mut moments = three();
    moments.insert(2, moment("LATE_CONTACT", Stage::Contact, 3.0));
    assert_eq!(
        fields(ScenarioDraft::new("PHONE", "电话", moments).unwrap_err()),
        ["moments[2].stage"]
    );
}

#[test]
fn attributes_are_bounded_in_number() {
    let mut moments = three();
    moments[1].attributes = (0..=MAX_ATTRIBUTES)
        .map(|k| Attribute {
            code: format!("A{k}"),
            name: format!("属性{k}"),
        })
        .collect();
    assert_eq!(
        fields(ScenarioDraft::new("PHONE", "电话", moments).unwrap_err()),
        ["moments[1].attributes"]
    );
}
