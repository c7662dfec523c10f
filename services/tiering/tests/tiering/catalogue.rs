//! ListBenefits and UpsertBenefit: the seeded catalogue of DOMAIN.md, new and replaced
//! benefits, and invalid ones refused with the field named.

use std::collections::BTreeMap;

use vipcare_proto::tiering::v1 as pb;

use crate::harness::*;

async fn catalogue(suite: &mut Suite, tier: &str) -> Vec<pb::Benefit> {
    let request = pb::ListBenefitsRequest { tier: tier.into() };
    suite
        .tiering
        .list_benefits(request)
        .await
        .unwrap()
        .into_inner()
        .benefits
}

fn spa(name: &str) -> pb::Benefit {
    pb::Benefit {
        code: "spa_day".into(),
        name: name.into(),
        description: "A day at a partner spa.".into(),
        eligible_tiers: vec!["PLATINUM".into(), "DIAMOND".into()],
        cycle: pb::QuotaCycle::Year as i32,
        quota_per_tier: BTreeMap::from([("DIAMOND".into(), 1)])
            .into_iter()
            .collect(),
        partner_ids: Vec::new(),
        active: true,
    }
}

#[tokio::test]
async fn the_catalogue_is_seeded_and_can_be_extended() {
    for mut suite in suites().await {
        let label = suite.label;
        let all = catalogue(&mut suite, "").await;
        assert_eq!(all.len(), 9, "[{label}]");
        let lounge = all.iter().find(|b| b.code == "airport_lounge").unwrap();
        let quotas: BTreeMap<_, _> = lounge.quota_per_tier.clone().into_iter().collect();
        let expected = [("DIAMOND", 8), ("GOLD", 2), ("PLATINUM", 4)];
        assert_eq!(
            quotas,
            expected.map(|(t, n)| (t.to_owned(), n)).into(),
            "[{label}]"
        );
        assert_eq!(lounge.cycle, pb::QuotaCycle::Year as i32, "[{label}]");
        assert_eq!(lounge.partner_ids, ["airport-lounges"], "[{label}]");
        let silver: Vec<_> = catalogue(&mut suite, "SILVER")
            .await
            .into_iter()
            .map(|b| b.code)
            .collect();
        assert_eq!(
            silver,
            ["birthday_care", "merchant_discount", "priority_hotline"]
        );

        let created = suite
            .tiering
            .upsert_benefit(pb::UpsertBenefitRequest {
                benefit: Some(spa("Spa day")),
            })
            .await
            .unwrap()
            .into_inner();
        assert!(created.created, "[{label}]");
        let replaced = suite
            .tiering
            .upsert_benefit(pb::UpsertBenefitRequest {
                benefit: Some(spa("Spa weekend")),
            })
            .await
            .unwrap()
            .into_inner();
        assert!(!replaced.created, "[{label}]");
        let all = catalogue(&mut suite, "").await;
        assert_eq!(all.len(), 10, "[{label}]");
        let stored = all.iter().find(|b| b.code == "spa_day").unwrap();
        assert_eq!(stored.name, "Spa weekend", "[{label}]");

        type Breakage = fn(&mut pb::Benefit);
        let cases: [(&str, Breakage); 6] = [
            ("benefit.code", |b| b.code = "Spa Day".into()),
            // Tiers the policy in force lacks: the benefit would be offered to nobody.
            ("benefit.eligible_tiers[2]", |b| {
                b.eligible_tiers.push("GOLD_PLUS".into());
            }),
            ("benefit.quota_per_tier[RUBY]", |b| {
                b.quota_per_tier.insert("RUBY".into(), 1);
            }),
            ("benefit.quota_per_tier[SILVER]", |b| {
                b.quota_per_tier.insert("SILVER".into(), 1);
            }),
            ("benefit.cycle", |b| {
                b.cycle = pb::QuotaCycle::Unspecified as i32
            }),
            ("benefit.name", |b| b.name = " ".into()),
        ];
        for (field, breakage) in cases {
            let mut benefit = spa("Broken");
            breakage(&mut benefit);
            let result = suite
                .tiering
                .upsert_benefit(pb::UpsertBenefitRequest {
                    benefit: Some(benefit),
                })
                .await;
            assert_invalid(label, result, field);
        }
        let all = catalogue(&mut suite, "").await;
        assert_eq!(all.len(), 10, "[{label}]");
        assert_eq!(
            all.iter().find(|b| b.code == "spa_day").unwrap().name,
            "Spa weekend"
        );
    }
}
