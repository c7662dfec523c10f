//! The profile service's `ValueSummary` in tiering's domain terms, and back: an evaluation
//! shows the summary it was decided from as the profile sent it.

use vipcare_proto::profile::v1 as profile;

use crate::domain::{LineStatus, Period, SpendTrend, ValueSummary};

pub fn summary_from_proto(summary: profile::ValueSummary) -> ValueSummary {
    let profile::ValueSummary {
        customer_id,
        arpu_3m_fen,
        arpu_6m_fen,
        arpu_12m_fen,
        months_with_data,
        tenure_months,
        spend_trend,
        spend_change_percent,
        household_arpu_fen,
        family_members,
        referrals,
        group_key_person,
        status,
        latest_period,
        previous_arpu_3m_fen,
        plan_code,
        period,
        months_counted,
    } = summary;
    ValueSummary {
        customer_id,
        arpu_3m_fen,
        arpu_6m_fen,
        arpu_12m_fen,
        months_with_data,
        tenure_months,
        spend_trend: trend_from_proto(spend_trend),
        spend_change_percent,
        household_arpu_fen,
        family_members,
        referrals,
        group_key_person,
        status: status_from_proto(status),
        latest_period: Period::parse(&latest_period).ok(),
        previous_arpu_3m_fen,
        plan_code,
        period: Period::parse(&period).ok(),
        months_counted,
    }
}

pub fn summary_to_proto(summary: &ValueSummary) -> profile::ValueSummary {
    let ValueSummary {
        customer_id,
        arpu_3m_fen,
        arpu_6m_fen,
        arpu_12m_fen,
        months_with_data,
        tenure_months,
        spend_trend,
        spend_change_percent,
        household_arpu_fen,
        family_members,
        referrals,
        group_key_person,
        status,
        latest_period,
        previous_arpu_3m_fen,
        plan_code,
        period,
        months_counted,
    } = summary;
    let text = |p: &Option<Period>| p.map(|p| p.to_string()).unwrap_or_default();
    profile::ValueSummary {
        customer_id: customer_id.clone(),
        arpu_3m_fen: *arpu_3m_fen,
        arpu_6m_fen: *arpu_6m_fen,
        arpu_12m_fen: *arpu_12m_fen,
        months_with_data: *months_with_data,
        tenure_months: *tenure_months,
        spend_trend: trend_to_proto(*spend_trend) as i32,
        spend_change_percent: *spend_change_percent,
        household_arpu_fen: *household_arpu_fen,
        family_members: *family_members,
        referrals: *referrals,
        group_key_person: *group_key_person,
        status: status_to_proto(*status) as i32,
        latest_period: text(latest_period),
        previous_arpu_3m_fen: *previous_arpu_3m_fen,
        plan_code: plan_code.clone(),
        period: text(period),
        months_counted: *months_counted,
    }
}

/// A line status as the profile reports it; a value this version does not know is UNKNOWN.
pub fn status_from_proto(status: i32) -> LineStatus {
    match profile::CustomerStatus::try_from(status) {
        Ok(profile::CustomerStatus::Active) => LineStatus::Active,
        Ok(profile::CustomerStatus::Suspended) => LineStatus::Suspended,
        Ok(profile::CustomerStatus::Closed) => LineStatus::Closed,
        Ok(profile::CustomerStatus::Unspecified) | Err(_) => LineStatus::Unknown,
    }
}

fn status_to_proto(status: LineStatus) -> profile::CustomerStatus {
    match status {
        LineStatus::Active => profile::CustomerStatus::Active,
        LineStatus::Suspended => profile::CustomerStatus::Suspended,
        LineStatus::Closed => profile::CustomerStatus::Closed,
        LineStatus::Unknown => profile::CustomerStatus::Unspecified,
    }
}

fn trend_from_proto(trend: i32) -> SpendTrend {
    match profile::SpendTrend::try_from(trend) {
        Ok(profile::SpendTrend::InsufficientData) => SpendTrend::InsufficientData,
        Ok(profile::SpendTrend::Rising) => SpendTrend::Rising,
        Ok(profile::SpendTrend::Stable) => SpendTrend::Stable,
        Ok(profile::SpendTrend::Declining) => SpendTrend::Declining,
        Ok(profile::SpendTrend::Unspecified) | Err(_) => SpendTrend::Unknown,
    }
}

fn trend_to_proto(trend: SpendTrend) -> profile::SpendTrend {
    match trend {
        SpendTrend::InsufficientData => profile::SpendTrend::InsufficientData,
        SpendTrend::Rising => profile::SpendTrend::Rising,
        SpendTrend::Stable => profile::SpendTrend::Stable,
        SpendTrend::Declining => profile::SpendTrend::Declining,
        SpendTrend::Unknown => profile::SpendTrend::Unspecified,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_summary_is_shown_as_the_profile_sent_it() {
        let sent = profile::ValueSummary {
            customer_id: "c-1".into(),
            arpu_3m_fen: 12_000,
            arpu_6m_fen: 15_800,
            arpu_12m_fen: 14_000,
            months_with_data: 11,
            tenure_months: 40,
            spend_trend: profile::SpendTrend::Declining as i32,
            spend_change_percent: -21.5,
            household_arpu_fen: 30_000,
            family_members: 2,
            referrals: 1,
            group_key_person: true,
            status: profile::CustomerStatus::Suspended as i32,
            latest_period: "2026-05".into(),
            previous_arpu_3m_fen: 15_300,
            plan_code: "5G-199".into(),
            period: "2026-06".into(),
            months_counted: 12,
        };
        let summary = summary_from_proto(sent.clone());
        assert_eq!(summary.status, LineStatus::Suspended);
        assert_eq!(summary_to_proto(&summary), sent);
        let old = profile::ValueSummary::default();
        assert_eq!(summary_to_proto(&summary_from_proto(old.clone())), old);
    }
}
