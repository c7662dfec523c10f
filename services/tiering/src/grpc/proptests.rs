//! Property tests: the tiering service's request checks and contract conversions, fed arbitrary
//! field values (any unicode, NaN and infinite weights, huge and negative numbers, times far
//! outside protobuf's range, unknown enum numbers), accept or refuse; every refusal becomes a
//! status the client can act on, and none of them panics.
//!
//! Each field mixes near-valid samples with arbitrary values, so the checks behind the first
//! field are reached too.

use proptest::prelude::*;
use proptest::sample::select;
use prost_types::Timestamp;
use tonic::metadata::MetadataMap;
use tonic::{Code, Status};
use tonic_types::StatusExt;
use vipcare_proto::tiering::v1 as pb;
use vipcare_runtime::Caller;
use vipcare_testkit::inputs::text;

use super::convert::{
    benefit_from_proto, paging, policy_from_proto, policy_to_proto, time_from_proto,
};
use super::request::Calling;
use crate::domain::{
    CustomerRef, Period, TierPolicy, Violation, benefit_code, bounded, customer_id,
    evaluable_period, mobile_number, tier_code,
};
use crate::error::Error;

fn number() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => 0.0..1000.0_f64,
        1 => any::<f64>(),
        1 => select(vec![f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -0.0, -1.0, f64::MAX]),
    ]
}

fn count() -> impl Strategy<Value = i32> {
    prop_oneof![4 => 0..100_i32, 1 => any::<i32>()]
}

fn fen() -> impl Strategy<Value = i64> {
    prop_oneof![4 => 0..100_000_000_i64, 1 => any::<i64>()]
}

fn tier() -> impl Strategy<Value = pb::Tier> {
    let code = text(&["STANDARD", "SILVER", "GOLD", "gold", ""]);
    let name = text(&["金卡", "Gold", ""]);
    (code, name, number(), count()).prop_map(|(code, display_name, min_score, priority)| pb::Tier {
        code,
        display_name,
        min_score,
        routing_priority: priority,
    })
}

/// A policy message: the default policy's with arbitrary parts put in.
fn policy() -> impl Strategy<Value = pb::TierPolicy> {
    let tiers = proptest::option::of(proptest::collection::vec(tier(), 0..7));
    let weights = proptest::option::of((number(), number(), number(), number(), number()));
    let scales = proptest::option::of((fen(), count(), fen(), count()));
    let rest = proptest::option::of((count(), number(), number(), count(), count()));
    (tiers, weights, scales, rest).prop_map(|(tiers, weights, scales, rest)| {
        let mut p = policy_to_proto(&TierPolicy::default());
        if let Some(tiers) = tiers {
            p.tiers = tiers;
        }
        if let Some((contribution, tenure, loyalty, influence, satisfaction)) = weights {
            p.weights = Some(pb::ComponentWeights {
                contribution,
                tenure,
                loyalty,
                influence,
                satisfaction,
            });
        }
        if let Some((full_arpu, full_months, household, referrals)) = scales {
            p.scales = Some(pb::ScoreScales {
                contribution_full_arpu_fen: full_arpu,
                tenure_full_months: full_months,
                household_full_arpu_fen: household,
                referrals_full: referrals,
            });
        }
        if let Some((downgrade_after, margin, threshold, short_months, bonus)) = rest {
            p.downgrade_after_periods = downgrade_after;
            p.downgrade_margin = margin;
            if let Some(churn) = p.churn.as_mut() {
                churn.threshold = threshold;
                churn.short_tenure_months = short_months;
            }
            p.key_person_priority_bonus = bonus;
        }
        p
    })
}

fn benefit() -> impl Strategy<Value = pb::Benefit> {
    let tiers = proptest::collection::vec(text(&["GOLD", "PLATINUM", "NOPE", ""]), 0..4);
    let quotas = proptest::collection::btree_map(text(&["GOLD", "x"]), any::<i32>(), 0..3);
    let partners = proptest::collection::vec(text(&["airport-lounges", ""]), 0..3);
    let words = (
        text(&["airport_lounge", "Lounge", ""]),
        text(&["机场贵宾厅", ""]),
        text(&["", "d"]),
    );
    let cycle = prop_oneof![0..4_i32, any::<i32>()];
    (words, tiers, quotas, partners, cycle, any::<bool>()).prop_map(
        |(
            (code, name, description),
            eligible_tiers,
            quota_per_tier,
            partner_ids,
            cycle,
            active,
        )| {
            pb::Benefit {
                code,
                name,
                description,
                eligible_tiers,
                cycle,
                quota_per_tier,
                partner_ids,
                active,
            }
        },
    )
}

/// A refusal as the client receives it: INVALID_ARGUMENT with every violation, by field, in
/// its BadRequest details.
fn assert_refused(violations: Vec<Violation>) {
    let fields: Vec<String> = violations.iter().map(|v| v.field.clone()).collect();
    assert!(fields.iter().all(|f| !f.is_empty()), "{fields:?}");
    let status = Status::from(Error::Invalid(violations));
    assert_eq!(status.code(), Code::InvalidArgument);
    let details = status
        .get_details_bad_request()
        .expect("BadRequest details");
    let named: Vec<String> = details
        .field_violations
        .into_iter()
        .map(|v| v.field)
        .collect();
    assert_eq!(named, fields);
}

fn check<T>(result: Result<T, Violation>) {
    if let Err(violation) = result {
        assert_refused(vec![violation]);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn a_policy_is_valid_or_refused_by_field(message in policy(), score in any::<f64>()) {
        let policy = policy_from_proto(&message);
        match policy.validate() {
            Err(violations) => {
                prop_assert!(!violations.is_empty());
                assert_refused(violations);
            }
            Ok(()) => {
                // A valid policy places any score, and names a priority for any of its tiers.
                let index = policy.index_for_score(score);
                prop_assert!(index < policy.tiers.len());
                let code = policy.tiers[index].code.clone();
                let _ = crate::domain::routing_priority(&policy, &code, true);
            }
        }
    }

    #[test]
    fn a_benefit_is_valid_or_refused_by_field(message in benefit()) {
        match benefit_from_proto(&message) {
            // Only the cycle is refused here; the rest is the domain's to check.
            Err(refused) => {
                prop_assert!(message.cycle < 1 || message.cycle > 2);
                assert_refused(vec![refused.under("benefit")]);
            }
            Ok(benefit) => {
                if let Err(violations) = benefit.validate(&TierPolicy::default()) {
                    assert_refused(violations);
                }
            }
        }
    }

    #[test]
    fn a_time_is_in_protobuf_range_or_refused(
        seconds in prop_oneof![any::<i64>(), -62_135_596_900..253_402_300_900_i64],
        nanos in prop_oneof![any::<i32>(), 0..1_000_000_000_i32],
    ) {
        match time_from_proto(&Timestamp { seconds, nanos }) {
            Ok(time) => prop_assert!(vipcare_domain::time::fits_timestamp(time)),
            Err(refused) => assert_refused(vec![refused.at("expire_time")]),
        }
    }

    #[test]
    fn request_fields_are_accepted_or_refused_by_field(
        id in text(&["0190a0c4-7b7e-7cc3-9a5e-3f2b1c4d5e6f", "", "a b"]),
        msisdn in text(&["13800138000", "12800138000", ""]),
        period in text(&["2024-05", "2025-02", "1899-12", "2024-13"]),
        which in any::<(bool, bool)>(),
        page_size in any::<i32>(),
        code in text(&["GOLD", "airport_lounge", ""]),
    ) {
        check(customer_id(&id).map(drop).map_err(|e| e.at("customer_id")));
        check(mobile_number(&msisdn).map_err(|e| e.at("msisdn")));
        let (by_id, by_number) = which;
        let refs = (by_id.then_some(id.as_str()), by_number.then_some(msisdn.as_str()));
        check(CustomerRef::parse(refs.0, refs.1).map(drop));
        let current = Period::parse("2025-01").map_err(|e| e.at("period"));
        prop_assert!(current.is_ok());
        if let Ok(current) = current {
            check(evaluable_period(&period, current).map_err(|e| e.at("period")));
        }
        check(paging(page_size, &id));
        check(tier_code(&code).map(drop).map_err(|e| e.at("tier")));
        check(benefit_code(&code).map(drop).map_err(|e| e.at("benefit_code")));
        check(bounded(&code, 32).map_err(|e| e.at("reason")));
    }

    #[test]
    fn a_partner_names_itself_or_is_refused(
        channel in select(vec!["partner", "hall", ""]),
        client in text(&["airport-lounges", ""]),
        partner_id in text(&["airport-lounges", "other", ""]),
    ) {
        let mut metadata = MetadataMap::new();
        Caller::new(&client, channel, &["benefit:verify"]).write_to(&mut metadata);
        let calling = Calling::from(&metadata);
        match calling.partner(&partner_id) {
            Ok(partner) => prop_assert!(partner.is_none_or(|p| p.len() <= 64 || p == calling.caller.client)),
            Err(err) => {
                let status = Status::from(err);
                match status.code() {
                    Code::InvalidArgument => prop_assert!(status.get_details_bad_request().is_some()),
                    code => prop_assert_eq!(code, Code::PermissionDenied),
                }
            }
        }
    }
}
