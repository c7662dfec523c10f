//! The compensation ledger: what the customer is given for a complaint ("appropriate
//! compensation", DOMAIN.md section 4) — a bill credit, points, a voucher or a gift, valued in
//! fen. An entry is proposed, then approved or rejected by someone else (four eyes: no one grants
//! money on their own word). Small amounts, up to the customer's tier limit, are approved at
//! proposal, so the person at the counter can make good at once where it matters most.
//!
//! Entries are never edited or deleted; a wrong one is rejected and a right one proposed.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use vipcare_domain::{Invalid, Violation, coded_enum, tier_code};

use super::text::{MAX_REASON_CHARS, party_id, required_line};

/// The largest single entry, in fen (5,000 yuan): beyond it a goodwill gesture has become a
/// settlement, which goes through the operator's claims process, not this ledger.
pub const MAX_AMOUNT_FEN: i64 = 500_000;

coded_enum! {
    /// What the customer is given.
    CompensationKind {
        BillCredit = "BILL_CREDIT",
        Points = "POINTS",
        Voucher = "VOUCHER",
        Gift = "GIFT",
    }
}

coded_enum! {
    /// Where a ledger entry is.
    CompensationState {
        Proposed = "PROPOSED",
        Approved = "APPROVED",
        Rejected = "REJECTED",
    }
}

/// The most that is approved at proposal, per customer tier, in fen. A tier not listed gets
/// the default, the STANDARD limit: an unknown tier is not a reason to grant more.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompensationLimits {
    default: i64,
    per_tier: BTreeMap<String, i64>,
}

impl Default for CompensationLimits {
    /// DIAMOND 200 yuan, PLATINUM 100, GOLD 50, SILVER 30, STANDARD (and any other) 20.
    fn default() -> CompensationLimits {
        let per_tier = [
            ("DIAMOND", 20_000),
            ("PLATINUM", 10_000),
            ("GOLD", 5_000),
            ("SILVER", 3_000),
            ("STANDARD", 2_000),
        ];
        CompensationLimits {
            default: 2_000,
            per_tier: per_tier.map(|(t, l)| (t.to_owned(), l)).into(),
        }
    }
}

/// Zero is allowed: nothing approved at proposal.
fn limit(fen: i64) -> Result<i64, Invalid> {
    if (0..=MAX_AMOUNT_FEN).contains(&fen) {
        Ok(fen)
    } else {
        Err(Invalid::new(format!("must be 0 to {MAX_AMOUNT_FEN} fen")))
    }
}

impl CompensationLimits {
    /// No tier listed, `default` for all. Violations name `default`.
    pub fn new(default: i64) -> Result<CompensationLimits, Violation> {
        Ok(CompensationLimits {
            default: limit(default).map_err(|e| e.at("default"))?,
            per_tier: BTreeMap::new(),
        })
    }

    /// The same tiers, `default` for all others. Violations name `default`.
    pub fn with_default(mut self, default: i64) -> Result<CompensationLimits, Violation> {
        self.default = limit(default).map_err(|e| e.at("default"))?;
        Ok(self)
    }

    /// Violations name `per_tier.<tier>`.
    pub fn with_tier(mut self, tier: &str, fen: i64) -> Result<CompensationLimits, Violation> {
        let field = format!("per_tier.{tier}");
        let tier = tier_code(tier).map_err(|e| e.at(field.clone()))?.to_owned();
        self.per_tier
            .insert(tier, limit(fen).map_err(|e| e.at(field))?);
        Ok(self)
    }

    pub fn limit_for(&self, tier: &str) -> i64 {
        self.per_tier.get(tier).copied().unwrap_or(self.default)
    }
}

/// A proposal as it came, before it is checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProposedCompensation {
    pub kind: CompensationKind,
    /// What it is worth, in fen, whatever its kind: points and gifts at their value.
    pub amount_fen: i64,
    pub reason: String,
    pub proposed_by: String,
}

/// One ledger entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compensation {
    pub id: String,
    pub kind: CompensationKind,
    pub amount_fen: i64,
    pub reason: String,
    pub proposed_by: String,
    pub proposed_at: DateTime<Utc>,
    pub state: CompensationState,
    /// Who approved or rejected it; `None` while proposed, and when approved at proposal.
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
}

/// Why an approval or rejection was refused. Nothing changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecisionRefusal {
    /// Decided already (FAILED_PRECONDITION): a decision is final.
    #[error("the compensation is {} already", state.code())]
    Decided { state: CompensationState },
    #[error(transparent)]
    Invalid(#[from] Violation),
}

impl Compensation {
    /// A new entry for a customer of `tier`: APPROVED at once when at most the tier's limit,
    /// PROPOSED otherwise. Violations name `amount_fen`, `reason` or `proposed_by`.
    pub fn propose(
        id: String,
        values: ProposedCompensation,
        tier: &str,
        limits: &CompensationLimits,
        now: DateTime<Utc>,
    ) -> Result<Compensation, Violation> {
        let ProposedCompensation {
            kind,
            amount_fen,
            reason,
            proposed_by,
        } = values;
        if !(1..=MAX_AMOUNT_FEN).contains(&amount_fen) {
            let refused = Invalid::new(format!("must be 1 to {MAX_AMOUNT_FEN} fen"));
            return Err(refused.at("amount_fen"));
        }
        let reason = required_line(&reason, MAX_REASON_CHARS).map_err(|e| e.at("reason"))?;
        let proposed_by = party_id(&proposed_by).map_err(|e| e.at("proposed_by"))?;
        let automatic = amount_fen <= limits.limit_for(tier);
        Ok(Compensation {
            id,
            kind,
            amount_fen,
            reason,
            proposed_by,
            proposed_at: now,
            state: if automatic {
                CompensationState::Approved
            } else {
                CompensationState::Proposed
            },
            decided_by: None,
            decided_at: automatic.then_some(now),
        })
    }

    /// Approved at proposal, within the tier's limit.
    pub fn is_auto_approved(&self) -> bool {
        self.state == CompensationState::Approved && self.decided_by.is_none()
    }

    /// Approves a proposed entry. The proposer may not approve their own: a Violation on
    /// `approved_by`, so the caller names someone else.
    pub fn approve(&mut self, by: &str, now: DateTime<Utc>) -> Result<(), DecisionRefusal> {
        self.still_proposed()?;
        let by = party_id(by).map_err(|e| e.at("approved_by"))?;
        if by == self.proposed_by {
            let refused = Invalid::new("must not be the proposer (four eyes)");
            return Err(refused.at("approved_by").into());
        }
        self.decide(CompensationState::Approved, by, now);
        Ok(())
    }

    /// Rejects a proposed entry. The proposer may: withdrawing a proposal grants nothing.
    pub fn reject(&mut self, by: &str, now: DateTime<Utc>) -> Result<(), DecisionRefusal> {
        self.still_proposed()?;
        let by = party_id(by).map_err(|e| e.at("rejected_by"))?;
        self.decide(CompensationState::Rejected, by, now);
        Ok(())
    }

    fn still_proposed(&self) -> Result<(), DecisionRefusal> {
        match self.state {
            CompensationState::Proposed => Ok(()),
            state => Err(DecisionRefusal::Decided { state }),
        }
    }

    fn decide(&mut self, state: CompensationState, by: String, now: DateTime<Utc>) {
        self.state = state;
        self.decided_by = Some(by);
        self.decided_at = Some(now);
    }
}

/// What was granted, per kind, in fen: approved entries only (proposed ones may still be
/// rejected). Kinds with nothing granted are left out.
pub fn granted_per_kind(entries: &[Compensation]) -> BTreeMap<CompensationKind, i64> {
    let mut totals = BTreeMap::new();
    for e in entries {
        if e.state == CompensationState::Approved {
            let total: &mut i64 = totals.entry(e.kind).or_default();
            *total = total.saturating_add(e.amount_fen);
        }
    }
    totals
}

#[cfg(test)]
#[path = "compensation_tests.rs"]
mod tests;
