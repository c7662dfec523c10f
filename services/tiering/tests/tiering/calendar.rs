//! Evaluations read the value summary as of the period they evaluate: the 12 calendar months
//! before it. Bills that arrive later never change an old period's answer, whether it is
//! evaluated again one customer at a time or by a run, and the score's words name the months.

use vipcare_proto::tiering::v1 as pb;

use crate::harness::*;

#[tokio::test]
async fn re_evaluating_an_old_period_after_newer_bills_gives_that_periods_tier() {
    for mut suite in suites().await {
        let label = suite.label;
        // ¥250 a month through 2025: PLATINUM as of 2026-01.
        let id = suite.create(Person::veteran()).await.customer_id;
        suite.spend(&id, &months("2025-01", 12), 25_000).await;
        let january = suite.evaluate(&id, "2026-01").await;
        assert_eq!(
            (
                january.computed_tier.as_str(),
                january.resulting_tier.as_str()
            ),
            ("PLATINUM", "PLATINUM"),
            "[{label}] {january:?}"
        );
        let inputs = january.inputs.clone().unwrap();
        assert_eq!(
            (inputs.period.as_str(), inputs.latest_period.as_str()),
            ("2026-01", "2025-12"),
            "[{label}]"
        );
        let loyalty = &january.components[2].input;
        assert!(
            loyalty.ends_with("billed in 12 of the 12 calendar months 2025-01 to 2025-12"),
            "[{label}] {loyalty}"
        );

        // ¥20 a month from 2026-01 on: bills that 2026-01 must not see.
        suite.spend(&id, &months("2026-01", 6), 2_000).await;
        let again = suite.evaluate(&id, "2026-01").await;
        assert_eq!(
            (again.score, again.computed_tier.as_str()),
            (january.score, "PLATINUM"),
            "[{label}] {again:?}"
        );
        assert_eq!(again.inputs, january.inputs, "[{label}]");
        assert_eq!(suite.history(&id).await.len(), 1, "[{label}] no new change");

        // A run of the period decides alike.
        let request = pb::RunEvaluationRequest {
            period: "2026-01".into(),
            dry_run: true,
        };
        let run = suite.tiering.run_evaluation(request).await.unwrap();
        let run = suite.finished_run(&run.into_inner().run_id).await;
        assert_eq!(run.state, pb::RunState::Done as i32, "[{label}] {run:?}");
        let request = pb::ListRunDecisionsRequest {
            run_id: run.run_id.clone(),
            customer_id: id.clone(),
            page_size: 10,
            page_token: String::new(),
        };
        let decided = suite.tiering.list_run_decisions(request).await.unwrap();
        let decided = &decided.into_inner().evaluations[0];
        assert_eq!(
            (decided.score, decided.computed_tier.as_str()),
            (january.score, "PLATINUM"),
            "[{label}] {decided:?}"
        );

        // The current period sees them: five months at ¥20 of the last six.
        let june = suite.evaluate(&id, "2026-06").await;
        assert_eq!(june.computed_tier, "SILVER", "[{label}] {june:?}");
        assert_eq!(june.inputs.unwrap().arpu_6m_fen, 5_833, "[{label}]");
    }
}

#[tokio::test]
async fn months_without_a_bill_cost_loyalty_and_the_words_say_so() {
    for mut suite in suites().await {
        let label = suite.label;
        // A veteran billed ¥150 in 2025-06..09 only, silent for the eight months since.
        let silent = suite.create(Person::veteran()).await.customer_id;
        suite.spend(&silent, &months("2025-06", 4), 15_000).await;
        let e = suite.evaluate(&silent, "2026-06").await;
        let inputs = e.inputs.clone().unwrap();
        assert_eq!(
            (
                inputs.arpu_6m_fen,
                inputs.months_with_data,
                inputs.months_counted
            ),
            (0, 4, 12),
            "[{label}]"
        );
        let loyalty = &e.components[2];
        assert_eq!(loyalty.fraction, 0.7333, "[{label}] 0.6 + 0.4 × 4/12");
        assert_eq!(
            loyalty.input, "no arrears; billed in 4 of the 12 calendar months 2025-06 to 2026-05",
            "[{label}]"
        );

        // A newcomer billed in each of its three months: nothing before joining is unbilled.
        let mut person = Person::veteran();
        person.joined = (2026, 3, 20);
        let newcomer = suite.create(person).await.customer_id;
        suite.spend(&newcomer, &months("2026-03", 3), 15_000).await;
        let e = suite.evaluate(&newcomer, "2026-06").await;
        let loyalty = &e.components[2];
        assert_eq!(loyalty.fraction, 1.0, "[{label}]");
        assert_eq!(
            loyalty.input,
            "no arrears; billed in 3 of the 3 calendar months 2026-03 to 2026-05 (on the \
             network since 2026-03)",
            "[{label}]"
        );
        assert_eq!(e.inputs.unwrap().arpu_6m_fen, 15_000, "[{label}]");
    }
}
