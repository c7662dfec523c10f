use chrono::Duration;

use super::*;
use crate::domain::score::tests::loyal;
use crate::domain::{ComponentKind, TierPolicy, churn_risk, score};

fn now() -> DateTime<Utc> {
    "2026-12-01T04:00:00Z".parse().unwrap()
}

/// Given on 2026-11-30 in Shanghai (the evening before `now`).
fn given(value: f64) -> PeakEnd {
    PeakEnd::of(value, "2026-11-30T12:00:00Z".parse().unwrap()).unwrap()
}

fn with(satisfaction: Satisfaction) -> crate::domain::ValueInputs {
    crate::domain::ValueInputs {
        satisfaction,
        ..loyal()
    }
}

#[test]
fn the_component_earns_the_peak_end_from_one_to_five() {
    for (value, fraction) in [(1.0, 0.0), (1.5, 0.125), (3.0, 0.5), (5.0, 1.0)] {
        let counted = Satisfaction::Counted(given(value));
        assert_eq!(counted.fraction(), Some(fraction), "{value}");
    }
    assert_eq!(PeakEnd::of(0.0, now()), None, "outside 1-5 is no score");
    assert_eq!(PeakEnd::of(5.5, now()), None);
}

#[test]
fn an_unhappy_peak_end_costs_points_and_says_when() {
    let policy = TierPolicy::default();
    let s = score(&policy, &with(Satisfaction::Counted(given(1.5))));
    let satisfaction = &s.components[4];
    assert_eq!(satisfaction.kind, ComponentKind::Satisfaction);
    assert!(satisfaction.available);
    // All five components in use: satisfaction weighs 15 of 100.
    assert_eq!(satisfaction.weight, 0.15);
    assert_eq!(satisfaction.points, 1.88, "0.125 × 15");
    assert_eq!(
        satisfaction.input.to_string(),
        "latest peak-end 1.5 of 5 on 2026-11-30 (full points at 5)"
    );
    assert_eq!(s.total, 86.88, "85 from the others, full marks otherwise");
    // A delighted customer with the same value keeps full marks.
    assert_eq!(
        score(&policy, &with(Satisfaction::Counted(given(5.0)))).total,
        100.0
    );
}

#[test]
fn without_a_score_that_counts_the_weight_is_shared_as_before() {
    let policy = TierPolicy::default();
    let old = PeakEnd::of(1.0, now() - Duration::days(WINDOW_DAYS + 1)).unwrap();
    let cases = [
        (
            Satisfaction::Uncounted(None),
            "no survey scores yet: its weight is shared among the other components",
        ),
        (
            Satisfaction::judged(SurveyAnswer::Latest(Some(old)), now()),
            "latest peak-end 1 of 5 on 2025-11-30 is older than 365 days: its weight is shared \
             among the other components",
        ),
        (
            Satisfaction::judged(SurveyAnswer::Unavailable, now()),
            "the survey service did not answer: its weight is shared among the other components",
        ),
    ];
    for (satisfaction, words) in cases {
        let s = score(&policy, &with(satisfaction));
        assert_eq!(s.total, 100.0, "{words}");
        assert!(!s.components[4].available);
        assert_eq!(s.components[4].weight, 0.0);
        assert_eq!(s.components[0].weight, 0.4706, "40 of the 85 in use");
        assert_eq!(s.components[4].input.to_string(), words);
    }
}

#[test]
fn a_score_counts_for_a_year() {
    let at = |days| PeakEnd::of(2.0, now() - Duration::days(days)).unwrap();
    let latest = |days| SurveyAnswer::Latest(Some(at(days)));
    assert_eq!(
        Satisfaction::judged(latest(WINDOW_DAYS), now()),
        Satisfaction::Counted(at(WINDOW_DAYS))
    );
    assert_eq!(
        Satisfaction::judged(latest(WINDOW_DAYS + 1), now()),
        Satisfaction::Uncounted(Some(at(WINDOW_DAYS + 1)))
    );
    assert_eq!(
        Satisfaction::judged(SurveyAnswer::Latest(None), now()),
        Satisfaction::Uncounted(None)
    );
}

#[test]
fn a_low_peak_end_raises_churn_risk_more_the_lower_it_is() {
    let rule = TierPolicy::default().churn; // weight 0.2, low at 2.5 or under
    let risk = |value| churn_risk(&rule, &with(Satisfaction::Counted(given(value))));
    let worst = risk(1.0);
    assert_eq!(worst.reasons.len(), 1);
    assert_eq!(worst.reasons[0].code, LOW_SATISFACTION);
    assert_eq!(worst.reasons[0].contribution, 0.2);
    assert_eq!(
        worst.reasons[0].description,
        "latest peak-end 1 of 5 on 2026-11-30 (2.5 or under is low)"
    );
    assert_eq!(risk(2.5).reasons[0].contribution, 0.1, "half at the limit");
    assert_eq!(risk(1.75).reasons[0].contribution, 0.15);
    assert_eq!(risk(2.6), crate::domain::ChurnAssessment::default());
}

#[test]
fn no_score_adds_nothing_and_an_unread_survey_says_so() {
    let rule = TierPolicy::default().churn;
    let none = churn_risk(&rule, &with(Satisfaction::Uncounted(None)));
    assert_eq!(none, crate::domain::ChurnAssessment::default());
    let unread = churn_risk(&rule, &with(Satisfaction::Unread));
    assert_eq!(unread.score, 0.0);
    assert_eq!(unread.reasons.len(), 1);
    assert_eq!(unread.reasons[0].code, NOT_CONSIDERED);
    assert!(unread.reasons[0].description.contains("survey service"));
}

#[test]
fn the_satisfaction_read_now_replaces_the_evaluated_one() {
    let rule = TierPolicy::default().churn;
    let mut inputs = with(Satisfaction::Counted(given(1.0)));
    inputs.tenure_months = 8; // short tenure: 0.2
    let evaluated = churn_risk(&rule, &inputs);
    assert_eq!(evaluated.score, 0.4);

    let happier = with_satisfaction(&rule, &evaluated, &Satisfaction::Counted(given(4.0)));
    assert_eq!(happier.score, 0.2);
    let codes: Vec<_> = happier.reasons.iter().map(|r| r.code.as_str()).collect();
    assert_eq!(codes, ["SHORT_TENURE"]);

    let unread = with_satisfaction(&rule, &evaluated, &Satisfaction::Unread);
    let codes: Vec<_> = unread.reasons.iter().map(|r| r.code.as_str()).collect();
    assert_eq!(codes, ["SHORT_TENURE", NOT_CONSIDERED]);

    let same = with_satisfaction(&rule, &evaluated, &Satisfaction::Counted(given(1.0)));
    assert_eq!(same, evaluated);
}
