use super::*;

/// A loyal, high-spending customer: 10 years, ¥300 a month, key person.
pub(crate) fn loyal() -> ValueInputs {
    ValueInputs {
        customer_id: "c1".into(),
        arpu_3m_fen: 30_000,
        arpu_6m_fen: 30_000,
        previous_arpu_3m_fen: 30_000,
        months_with_data: 12,
        months_counted: 12,
        as_of: Some(Period::parse("2026-06").unwrap()),
        tenure_months: 120,
        household_arpu_fen: 90_000,
        referrals: 5,
        group_key_person: true,
        status: LineStatus::Active,
        satisfaction: Satisfaction::Uncounted(None),
    }
}

#[test]
fn full_inputs_score_one_hundred() {
    let s = score(&TierPolicy::default(), &loyal());
    assert_eq!(s.total, 100.0);
    let satisfaction = &s.components[4];
    assert!(!satisfaction.available);
    assert_eq!(satisfaction.points, 0.0);
}

#[test]
fn points_follow_the_weights_of_the_available_components() {
    let mut inputs = loyal();
    inputs.arpu_6m_fen = 15_000; // half the contribution scale
    let s = score(&TierPolicy::default(), &inputs);
    // Contribution weighs 40 of the 85 in use: half of it is 23.53 points.
    let contribution = &s.components[0];
    assert_eq!(contribution.fraction, 0.5);
    assert_eq!(contribution.points, 23.53);
    let words = contribution.input.to_string();
    assert!(words.contains("¥150.00"), "{words}");
    assert_eq!(s.total, 76.48);
    let sum: f64 = s.components.iter().map(|c| c.points).sum();
    assert!((sum - s.total).abs() < 0.011);
}

#[test]
fn arrears_cost_loyalty_points() {
    let mut inputs = loyal();
    inputs.status = LineStatus::Suspended;
    let loyalty = &score(&TierPolicy::default(), &inputs).components[2];
    assert_eq!(loyalty.fraction, 0.4);
    assert!(loyalty.input.to_string().starts_with("line not active"));
}

#[test]
fn loyalty_is_the_share_of_counted_months_billed_and_says_which() {
    let mut inputs = loyal();
    inputs.months_with_data = 4; // silent for eight months
    let loyalty = &score(&TierPolicy::default(), &inputs).components[2];
    assert_eq!(loyalty.fraction, 0.7333, "0.6 + 0.4 × 4/12");
    assert_eq!(
        loyalty.input.to_string(),
        "no arrears; billed in 4 of the 12 calendar months 2025-06 to 2026-05"
    );

    // On the network for three months of the window, billed in all three.
    inputs.months_with_data = 3;
    inputs.months_counted = 3;
    let loyalty = &score(&TierPolicy::default(), &inputs).components[2];
    assert_eq!(
        loyalty.fraction, 1.0,
        "months before joining are not unbilled"
    );
    assert_eq!(
        loyalty.input.to_string(),
        "no arrears; billed in 3 of the 3 calendar months 2026-03 to 2026-05 (on the \
         network since 2026-03)"
    );

    inputs.months_with_data = 0;
    inputs.months_counted = 0;
    let loyalty = &score(&TierPolicy::default(), &inputs).components[2];
    assert_eq!(loyalty.fraction, 0.6);
    assert!(
        loyalty
            .input
            .to_string()
            .contains("no month on the network before 2026-06")
    );

    // A summary kept from before summaries had a period: scored as it was decided.
    inputs.months_with_data = 6;
    inputs.months_counted = 12;
    inputs.as_of = None;
    let loyalty = &score(&TierPolicy::default(), &inputs).components[2];
    assert_eq!(loyalty.fraction, 0.8);
    assert!(
        loyalty
            .input
            .to_string()
            .ends_with("billed in 6 of the last 12 months")
    );
}

#[test]
fn a_new_customer_without_spend_scores_low() {
    let inputs = ValueInputs {
        customer_id: "c2".into(),
        arpu_3m_fen: 0,
        arpu_6m_fen: 0,
        previous_arpu_3m_fen: 0,
        months_with_data: 0,
        months_counted: 0,
        as_of: Some(Period::parse("2026-06").unwrap()),
        tenure_months: 0,
        household_arpu_fen: 0,
        referrals: 0,
        group_key_person: false,
        status: LineStatus::Active,
        satisfaction: Satisfaction::Uncounted(None),
    };
    let s = score(&TierPolicy::default(), &inputs);
    // Only "no arrears" counts: 0.6 of loyalty's 15/85.
    assert_eq!(s.total, 10.59);
}
