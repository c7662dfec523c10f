use super::*;

fn t(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn values(kind: CompensationKind, amount_fen: i64) -> ProposedCompensation {
    ProposedCompensation {
        kind,
        amount_fen,
        reason: "double charge for the roaming pack".into(),
        proposed_by: "staff-li".into(),
    }
}

fn propose(kind: CompensationKind, amount_fen: i64, tier: &str) -> Compensation {
    let now = t("2024-06-05T02:00:00Z");
    let limits = CompensationLimits::default();
    Compensation::propose("cm-1".into(), values(kind, amount_fen), tier, &limits, now).unwrap()
}

#[test]
fn amounts_are_positive_bounded_and_reasons_required() {
    let now = t("2024-06-05T02:00:00Z");
    let limits = CompensationLimits::default();
    let field = |values: ProposedCompensation| {
        Compensation::propose("cm-1".into(), values, "GOLD", &limits, now)
            .unwrap_err()
            .field
    };
    for amount in [0, -100, MAX_AMOUNT_FEN + 1] {
        assert_eq!(
            field(values(CompensationKind::BillCredit, amount)),
            "amount_fen"
        );
    }
    let no_reason = ProposedCompensation {
        reason: " ".into(),
        ..values(CompensationKind::Gift, 100)
    };
    assert_eq!(field(no_reason), "reason");
    assert_eq!(
        propose(CompensationKind::Gift, MAX_AMOUNT_FEN, "GOLD").amount_fen,
        MAX_AMOUNT_FEN
    );
}

#[test]
fn up_to_the_tier_limit_is_approved_at_proposal_above_it_waits() {
    let diamond = propose(CompensationKind::BillCredit, 20_000, "DIAMOND");
    assert_eq!(diamond.state, CompensationState::Approved);
    assert!(diamond.is_auto_approved());
    assert_eq!(diamond.decided_at, Some(diamond.proposed_at));
    let over = propose(CompensationKind::BillCredit, 20_001, "DIAMOND");
    assert_eq!(over.state, CompensationState::Proposed);
    // The same 50 yuan is within a GOLD limit but not a STANDARD one; an unknown tier is
    // treated as STANDARD.
    assert!(propose(CompensationKind::Voucher, 5_000, "GOLD").is_auto_approved());
    assert_eq!(
        propose(CompensationKind::Voucher, 5_000, "STANDARD").state,
        CompensationState::Proposed
    );
    assert_eq!(
        propose(CompensationKind::Voucher, 2_001, "BRONZE").state,
        CompensationState::Proposed
    );
}

#[test]
fn the_proposer_cannot_approve_their_own() {
    let mut c = propose(CompensationKind::BillCredit, 50_000, "GOLD");
    let before = c.clone();
    let now = t("2024-06-05T03:00:00Z");
    let Err(DecisionRefusal::Invalid(v)) = c.approve("staff-li", now) else {
        panic!("self-approval accepted");
    };
    assert_eq!(v.field, "approved_by");
    assert_eq!(c, before);
    c.approve("lead-zhang", now).unwrap();
    assert_eq!(c.state, CompensationState::Approved);
    assert_eq!(c.decided_by.as_deref(), Some("lead-zhang"));
    assert!(!c.is_auto_approved());
}

#[test]
fn a_decision_is_final() {
    let now = t("2024-06-05T03:00:00Z");
    let mut c = propose(CompensationKind::Points, 50_000, "GOLD");
    c.reject("staff-li", now).unwrap();
    assert_eq!(c.state, CompensationState::Rejected);
    assert_eq!(
        c.approve("lead-zhang", now),
        Err(DecisionRefusal::Decided {
            state: CompensationState::Rejected
        })
    );
    let mut auto = propose(CompensationKind::Points, 100, "GOLD");
    assert_eq!(
        auto.reject("lead-zhang", now),
        Err(DecisionRefusal::Decided {
            state: CompensationState::Approved
        })
    );
}

#[test]
fn totals_count_what_was_granted_per_kind() {
    let now = t("2024-06-05T03:00:00Z");
    let mut waiting = propose(CompensationKind::BillCredit, 30_000, "DIAMOND");
    let mut rejected = propose(CompensationKind::Gift, 30_000, "DIAMOND");
    rejected.reject("lead-zhang", now).unwrap();
    let entries = vec![
        propose(CompensationKind::BillCredit, 10_000, "DIAMOND"),
        propose(CompensationKind::BillCredit, 5_000, "DIAMOND"),
        propose(CompensationKind::Points, 2_000, "DIAMOND"),
        waiting.clone(),
        rejected,
    ];
    let totals = granted_per_kind(&entries);
    assert_eq!(
        totals.into_iter().collect::<Vec<_>>(),
        [
            (CompensationKind::BillCredit, 15_000),
            (CompensationKind::Points, 2_000)
        ]
    );
    waiting.approve("lead-zhang", now).unwrap();
    let totals = granted_per_kind(&[waiting]);
    assert_eq!(totals.get(&CompensationKind::BillCredit), Some(&30_000));
}

#[test]
fn limits_are_set_per_tier_and_checked() {
    let limits = CompensationLimits::new(0)
        .unwrap()
        .with_tier("DIAMOND", 50_000)
        .unwrap();
    assert_eq!(limits.limit_for("DIAMOND"), 50_000);
    assert_eq!(limits.limit_for("GOLD"), 0);
    assert_eq!(CompensationLimits::default().limit_for("STANDARD"), 2_000);
    assert_eq!(CompensationLimits::new(-1).unwrap_err().field, "default");
    let too_much = CompensationLimits::default().with_tier("GOLD", MAX_AMOUNT_FEN + 1);
    assert_eq!(too_much.unwrap_err().field, "per_tier.GOLD");
    let bad_tier = CompensationLimits::default().with_tier("gold", 100);
    assert_eq!(bad_tier.unwrap_err().field, "per_tier.gold");
}
