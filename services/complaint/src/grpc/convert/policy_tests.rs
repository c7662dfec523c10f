use super::*;
use crate::domain::ClockKind;

fn stored_default() -> StoredPolicy {
    StoredPolicy {
        policy: SlaPolicy::default(),
        calendar: BusinessCalendar::default(),
        version: 1,
        updated_by: None,
        update_time: None,
    }
}

fn fields(refused: &[Violation]) -> Vec<&str> {
    refused.iter().map(|v| v.field.as_str()).collect()
}

/// The targets of the default policy as a caller sends them back.
fn default_targets() -> Vec<pb::SlaTarget> {
    policy_to_proto(&stored_default()).targets
}

#[test]
fn the_default_policy_reads_back_as_it_is_shown() {
    let shown = policy_to_proto(&stored_default());
    assert_eq!(shown.default_tier, "STANDARD");
    assert_eq!(shown.targets.len(), 20);
    assert_eq!(shown.etag, "\"v1\"");
    assert!(shown.update_time.is_none() && shown.updated_by.is_empty());
    let calendar = shown.calendar.unwrap();
    assert_eq!(calendar.working_hours.len(), 7);
    assert_eq!(
        calendar.working_hours[5],
        pb::WorkingHours::default(),
        "Saturday off"
    );

    let mut refused = Vec::new();
    let rows = targets_from_proto(&shown.targets, &mut refused).unwrap();
    assert_eq!(
        SlaPolicy::new("STANDARD", rows).unwrap(),
        SlaPolicy::default()
    );
    let back = calendar_from_proto(Some(&calendar), &mut refused).unwrap();
    assert_eq!(back, BusinessCalendar::default());
    assert!(refused.is_empty());
}

#[test]
fn each_refused_target_field_is_named_by_its_index() {
    let mut targets = default_targets();
    targets[3].resolve_within = Some(prost_types::Duration::default());
    targets[5].respond_within = Some(prost_types::Duration {
        seconds: 400 * 86_400,
        nanos: 0,
    });
    targets[6].clock = 0;
    targets[7].tier = "gold".into();
    targets[8].respond_within = Some(prost_types::Duration {
        seconds: 1,
        nanos: -5,
    });
    // Respond slower than resolve.
    targets[9].respond_within = targets[9].resolve_within.map(|d| prost_types::Duration {
        seconds: d.seconds + 60,
        ..d
    });
    let mut refused = Vec::new();
    assert!(targets_from_proto(&targets, &mut refused).is_none());
    assert_eq!(
        fields(&refused),
        [
            "policy.targets[3].resolve_within",
            "policy.targets[5].respond_within",
            "policy.targets[6].clock",
            "policy.targets[7].tier",
            "policy.targets[8].respond_within",
            "policy.targets[9].respond_within",
            // GOLD CRITICAL was renamed away: GOLD lacks it now.
            "policy.targets",
        ]
    );
    assert!(
        refused[6]
            .reason
            .contains("GOLD has no target for CRITICAL")
    );
}

#[test]
fn targets_repeated_or_missing_a_severity_are_refused() {
    let mut targets = default_targets();
    // GOLD HIGH given twice, and DIAMOND without CRITICAL.
    let gold_high = targets
        .iter()
        .position(|t| t.tier == "GOLD" && t.severity == pb::Severity::High as i32)
        .unwrap();
    targets.push(targets[gold_high].clone());
    targets.retain(|t| !(t.tier == "DIAMOND" && t.severity == pb::Severity::Critical as i32));
    let mut refused = Vec::new();
    assert!(targets_from_proto(&targets, &mut refused).is_none());
    assert_eq!(fields(&refused), ["policy.targets[19]", "policy.targets"]);
    assert!(refused[1].reason.contains("DIAMOND") && refused[1].reason.contains("CRITICAL"));
}

#[test]
fn calendar_fields_are_named_as_the_contract_spells_them() {
    let good = calendar_to_proto(&BusinessCalendar::default());
    let check = |c: pb::BusinessCalendar| {
        let mut refused = Vec::new();
        assert!(calendar_from_proto(Some(&c), &mut refused).is_none());
        refused.into_iter().map(|v| v.field).collect::<Vec<_>>()
    };
    let mut wednesday_backwards = good.clone();
    wednesday_backwards.working_hours[2] = pb::WorkingHours {
        start_minute: 600,
        end_minute: 540,
    };
    assert_eq!(
        check(wednesday_backwards),
        ["policy.calendar.working_hours[2].end_minute"]
    );
    let bad_zone = pb::BusinessCalendar {
        time_zone: "Mars/Olympus".into(),
        ..good.clone()
    };
    assert_eq!(check(bad_zone), ["policy.calendar.time_zone"]);
    let mut six_days = good.clone();
    six_days.working_hours.pop();
    six_days.holidays = vec![common::Date {
        year: 2026,
        month: 2,
        day: 30,
    }];
    six_days.make_up_hours = Some(pb::WorkingHours {
        start_minute: -1,
        end_minute: 60,
    });
    assert_eq!(
        check(six_days),
        [
            "policy.calendar.working_hours",
            "policy.calendar.make_up_hours.start_minute",
            "policy.calendar.holidays[0]",
        ]
    );
    let day = common::Date {
        year: 2026,
        month: 10,
        day: 1,
    };
    let both = pb::BusinessCalendar {
        holidays: vec![day],
        make_up_days: vec![day],
        ..good
    };
    assert_eq!(check(both), ["policy.calendar.make_up_days[0]"]);
    let mut refused = Vec::new();
    assert!(calendar_from_proto(None, &mut refused).is_none());
    assert_eq!(fields(&refused), ["policy.calendar"]);
}

#[test]
fn a_changed_calendar_converts_whole() {
    let mut c = calendar_to_proto(&BusinessCalendar::default());
    c.time_zone = "Asia/Urumqi".into();
    c.working_hours[5] = pb::WorkingHours {
        start_minute: 600,
        end_minute: 960,
    };
    c.holidays = vec![common::Date {
        year: 2026,
        month: 10,
        day: 1,
    }];
    let mut refused = Vec::new();
    let calendar = calendar_from_proto(Some(&c), &mut refused).unwrap();
    assert_eq!(calendar_to_proto(&calendar), c);
}

#[test]
fn durations_convert_only_when_well_formed() {
    let d = |seconds, nanos| prost_types::Duration { seconds, nanos };
    assert_eq!(
        span_of(&d(90, 5)),
        Some(TimeDelta::seconds(90) + TimeDelta::nanoseconds(5))
    );
    assert_eq!(
        span_of(&d(-1, -5)),
        Some(-TimeDelta::seconds(1) - TimeDelta::nanoseconds(5))
    );
    assert_eq!(span_of(&d(1, -5)), None);
    assert_eq!(span_of(&d(0, 1_000_000_000)), None);
    assert_eq!(span_of(&d(i64::MAX, 0)), None);
    let target = SlaTarget {
        respond: TimeDelta::minutes(30),
        resolve: TimeDelta::hours(24),
        clock: ClockKind::Calendar,
    };
    let shown = sla_target_to_proto("DIAMOND", Severity::High, &target);
    assert_eq!(
        span_of(&shown.resolve_within.unwrap()),
        Some(target.resolve)
    );
}
