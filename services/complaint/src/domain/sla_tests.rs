use super::*;

const TIERS: [&str; 5] = ["STANDARD", "SILVER", "GOLD", "PLATINUM", "DIAMOND"];

fn table(policy: &SlaPolicy) -> BTreeMap<String, BTreeMap<Severity, SlaTarget>> {
    let mut out: BTreeMap<String, BTreeMap<Severity, SlaTarget>> = BTreeMap::new();
    for (tier, severity, target) in policy.targets() {
        out.entry(tier.to_owned())
            .or_default()
            .insert(severity, target);
    }
    out
}

fn refused(edit: impl FnOnce(&mut BTreeMap<String, BTreeMap<Severity, SlaTarget>>)) -> String {
    let mut targets = table(&SlaPolicy::default());
    edit(&mut targets);
    SlaPolicy::new(DEFAULT_TIER, targets).unwrap_err().field
}

fn cell<'a>(
    targets: &'a mut BTreeMap<String, BTreeMap<Severity, SlaTarget>>,
    tier: &str,
    severity: Severity,
) -> &'a mut SlaTarget {
    targets.get_mut(tier).unwrap().get_mut(&severity).unwrap()
}

/// `fast` is never slower than `slow`: no longer a wait, and not on the business clock
/// when `slow` runs around the clock (business time runs slower than wall time).
fn never_slower(fast: SlaTarget, slow: SlaTarget) -> bool {
    let clock_ok = fast.clock == ClockKind::Calendar || slow.clock == ClockKind::Business;
    clock_ok && fast.respond <= slow.respond && fast.resolve <= slow.resolve
}

#[test]
fn the_default_policy_holds_the_agreed_corners() {
    let policy = SlaPolicy::default();
    assert_eq!(
        policy.target("DIAMOND", Severity::High),
        SlaTarget {
            respond: TimeDelta::minutes(30),
            resolve: TimeDelta::hours(24),
            clock: ClockKind::Calendar,
        }
    );
    assert_eq!(
        policy.target("STANDARD", Severity::Low),
        SlaTarget {
            respond: TimeDelta::hours(24),
            resolve: TimeDelta::hours(5 * 9),
            clock: ClockKind::Business,
        }
    );
}

#[test]
fn in_the_default_policy_a_higher_tier_or_severity_is_never_slower() {
    let policy = SlaPolicy::default();
    for pair in TIERS.windows(2) {
        for severity in Severity::ALL {
            let (lower, higher) = (
                policy.target(pair[0], *severity),
                policy.target(pair[1], *severity),
            );
            assert!(never_slower(higher, lower), "{} {severity:?}", pair[1]);
        }
    }
    for tier in TIERS {
        for pair in Severity::ALL.windows(2) {
            let (lower, higher) = (policy.target(tier, pair[0]), policy.target(tier, pair[1]));
            assert!(never_slower(higher, lower), "{tier} {:?}", pair[1]);
        }
    }
}

#[test]
fn the_default_policy_passes_its_own_checks_and_lists_every_cell() {
    let policy = SlaPolicy::default();
    assert_eq!(policy.targets().count(), TIERS.len() * Severity::ALL.len());
    assert_eq!(SlaPolicy::new(DEFAULT_TIER, table(&policy)), Ok(policy));
}

#[test]
fn an_unknown_tier_is_served_by_the_default_tier() {
    let policy = SlaPolicy::default();
    for severity in Severity::ALL {
        assert_eq!(
            policy.target("BLACK_CARD", *severity),
            policy.target("STANDARD", *severity)
        );
    }
    assert_ne!(
        policy.target("GOLD", Severity::Low),
        policy.target("STANDARD", Severity::Low)
    );
}

#[test]
fn the_default_tier_of_an_update_serves_unknown_tiers() {
    let policy = SlaPolicy::new("GOLD", table(&SlaPolicy::default())).unwrap();
    assert_eq!(policy.default_tier(), "GOLD");
    assert_eq!(
        policy.target("BLACK_CARD", Severity::Medium),
        policy.target("GOLD", Severity::Medium)
    );
}

#[test]
fn refused_updates_name_the_field() {
    assert_eq!(
        refused(|t| {
            t.get_mut("GOLD").unwrap().remove(&Severity::Medium);
        }),
        "targets[GOLD].MEDIUM"
    );
    assert_eq!(
        refused(|t| cell(t, "DIAMOND", Severity::High).resolve = TimeDelta::zero()),
        "targets[DIAMOND].HIGH.resolve"
    );
    assert_eq!(
        refused(|t| cell(t, "SILVER", Severity::Low).respond = TimeDelta::minutes(-5)),
        "targets[SILVER].LOW.respond"
    );
    assert_eq!(
        refused(|t| cell(t, "GOLD", Severity::Critical).respond = TimeDelta::hours(25)),
        "targets[GOLD].CRITICAL.respond"
    );
    assert_eq!(
        refused(|t| cell(t, "GOLD", Severity::Low).resolve = TimeDelta::days(400)),
        "targets[GOLD].LOW.resolve"
    );
    assert_eq!(
        refused(|t| {
            t.remove("STANDARD");
        }),
        "default_tier"
    );
    assert_eq!(
        refused(|t| {
            let row = t["GOLD"].clone();
            t.insert("gold".to_owned(), row);
        }),
        "targets"
    );
}

#[test]
fn the_two_clocks_count_the_same_span_differently() {
    let calendar = BusinessCalendar::default();
    // Friday 17:00 to Monday 10:00 in Shanghai.
    let from: DateTime<Utc> = "2024-03-15T09:00:00Z".parse().unwrap();
    let to: DateTime<Utc> = "2024-03-18T02:00:00Z".parse().unwrap();
    assert_eq!(
        ClockKind::Calendar.between(&calendar, from, to),
        TimeDelta::hours(65)
    );
    assert_eq!(
        ClockKind::Business.between(&calendar, from, to),
        TimeDelta::hours(2)
    );
    assert_eq!(
        ClockKind::Calendar.between(&calendar, to, from),
        TimeDelta::zero()
    );
    assert_eq!(
        ClockKind::Calendar.advance(&calendar, from, TimeDelta::hours(2)),
        Some(from + TimeDelta::hours(2))
    );
    assert_eq!(
        ClockKind::Business.advance(&calendar, from, TimeDelta::hours(2)),
        Some(to)
    );
}
