use super::*;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn period(text: &str) -> Period {
    Period::parse(text).unwrap()
}

/// Summaries as of 2025-01 cover 2024-01 to 2024-12.
fn as_of() -> Period {
    period("2025-01")
}

/// Bills of consecutive months, newest first, the newest being 2024-12.
fn bills(newest_first: &[i64]) -> Vec<Bill> {
    let mut month = period("2024-12");
    newest_first
        .iter()
        .map(|&spend_fen| {
            let bill = Bill {
                period: month,
                spend_fen,
            };
            month = month.previous();
            bill
        })
        .collect()
}

/// A customer on the network since 2020 with these bills.
fn input(bills: Vec<Bill>) -> SummaryInput {
    SummaryInput {
        customer_id: CustomerId::generate(),
        network_joined_on: Some(date(2020, 3, 15)),
        status: CustomerStatus::Active,
        plan_code: "P188".into(),
        group_key_person: false,
        bills,
        family_arpu_3m: vec![],
        referrals: 0,
    }
}

fn summary(newest_first: &[i64]) -> ValueSummary {
    summarize(input(bills(newest_first)), as_of())
}

#[test]
fn the_window_is_the_twelve_months_before_the_period() {
    let (first, last) = window(period("2025-01"));
    assert_eq!(
        (first.to_string(), last.to_string()),
        ("2024-01".into(), "2024-12".into())
    );
    let (first, last) = window(period("2024-12"));
    assert_eq!(
        (first.to_string(), last.to_string()),
        ("2023-12".into(), "2024-11".into())
    );
}

#[test]
fn arpu_averages_the_calendar_months_of_the_window() {
    let spends = [300, 200, 100, 60, 60, 60, 10, 10, 10, 10, 10, 10, 9999];
    let s = summary(&spends);
    assert_eq!(s.arpu_3m_fen, 200);
    assert_eq!(s.arpu_6m_fen, 130);
    // (300+200+100+60*3+10*6) / 12 = 840 / 12; the 13th month (2023-12) is before the window.
    assert_eq!(s.arpu_12m_fen, 70);
    assert_eq!((s.months_with_data, s.months_counted), (12, 12));
    assert_eq!(s.latest_period.unwrap().to_string(), "2024-12");
    assert_eq!(s.period, as_of());
}

#[test]
fn averages_round_to_the_nearest_fen() {
    assert_eq!(summary(&[100, 100, 101]).arpu_3m_fen, 100);
    assert_eq!(summary(&[100, 101, 101]).arpu_3m_fen, 101);
    assert_eq!(summary(&[]).arpu_3m_fen, 0);
}

#[test]
fn a_month_without_a_bill_counts_as_zero_and_not_billed() {
    let mut bills = bills(&[300, 300, 300]);
    bills.remove(1); // 2024-11 never billed
    let s = summarize(input(bills), as_of());
    assert_eq!(s.arpu_3m_fen, 200, "(300 + 0 + 300) / 3");
    assert_eq!((s.months_with_data, s.months_counted), (2, 12));
    assert_eq!(s.arpu_12m_fen, 50, "600 over twelve months");
}

#[test]
fn a_customer_silent_for_eight_months_loses_arpu_and_billed_months() {
    // Billed ¥300 in 2024-01..04, nothing since.
    let mut spends = vec![0; 8];
    spends.extend([30_000; 4]);
    let billed: Vec<Bill> = bills(&spends)
        .into_iter()
        .filter(|b| b.spend_fen > 0)
        .collect();
    let s = summarize(input(billed), as_of());
    assert_eq!((s.arpu_3m_fen, s.arpu_6m_fen), (0, 0));
    assert_eq!(s.arpu_12m_fen, 10_000);
    assert_eq!((s.months_with_data, s.months_counted), (4, 12));
    assert_eq!(s.latest_period.unwrap().to_string(), "2024-04");
    assert_eq!(s.spend_trend, SpendTrend::Stable, "nothing against nothing");
}

#[test]
fn bills_that_stop_show_a_decline() {
    // Billed every month to 2024-10, then nothing.
    let s = summarize(input(bills(&[100; 12])[2..].to_vec()), as_of());
    assert_eq!(s.spend_trend, SpendTrend::Declining);
    assert_eq!(s.spend_change_percent, -66.67);
    assert_eq!((s.arpu_3m_fen, s.previous_arpu_3m_fen), (33, 100));
}

#[test]
fn bills_of_the_period_and_later_are_ignored() {
    let mut all = bills(&[100; 12]);
    for late in ["2025-01", "2025-02"] {
        all.push(Bill {
            period: period(late),
            spend_fen: 99_999,
        });
    }
    let s = summarize(input(all.clone()), as_of());
    assert_eq!((s.arpu_3m_fen, s.months_with_data), (100, 12));
    assert_eq!(s.latest_period.unwrap().to_string(), "2024-12");
    // As of an earlier period the later months are out of the window too.
    let s = summarize(input(all), period("2024-07"));
    assert_eq!(
        (s.arpu_12m_fen, s.months_counted),
        (50, 12),
        "six months billed"
    );
    assert_eq!(s.latest_period.unwrap().to_string(), "2024-06");
}

#[test]
fn months_before_joining_count_neither_as_zero_nor_as_not_billed() {
    let mut i = input(bills(&[300, 300, 300]));
    i.network_joined_on = Some(date(2024, 10, 20));
    let s = summarize(i.clone(), as_of());
    assert_eq!((s.months_with_data, s.months_counted), (3, 3));
    assert_eq!((s.arpu_3m_fen, s.arpu_12m_fen), (300, 300));
    assert_eq!(s.spend_trend, SpendTrend::Stable, "one month against one");

    // A bill before the recorded join date shows the line was there: it counts.
    i.network_joined_on = Some(date(2024, 12, 1));
    let s = summarize(i.clone(), as_of());
    assert_eq!((s.months_with_data, s.months_counted), (3, 3));

    // Joined during the period (or later): nothing counted yet.
    i.bills.clear();
    i.network_joined_on = Some(date(2025, 1, 5));
    let s = summarize(i.clone(), as_of());
    assert_eq!((s.months_counted, s.arpu_3m_fen), (0, 0));
    assert_eq!(s.spend_trend, SpendTrend::InsufficientData);

    // An unknown join date counts the whole window.
    i.network_joined_on = None;
    assert_eq!(summarize(i, as_of()).months_counted, 12);
}

#[test]
fn rising_declining_and_stable() {
    let s = summary(&[120, 120, 120, 100, 100, 100]);
    assert_eq!(s.spend_trend, SpendTrend::Rising);
    assert_eq!(s.spend_change_percent, 20.0);
    assert_eq!(s.previous_arpu_3m_fen, 100);

    let s = summary(&[80, 80, 80, 100, 100, 100]);
    assert_eq!(s.spend_trend, SpendTrend::Declining);
    assert_eq!(s.spend_change_percent, -20.0);

    let s = summary(&[110, 110, 110, 100, 100, 100]);
    assert_eq!(
        s.spend_trend,
        SpendTrend::Stable,
        "exactly +10% is still stable"
    );
}

#[test]
fn short_tenures_compare_fewer_months() {
    // Four months on the network: k = 2, the last two against the two before.
    let mut i = input(bills(&[150, 150, 100, 100]));
    i.network_joined_on = Some(date(2024, 9, 1));
    let s = summarize(i.clone(), as_of());
    assert_eq!(s.spend_trend, SpendTrend::Rising);
    assert_eq!(s.spend_change_percent, 50.0);
    assert_eq!(s.previous_arpu_3m_fen, 100);
    // Three months: k = 1, the newest against the one before; the third is unused.
    i.bills = bills(&[50, 100, 1000]);
    i.network_joined_on = Some(date(2024, 10, 1));
    let s = summarize(i, as_of());
    assert_eq!(s.spend_trend, SpendTrend::Declining);
    assert_eq!(s.spend_change_percent, -50.0);
}

#[test]
fn one_month_counted_or_none_is_insufficient() {
    let mut i = input(bills(&[500]));
    for joined in [date(2024, 12, 3), date(2025, 1, 3)] {
        i.network_joined_on = Some(joined);
        let s = summarize(i.clone(), as_of());
        assert_eq!(s.spend_trend, SpendTrend::InsufficientData);
        assert_eq!(s.spend_change_percent, 0.0);
        assert_eq!(s.previous_arpu_3m_fen, 0);
    }
    let s = summarize(input(vec![]), as_of());
    assert_eq!(
        (s.arpu_3m_fen, s.months_with_data, s.latest_period),
        (0, 0, None)
    );
}

#[test]
fn spend_from_zero_is_rising() {
    let s = summary(&[100, 0]);
    assert_eq!(
        (s.spend_trend, s.spend_change_percent),
        (SpendTrend::Rising, 100.0)
    );
    let s = summary(&[0, 0]);
    assert_eq!(
        (s.spend_trend, s.spend_change_percent),
        (SpendTrend::Stable, 0.0)
    );
}

#[test]
fn tenure_counts_whole_months_to_the_first_day_of_the_period() {
    let mut i = input(vec![]);
    i.network_joined_on = Some(date(2020, 3, 15));
    assert_eq!(summarize(i.clone(), period("2025-01")).tenure_months, 57);
    assert_eq!(summarize(i.clone(), period("2025-04")).tenure_months, 60);
    i.network_joined_on = Some(date(2020, 3, 1));
    assert_eq!(summarize(i.clone(), period("2025-01")).tenure_months, 58);
    i.network_joined_on = Some(date(2025, 2, 1));
    assert_eq!(summarize(i.clone(), period("2025-01")).tenure_months, 0);
    i.network_joined_on = None;
    assert_eq!(summarize(i, period("2025-01")).tenure_months, 0);
}

#[test]
fn household_adds_family_members_arpu() {
    let mut i = input(bills(&[300, 300, 300]));
    i.family_arpu_3m = vec![100, 50];
    i.referrals = 2;
    let s = summarize(i, as_of());
    assert_eq!(s.household_arpu_fen, 450);
    assert_eq!(s.family_members, 2);
    assert_eq!(s.referrals, 2);
}

#[test]
fn a_family_member_counts_with_the_same_rule() {
    // Joined in the window's second-to-last month: averaged over its last two.
    let joined = Some(date(2024, 11, 2));
    let member = MonthlySpend::new(as_of(), joined, &bills(&[600, 300]));
    assert_eq!(member.arpu_3m(), 450);
    let member = MonthlySpend::new(as_of(), joined, &bills(&[600]));
    assert_eq!(member.arpu_3m(), 300, "(600 + 0) / 2");
    let member = MonthlySpend::new(as_of(), joined, &bills(&[600, 300, 900]));
    assert_eq!(member.arpu_3m(), 600, "a bill before joining counts");
}
