use super::*;

fn fields(result: Result<impl std::fmt::Debug, Vec<Violation>>) -> Vec<String> {
    result.unwrap_err().into_iter().map(|v| v.field).collect()
}

#[test]
fn every_touchpoint_has_a_valid_seeded_rule() {
    let rules = default_rules();
    assert_eq!(rules.len(), 15);
    for (rule, t) in rules.iter().zip(Touchpoint::ALL) {
        assert_eq!(rule.touchpoint, *t);
        assert_eq!(rule.validate(), Ok(()), "{}", t.code());
    }
}

#[test]
fn account_opening_parts_are_ordered_by_their_priorities() {
    let priorities: Vec<_> = ACCOUNT_OPENING_PARTS
        .iter()
        .map(|t| default_rule(*t).priority)
        .collect();
    assert!(priorities.windows(2).all(|w| w[0] < w[1]), "{priorities:?}");
    // All four go out together, so all four must merge.
    assert!(
        ACCOUNT_OPENING_PARTS
            .iter()
            .all(|t| default_rule(*t).mergeable)
    );
}

#[test]
fn only_arrears_and_sensitive_queries_break_quiet_hours_or_opt_outs() {
    let urgent: Vec<_> = default_rules()
        .into_iter()
        .filter(|r| r.urgent)
        .map(|r| r.touchpoint)
        .collect();
    assert_eq!(
        urgent,
        [Touchpoint::SensitiveQuery, Touchpoint::ArrearsSuspension]
    );
    let mandatory: Vec<_> = default_rules()
        .into_iter()
        .filter(|r| r.mandatory && !r.touchpoint.is_staff_task())
        .map(|r| r.touchpoint)
        .collect();
    assert_eq!(mandatory, urgent);
    let top = default_rules()
        .into_iter()
        .min_by_key(|r| r.priority)
        .unwrap();
    assert_eq!(top.touchpoint, Touchpoint::ArrearsSuspension);
}

#[test]
fn only_data_usage_and_low_balance_supersede() {
    let superseding: Vec<_> = default_rules()
        .into_iter()
        .filter(|r| r.supersedes)
        .map(|r| r.touchpoint)
        .collect();
    assert_eq!(
        superseding,
        [Touchpoint::DataUsageAlert, Touchpoint::LowBalance]
    );
}

#[test]
fn priorities_are_one_to_a_hundred() {
    assert!(Priority::new(0).is_err());
    assert!(Priority::new(101).is_err());
    assert!(Priority::new(-5).is_err());
    assert!(Priority::new(i32::MAX).is_err());
    assert_eq!(Priority::new(1).map(Priority::get), Ok(1));
    assert_eq!(Priority::new(100).map(Priority::get), Ok(100));
}

#[test]
fn bad_rules_name_every_field() {
    let rule = TouchpointRule {
        default_deadline: TimeDelta::zero(),
        default_channels: vec![ContactChannel::Sms, ContactChannel::Sms],
        urgent: true,
        mergeable: true,
        ..default_rule(Touchpoint::Care)
    };
    assert_eq!(
        fields(rule.validate()),
        ["default_deadline", "default_channels", "mergeable"]
    );
    let rule = TouchpointRule {
        default_deadline: TimeDelta::days(31),
        default_channels: vec![],
        ..default_rule(Touchpoint::Care)
    };
    assert_eq!(
        fields(rule.validate()),
        ["default_deadline", "default_channels"]
    );
}

#[test]
fn an_update_changes_only_what_it_names_and_the_result_must_be_valid() {
    let rule = default_rule(Touchpoint::LowBalance);
    let changed = rule
        .apply(RuleChange {
            priority: Some(Priority(88)),
            default_channels: Some(vec![ContactChannel::AppPush]),
            ..RuleChange::default()
        })
        .unwrap();
    assert_eq!(changed.priority.get(), 88);
    assert_eq!(changed.default_channels, [ContactChannel::AppPush]);
    assert_eq!(changed.default_deadline, rule.default_deadline);
    assert!(changed.supersedes);
    // Urgent on a mergeable touchpoint leaves an invalid rule, though `urgent` alone is fine.
    let err = rule.apply(RuleChange {
        urgent: Some(true),
        ..RuleChange::default()
    });
    assert_eq!(fields(err), ["mergeable"]);
    assert_eq!(fields(rule.apply(RuleChange::default())), ["update_mask"]);
}

#[test]
fn mask_paths_name_rule_fields() {
    assert_eq!(
        RuleField::from_code("default_deadline"),
        Some(RuleField::DefaultDeadline)
    );
    assert_eq!(RuleField::from_code("touchpoint"), None);
    assert_eq!(RuleField::from_code("etag"), None);
    assert_eq!(RuleField::ALL.len(), 7);
}
