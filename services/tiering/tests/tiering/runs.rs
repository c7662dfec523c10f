//! RunEvaluation, GetEvaluationRun and ListRunDecisions: a period's run over every customer,
//! its counts and stored decisions, one run of a period at a time, dry runs and re-runs.

use tonic::Code;
use vipcare_proto::tiering::v1 as pb;

use crate::harness::*;

/// Thirty customers: every third one's data scores GOLD, the rest STANDARD.
async fn thirty(suite: &mut Suite) -> (Vec<String>, Vec<String>) {
    let (mut gold, mut standard) = (Vec::new(), Vec::new());
    for i in 0..30 {
        if i % 3 == 0 {
            gold.push(suite.customer_scoring("GOLD").await.customer_id);
        } else {
            standard.push(suite.customer_scoring("STANDARD").await.customer_id);
        }
    }
    (gold, standard)
}

async fn start(suite: &mut Suite, dry_run: bool) -> Result<String, tonic::Status> {
    let request = pb::RunEvaluationRequest {
        period: "2026-06".into(),
        dry_run,
    };
    Ok(suite
        .tiering
        .run_evaluation(request)
        .await?
        .into_inner()
        .run_id)
}

async fn decisions(
    suite: &mut Suite,
    run_id: &str,
    customer_id: &str,
    size: i32,
) -> Vec<pb::Evaluation> {
    let mut all = Vec::new();
    let mut page_token = String::new();
    loop {
        let request = pb::ListRunDecisionsRequest {
            run_id: run_id.into(),
            customer_id: customer_id.into(),
            page_size: size,
            page_token,
        };
        let page = suite
            .tiering
            .list_run_decisions(request)
            .await
            .unwrap()
            .into_inner();
        assert!(page.evaluations.len() <= size as usize);
        all.extend(page.evaluations);
        if page.next_page_token.is_empty() {
            return all;
        }
        page_token = page.next_page_token;
    }
}

#[tokio::test]
async fn a_run_evaluates_everyone_once_and_a_rerun_changes_nothing() {
    for mut suite in suites().await {
        let label = suite.label;
        let (gold, standard) = thirty(&mut suite).await;

        // A dry run decides and stores, but moves nobody.
        let dry_id = start(&mut suite, true).await.unwrap();
        let dry = suite.finished_run(&dry_id).await;
        assert_eq!(dry.state, pb::RunState::Done as i32, "[{label}] {dry:?}");
        assert!(dry.dry_run, "[{label}]");
        assert_eq!((dry.processed, dry.upgrades), (30, 10), "[{label}]");
        assert_eq!(suite.tier_code(&gold[0]).await, "STANDARD", "[{label}]");
        assert!(suite.history(&gold[0]).await.is_empty(), "[{label}]");

        // With the profile unreachable the run waits, still RUNNING: a second start is refused.
        suite.profile_link.cut().await;
        let run_id = start(&mut suite, false).await.unwrap();
        assert_eq!(
            code(start(&mut suite, false).await),
            Code::AlreadyExists,
            "[{label}]"
        );
        let request = pb::GetEvaluationRunRequest {
            run_id: run_id.clone(),
        };
        let running = suite.tiering.get_evaluation_run(request).await.unwrap();
        let running = running.into_inner().run.unwrap();
        assert_eq!(running.state, pb::RunState::Running as i32, "[{label}]");
        suite.profile_link.restore();

        let run = suite.finished_run(&run_id).await;
        assert_eq!(run.state, pb::RunState::Done as i32, "[{label}] {run:?}");
        assert_eq!((run.processed, run.total), (30, 30), "[{label}]");
        assert_eq!(
            (run.upgrades, run.downgrades, run.errors),
            (10, 0, 0),
            "[{label}]"
        );
        assert_eq!(run.policy_version, 1, "[{label}]");
        for id in &gold {
            assert_eq!(suite.tier_code(id).await, "GOLD", "[{label}]");
        }
        let tier = suite.tier(&standard[0]).await.tier.unwrap();
        assert_eq!(
            (tier.tier.as_str(), tier.last_period.as_str()),
            ("STANDARD", "2026-06")
        );

        // Every decision, in pages, in customer order.
        let listed = decisions(&mut suite, &run_id, "", 7).await;
        let ids: Vec<_> = listed.iter().map(|e| e.customer_id.clone()).collect();
        let mut everyone: Vec<_> = gold.iter().chain(&standard).cloned().collect();
        everyone.sort();
        assert_eq!(ids, everyone, "[{label}]");
        let one = decisions(&mut suite, &run_id, &gold[1], 7).await;
        assert_eq!(one.len(), 1, "[{label}]");
        assert_eq!(
            (one[0].customer_id.as_str(), one[0].resulting_tier.as_str()),
            (gold[1].as_str(), "GOLD")
        );
        assert_eq!(one[0].decision, pb::Decision::Upgrade as i32, "[{label}]");

        // The period again: the same tiers, and no new history.
        let rerun_id = start(&mut suite, false).await.unwrap();
        assert_ne!(rerun_id, run_id, "[{label}]");
        let rerun = suite.finished_run(&rerun_id).await;
        assert_eq!(
            (rerun.state, rerun.processed),
            (pb::RunState::Done as i32, 30)
        );
        for id in &gold {
            assert_eq!(suite.tier_code(id).await, "GOLD", "[{label}]");
            assert_eq!(suite.history(id).await.len(), 1, "[{label}]");
        }
        assert!(suite.history(&standard[0]).await.is_empty(), "[{label}]");
    }
}

#[tokio::test]
async fn runs_are_checked_and_found_by_id() {
    for mut suite in suites().await {
        let label = suite.label;
        let request = pb::RunEvaluationRequest {
            period: "2026-13".into(),
            dry_run: false,
        };
        assert_invalid(label, suite.tiering.run_evaluation(request).await, "period");
        let request = pb::GetEvaluationRunRequest {
            run_id: uuid::Uuid::now_v7().to_string(),
        };
        let result = suite.tiering.get_evaluation_run(request).await;
        assert_eq!(code(result), Code::NotFound, "[{label}]");
        let request = pb::ListRunDecisionsRequest {
            run_id: "nope".into(),
            ..Default::default()
        };
        let result = suite.tiering.list_run_decisions(request).await;
        assert_eq!(code(result), Code::NotFound, "[{label}]");
    }
}

/// A process stopped (SIGTERM) while its run waits for the profile hands the run back: a
/// replica started after it resumes the run at once, without waiting for the lease to run out
/// (the clock here never moves, so an unreturned lease would hold the run for good), and the
/// run evaluates everyone once.
#[tokio::test]
async fn a_stopped_process_hands_its_run_back_to_a_replica() {
    for mut suite in suites().await {
        let label = suite.label;
        let (gold, _) = thirty(&mut suite).await;
        suite.profile_link.cut().await;
        let run_id = start(&mut suite, false).await.unwrap();
        suite.stop_tiering().await;
        suite.profile_link.restore();

        suite.start_tiering_replica().await;
        let run = suite.finished_run(&run_id).await;
        assert_eq!(run.state, pb::RunState::Done as i32, "[{label}] {run:?}");
        assert_eq!((run.processed, run.upgrades), (30, 10), "[{label}]");
        assert_eq!(run.resumptions, 1, "[{label}] resumed by the replica");
        for id in &gold {
            assert_eq!(suite.history(id).await.len(), 1, "[{label}] {id} told once");
        }
    }
}
