use super::*;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// Newest first, the newest being 2024-12.
fn input(spends: &[i64]) -> SummaryInput {
    SummaryInput {
        customer_id: CustomerId::generate(),
        network_joined_on: Some(date(2020, 3, 15)),
        status: CustomerStatus::Active,
        plan_code: "P188".into(),
        group_key_person: false,
        latest_period: (!spends.is_empty()).then(|| Period::parse("2024-12").unwrap()),
        recent_spend: spends.to_vec(),
        family_arpu_3m: vec![],
        referrals: 0,
    }
}

fn today() -> NaiveDate {
    date(2025, 1, 10)
}

#[test]
fn arpu_averages_the_most_recent_months_with_data() {
    let spends = [300, 200, 100, 60, 60, 60, 10, 10, 10, 10, 10, 10, 9999];
    let s = summarize(input(&spends), today());
    assert_eq!(s.arpu_3m_fen, 200);
    assert_eq!(s.arpu_6m_fen, 130);
    // (300+200+100+60*3+10*6) / 12 = 840 / 12; the 13th month is ignored.
    assert_eq!(s.arpu_12m_fen, 70);
    assert_eq!(s.months_with_data, 12);
    assert_eq!(s.latest_period.unwrap().to_string(), "2024-12");
}

#[test]
fn averages_round_to_the_nearest_fen() {
    assert_eq!(arpu_3m(&[100, 100, 101]), 100);
    assert_eq!(arpu_3m(&[100, 101, 101]), 101);
    assert_eq!(arpu_3m(&[1, 2]), 2);
    assert_eq!(arpu_3m(&[]), 0);
}

#[test]
fn rising_declining_and_stable() {
    let s = summarize(input(&[120, 120, 120, 100, 100, 100]), today());
    assert_eq!(s.spend_trend, SpendTrend::Rising);
    assert_eq!(s.spend_change_percent, 20.0);
    assert_eq!(s.previous_arpu_3m_fen, 100);

    let s = summarize(input(&[80, 80, 80, 100, 100, 100]), today());
    assert_eq!(s.spend_trend, SpendTrend::Declining);
    assert_eq!(s.spend_change_percent, -20.0);

    let s = summarize(input(&[110, 110, 110, 100, 100, 100]), today());
    assert_eq!(
        s.spend_trend,
        SpendTrend::Stable,
        "exactly +10% is still stable"
    );
}

#[test]
fn short_histories_compare_fewer_months() {
    // Four months: k = 2, the last two against the two before.
    let s = summarize(input(&[150, 150, 100, 100]), today());
    assert_eq!(s.spend_trend, SpendTrend::Rising);
    assert_eq!(s.spend_change_percent, 50.0);
    assert_eq!(s.previous_arpu_3m_fen, 100);
    // Three months: k = 1, the newest against the one before; the third is unused.
    let s = summarize(input(&[50, 100, 1000]), today());
    assert_eq!(s.spend_trend, SpendTrend::Declining);
    assert_eq!(s.spend_change_percent, -50.0);
}

#[test]
fn one_month_or_none_is_insufficient() {
    for spends in [&[500][..], &[][..]] {
        let s = summarize(input(spends), today());
        assert_eq!(s.spend_trend, SpendTrend::InsufficientData);
        assert_eq!(s.spend_change_percent, 0.0);
        assert_eq!(s.previous_arpu_3m_fen, 0);
    }
    let s = summarize(input(&[]), today());
    assert_eq!(
        (s.arpu_3m_fen, s.months_with_data, s.latest_period),
        (0, 0, None)
    );
}

#[test]
fn spend_from_zero_is_rising() {
    let s = summarize(input(&[100, 0]), today());
    assert_eq!(
        (s.spend_trend, s.spend_change_percent),
        (SpendTrend::Rising, 100.0)
    );
    let s = summarize(input(&[0, 0]), today());
    assert_eq!(
        (s.spend_trend, s.spend_change_percent),
        (SpendTrend::Stable, 0.0)
    );
}

#[test]
fn tenure_counts_whole_months() {
    let mut i = input(&[]);
    i.network_joined_on = Some(date(2020, 3, 15));
    assert_eq!(summarize(i.clone(), date(2025, 1, 10)).tenure_months, 57);
    assert_eq!(summarize(i.clone(), date(2025, 1, 15)).tenure_months, 58);
    i.network_joined_on = Some(date(2025, 2, 1));
    assert_eq!(summarize(i.clone(), date(2025, 1, 15)).tenure_months, 0);
    i.network_joined_on = None;
    assert_eq!(summarize(i, date(2025, 1, 15)).tenure_months, 0);
}

#[test]
fn household_adds_family_members_arpu() {
    let mut i = input(&[300, 300, 300]);
    i.family_arpu_3m = vec![100, 50];
    i.referrals = 2;
    let s = summarize(i, today());
    assert_eq!(s.household_arpu_fen, 450);
    assert_eq!(s.family_members, 2);
    assert_eq!(s.referrals, 2);
}
