use super::*;
use crate::domain::default_catalogue;

fn lounge() -> Benefit {
    default_catalogue()
        .into_iter()
        .find(|b| b.code == "airport_lounge")
        .unwrap()
}

#[test]
fn the_default_catalogue_is_valid() {
    let catalogue = default_catalogue();
    assert_eq!(catalogue.len(), 9);
    for b in &catalogue {
        assert_eq!(b.validate(&TierPolicy::default()), Ok(()), "{}", b.code);
    }
    assert_eq!(lounge().quota_for("DIAMOND"), Quota::Limited(8));
}

#[test]
fn checks_name_the_first_refusal() {
    let b = lounge();
    let lounges = Some("airport-lounges");
    let ok = b.check("GOLD", LineStatus::Active, lounges, 1);
    assert!(ok.allowed());
    assert_eq!(ok.remaining, 1);
    let refusal = |tier, status, partner, used| b.check(tier, status, partner, used).refusal;
    assert_eq!(
        refusal("GOLD", LineStatus::Active, lounges, 2),
        Some(Refusal::QuotaExhausted)
    );
    assert_eq!(
        refusal("SILVER", LineStatus::Active, lounges, 0),
        Some(Refusal::NotEligibleTier)
    );
    assert_eq!(
        refusal("DIAMOND", LineStatus::Suspended, lounges, 0),
        Some(Refusal::CustomerSuspended)
    );
    assert_eq!(
        refusal("DIAMOND", LineStatus::Active, Some("merchants"), 0),
        Some(Refusal::PartnerNotAllowed)
    );
    // The operator's own channels need no partner.
    assert!(b.check("DIAMOND", LineStatus::Active, None, 0).allowed());
}

#[test]
fn quotas_only_for_eligible_tiers_and_positive() {
    let mut b = lounge();
    b.quota_per_tier.insert("SILVER".into(), 1);
    b.quota_per_tier.insert("GOLD".into(), 0);
    let fields: Vec<_> = b
        .validate(&TierPolicy::default())
        .unwrap_err()
        .into_iter()
        .map(|v| v.field)
        .collect();
    assert_eq!(fields, ["quota_per_tier[GOLD]", "quota_per_tier[SILVER]"]);
}

#[test]
fn tiers_must_be_tiers_of_the_policy() {
    let mut b = lounge();
    b.eligible_tiers.push("GOLD_PLUS".into());
    b.quota_per_tier.insert("GOLD_PLUS".into(), 1);
    b.quota_per_tier.insert("RUBY".into(), 1);
    let refused = b.validate(&TierPolicy::default()).unwrap_err();
    let found: Vec<_> = refused
        .iter()
        .map(|v| (v.field.as_str(), v.reason.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            ("eligible_tiers[3]", NOT_IN_POLICY),
            ("quota_per_tier[GOLD_PLUS]", NOT_IN_POLICY),
            ("quota_per_tier[RUBY]", NOT_IN_POLICY),
        ]
    );
}

#[test]
fn cycles_follow_the_shanghai_calendar() {
    let new_year_eve: DateTime<Utc> = "2026-12-31T16:30:00Z".parse().unwrap();
    assert_eq!(cycle_key(QuotaCycle::Year, new_year_eve), "2027");
    assert_eq!(cycle_key(QuotaCycle::Month, new_year_eve), "2027-01");
}
