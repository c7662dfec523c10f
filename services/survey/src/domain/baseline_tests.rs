use super::*;

fn tally(scores: &[u8]) -> Tally {
    let mut t = Tally::default();
    for s in scores {
        t.add(*s);
    }
    t
}

#[test]
fn tallies_add_up_and_merge() {
    let mut a = tally(&[5, 4]);
    a.merge(tally(&[3]));
    assert_eq!(a, Tally { n: 3, sum: 12 });
    assert_eq!(a.mean(), Some(4.0));
    assert_eq!(Tally::default().mean(), None);
}

#[test]
fn the_baseline_is_the_windows_mean_once_it_has_enough_scores() {
    let rule = BaselineRule::default();
    let short = Tally { n: 29, sum: 29 * 3 };
    assert_eq!(rule.baseline(short), DEFAULT_BASELINE);
    let enough = Tally {
        n: 30,
        sum: 30 * 3 + 6,
    };
    assert!((rule.baseline(enough) - 3.2).abs() < 1e-9);
    assert_eq!(rule.baseline(Tally::default()), DEFAULT_BASELINE);
    assert_eq!(BaselineRule::new(1).unwrap().baseline(tally(&[2])), 2.0);
    assert_eq!(BaselineRule::new(0).unwrap_err().field, "min_responses");
}

#[test]
fn moments_without_a_window_get_the_default() {
    let windows = BTreeMap::from([("ARRIVAL".to_owned(), Tally { n: 40, sum: 180 })]);
    let baselines = BaselineRule::default().baselines(&windows);
    assert_eq!(baselines.of("ARRIVAL"), 4.5);
    assert_eq!(baselines.of("MEETING"), DEFAULT_BASELINE);
}

#[test]
fn a_week_more_than_the_drop_below_the_baseline_alerts() {
    let rule = AlertRule::default();
    let week = tally(&[4, 4, 3, 4, 3]); // 18 / 5 = 3.6
    let alert = rule
        .check("ARRIVAL", GroupBy::Hall, "hall-7", week, 4.0)
        .unwrap();
    assert_eq!(
        (alert.n, alert.group_kind, alert.group.as_str()),
        (5, GroupBy::Hall, "hall-7")
    );
    assert!((alert.mean - 3.6).abs() < 1e-9);
    assert!((alert.gap + 0.4).abs() < 1e-9);
}

#[test]
fn exactly_the_drop_below_does_not_alert() {
    // 3.7 is 0.3 below 4.0 — "more than 0.3" it is not, whatever the float noise.
    let week = tally(&[4, 4, 4, 4, 4, 4, 3, 3, 4, 3]);
    assert_eq!(week.mean(), Some(3.7));
    let rule = AlertRule::default();
    assert!(
        rule.check("ARRIVAL", GroupBy::Staff, "li", week, 4.0)
            .is_none()
    );
}

#[test]
fn one_bad_score_in_a_quiet_week_does_not_alert() {
    // Four scores, one of them a 1: 13 / 4 = 3.25, far below 4.0, but too few to be a trend.
    let week = tally(&[4, 4, 4, 1]);
    let rule = AlertRule::default();
    assert!(
        rule.check("ARRIVAL", GroupBy::Staff, "li", week, 4.0)
            .is_none()
    );
    let mut busier = week;
    busier.add(4);
    assert!(
        rule.check("ARRIVAL", GroupBy::Staff, "li", busier, 4.0)
            .is_some()
    );
}

#[test]
fn alert_rules_are_checked() {
    let fields = |r: Result<AlertRule, Vec<Violation>>| -> Vec<String> {
        r.unwrap_err().into_iter().map(|v| v.field).collect()
    };
    assert_eq!(fields(AlertRule::new(0.0, 0)), ["drop", "min_scores"]);
    assert_eq!(fields(AlertRule::new(f64::NAN, 5)), ["drop"]);
    assert!(AlertRule::new(0.5, 10).is_ok());
}
