use super::*;
use crate::domain::TierPolicy;

fn rule() -> ChurnRule {
    // complaint_weight 0.2, threshold 0.6.
    TierPolicy::default().churn
}

fn fact(open: bool, repeated: bool) -> ComplaintFact {
    ComplaintFact { open, repeated }
}

fn signals(complaints: Vec<ComplaintFact>, open_problem: bool) -> ServiceSignals {
    ServiceSignals {
        complaints: Some(complaints),
        open_problem: Some(open_problem),
    }
}

/// A spend decline of 0.5: below the threshold alone.
fn declining() -> ChurnAssessment {
    ChurnAssessment {
        score: 0.5,
        reasons: vec![RiskReason {
            code: "SPEND_DECLINE".into(),
            description: "spend fell 42%".into(),
            contribution: 0.5,
        }],
        at_risk: false,
    }
}

fn codes(risk: &ChurnAssessment) -> Vec<&str> {
    risk.reasons.iter().map(|r| r.code.as_str()).collect()
}

fn complaints_part(risk: &ChurnAssessment) -> f64 {
    risk.reasons
        .iter()
        .find(|r| r.code == COMPLAINTS)
        .map_or(0.0, |r| r.contribution)
}

#[test]
fn a_quiet_service_leaves_the_risk_exactly_as_it_was() {
    let base = declining();
    assert_eq!(with_service(&rule(), &base, &ServiceSignals::quiet()), base);
}

#[test]
fn each_complaint_counts_and_open_or_repeated_ones_count_more() {
    let rule = rule();
    let base = ChurnAssessment::default();
    let part =
        |complaints| complaints_part(&with_service(&rule, &base, &signals(complaints, false)));
    // One point of four: a quarter of the weight.
    assert_eq!(part(vec![fact(false, false)]), 0.05);
    assert_eq!(
        part(vec![fact(true, false)]),
        0.1,
        "still open: a point more"
    );
    assert_eq!(part(vec![fact(false, true)]), 0.1, "repeated: a point more");
    assert_eq!(
        part(vec![fact(true, true)]),
        0.15,
        "an open repeat: three quarters"
    );
    assert_eq!(
        part(vec![
            fact(true, true),
            fact(false, false),
            fact(true, false)
        ]),
        0.2,
        "full weight at four points, never more"
    );
}

#[test]
fn an_open_problem_in_the_work_log_counts_as_a_complaint_would() {
    let risk = with_service(
        &rule(),
        &ChurnAssessment::default(),
        &signals(Vec::new(), true),
    );
    assert_eq!(codes(&risk), [COMPLAINTS]);
    assert_eq!(risk.score, 0.05);
    assert!(risk.reasons[0].description.contains("work log"), "{risk:?}");
    let both = with_service(
        &rule(),
        &ChurnAssessment::default(),
        &signals(vec![fact(true, false)], true),
    );
    assert_eq!(both.score, 0.15);
    assert_eq!(
        both.reasons[0].description,
        "1 complaint in the last 90 days (1 still open); a problem open in the account \
         manager's work log"
    );
}

#[test]
fn complaints_can_tip_a_customer_over_the_threshold() {
    let risk = with_service(
        &rule(),
        &declining(),
        &signals(vec![fact(true, true), fact(false, false)], false),
    );
    assert_eq!(codes(&risk), ["SPEND_DECLINE", COMPLAINTS]);
    assert_eq!(risk.score, 0.7);
    assert!(risk.at_risk, "0.7 is over the 0.6 threshold");
    assert_eq!(
        risk.reasons[1].description,
        "2 complaints in the last 90 days (1 still open, 1 repeated or reopened)"
    );
}

#[test]
fn the_score_stays_at_most_one() {
    let base = ChurnAssessment {
        score: 1.0,
        reasons: vec![RiskReason {
            code: "SPEND_DECLINE".into(),
            description: String::new(),
            contribution: 0.9,
        }],
        at_risk: true,
    };
    let risk = with_service(&rule(), &base, &signals(vec![fact(true, true)], true));
    assert_eq!(risk.score, 1.0);
}

#[test]
fn a_silent_complaint_service_is_named_and_weighs_nothing() {
    let unknown = ServiceSignals {
        complaints: None,
        open_problem: Some(true),
    };
    let risk = with_service(&rule(), &declining(), &unknown);
    assert_eq!(codes(&risk), ["SPEND_DECLINE", COMPLAINTS, NOT_CONSIDERED]);
    let named = &risk.reasons[2];
    assert_eq!(named.contribution, 0.0);
    assert!(
        named
            .description
            .contains("complaint service did not answer"),
        "{named:?}"
    );
    assert_eq!(risk.score, 0.55, "the work log still counts");

    let none_learnt = ServiceSignals::default();
    let risk = with_service(&rule(), &declining(), &none_learnt);
    assert_eq!(codes(&risk), ["SPEND_DECLINE", NOT_CONSIDERED]);
    assert_eq!(risk.score, 0.5);
    assert!(
        risk.reasons[1]
            .description
            .contains("work log not considered")
    );
}

#[test]
fn reading_again_replaces_the_service_reasons_of_an_earlier_reading() {
    let rule = rule();
    let earlier = with_service(&rule, &declining(), &signals(vec![fact(true, true)], false));
    assert_eq!(earlier.score, 0.65);
    // The complaint was resolved since: the stored reading no longer counts it as open.
    let now = with_service(&rule, &earlier, &signals(vec![fact(false, true)], false));
    assert_eq!(codes(&now), ["SPEND_DECLINE", COMPLAINTS]);
    assert_eq!(now.score, 0.6);
    // And all gone quiet: the value reasons alone.
    let quiet = with_service(&rule, &earlier, &ServiceSignals::quiet());
    assert_eq!(quiet, declining());
}
