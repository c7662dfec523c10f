use super::*;

fn codes(scenario: &Scenario, pick: impl Fn(&Moment) -> bool) -> Vec<&str> {
    scenario
        .moments()
        .iter()
        .filter(|m| pick(m))
        .map(|m| m.code.as_str())
        .collect()
}

#[test]
fn the_study_has_32_moments_in_four_scenarios() {
    let scenarios = scenarios();
    let counts: Vec<(&str, usize)> = scenarios
        .iter()
        .map(|s| (s.code(), s.moments().len()))
        .collect();
    assert_eq!(
        counts,
        [
            ("ON_SITE_VISIT", 10),
            ("PHONE_SMS", 8),
            ("HALL_VISIT", 7),
            ("VIP_EVENT", 7)
        ]
    );
    let total: usize = counts.iter().map(|(_, n)| n).sum();
    assert_eq!(total, 32);
}

#[test]
fn every_seed_passes_the_checked_draft() {
    for (code, name, moments) in drafts() {
        assert!(ScenarioDraft::new(code, name, moments).is_ok(), "{code}");
    }
    assert!(scenarios().iter().all(|s| s.version() == SEED_VERSION));
}

#[test]
fn mean_importance_is_the_studys() {
    for (code, mean) in [
        ("ON_SITE_VISIT", 4.45),
        ("PHONE_SMS", 4.21),
        ("HALL_VISIT", 4.00),
        ("VIP_EVENT", 4.32),
    ] {
        let scenario = scenario(code).unwrap();
        assert!((scenario.mean_importance() - mean).abs() < 0.005, "{code}");
    }
}

#[test]
fn peaks_and_end_are_the_studys() {
    let expected: [(&str, &[&str], &str); 4] = [
        (
            "ON_SITE_VISIT",
            &["APPOINTMENT", "QUESTION_ANSWERING", "COMPLAINT_HANDLING"],
            "FOLLOW_UP",
        ),
        (
            "PHONE_SMS",
            &[
                "QUESTION_ANSWERING",
                "BUSINESS_ACCEPTANCE",
                "COMPLAINT_HANDLING",
            ],
            "RESULT_FEEDBACK",
        ),
        (
            "HALL_VISIT",
            &["PHONE_APPOINTMENT", "BUSINESS_HANDLING"],
            "LEAVING_HALL",
        ),
        (
            "VIP_EVENT",
            &["INVITATION", "RECEPTION", "MAIN_ACTIVITY"],
            "AFTER_CARE",
        ),
    ];
    for (code, peaks, end) in expected {
        let scenario = scenario(code).unwrap();
        assert_eq!(codes(&scenario, |m| m.peak), peaks, "{code}");
        assert_eq!(codes(&scenario, |m| m.end), [end], "{code}");
        assert_eq!(scenario.end_moment().code, end);
    }
}

#[test]
fn every_peak_and_every_end_is_important() {
    for scenario in scenarios() {
        for moment in scenario.moments().iter().filter(|m| m.peak || m.end) {
            assert!(
                scenario.is_important(moment),
                "{} {}",
                scenario.code(),
                moment.code
            );
        }
    }
}

#[test]
fn the_on_site_visit_goes_in_the_studys_order() {
    let scenario = scenario("ON_SITE_VISIT").unwrap();
    let names: Vec<&str> = scenario.moments().iter().map(|m| m.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "预约",
            "到达",
            "见面",
            "关系维护",
            "业务办理",
            "业务推介",
            "疑问解答",
            "投诉处理",
            "告辞离开",
            "后续跟进"
        ]
    );
    let appointment = scenario.moment("APPOINTMENT").unwrap();
    assert!(
        appointment
            .attributes
            .iter()
            .any(|a| a.name == "使用客户擅长的语言")
    );
}

#[test]
fn every_moment_has_three_to_seven_attributes() {
    for scenario in scenarios() {
        for moment in scenario.moments() {
            let n = moment.attributes.len();
            assert!(
                (3..=7).contains(&n),
                "{} {}: {n}",
                scenario.code(),
                moment.code
            );
        }
    }
}
