//! Rows written before tiering kept domain values, when policies, benefits, churn reasons,
//! redemptions, run snapshots and redemption answers were encoded protobuf: after the schema
//! moves to JSON and columns they answer exactly as they did. The rows go in through the old
//! schema (the migrations before `m0004_domain_columns`), then the service starts on it.

use prost::Message;
use sha2::{Digest, Sha256};
use tokio::sync::oneshot;
use tonic::Request;
use vipcare_proto::common::v1::Channel;
use vipcare_proto::profile::v1 as profile;
use vipcare_proto::tiering::v1 as pb;
use vipcare_proto::tiering::v1::tiering_service_client::TieringServiceClient;
use vipcare_runtime::Caller;
use vipcare_storage::sea_orm::{ConnectionTrait, Value};
use vipcare_storage::sea_orm_migration::MigratorTrait;
use vipcare_storage::{Database, WithSharedTables, statement};
use vipcare_testkit::{TestEnv, wait_serving};
use vipcare_tiering::store::Migrator;

/// The run snapshots' own encoding before the migration.
#[derive(Clone, PartialEq, prost::Message)]
struct LegacyBatch {
    #[prost(message, repeated, tag = "1")]
    bases: Vec<LegacyBasis>,
}

#[derive(Clone, PartialEq, prost::Message)]
struct LegacyBasis {
    #[prost(message, optional, tag = "1")]
    summary: Option<profile::ValueSummary>,
    #[prost(string, tag = "2")]
    tier: String,
    #[prost(int32, tag = "3")]
    periods_below: i32,
    #[prost(int64, tag = "5")]
    now_ms: i64,
}

const REDEEM: &str = "vipcare.tiering.v1.TieringService/RedeemBenefit";
/// 2026-06-15T04:00:00Z.
const NOW_MS: i64 = 1_781_496_000_000;

fn now() -> prost_types::Timestamp {
    prost_types::Timestamp {
        seconds: NOW_MS / 1000,
        nanos: 0,
    }
}

fn policy() -> pb::TierPolicy {
    let tier = |code: &str, name: &str, min_score, routing_priority| pb::Tier {
        code: code.into(),
        display_name: name.into(),
        min_score,
        routing_priority,
    };
    pb::TierPolicy {
        tiers: vec![
            tier("STANDARD", "普通", 0.0, 0),
            tier("GOLD", "黄金", 45.0, 5),
        ],
        weights: Some(pb::ComponentWeights {
            contribution: 50.0,
            tenure: 20.0,
            loyalty: 10.0,
            influence: 10.0,
            satisfaction: 10.0,
        }),
        scales: Some(pb::ScoreScales {
            contribution_full_arpu_fen: 40_000,
            tenure_full_months: 100,
            household_full_arpu_fen: 50_000,
            referrals_full: 4,
        }),
        downgrade_after_periods: 3,
        downgrade_margin: 2.5,
        churn: Some(pb::ChurnRule {
            threshold: 0.5,
            spend_decline_weight: 0.5,
            spend_decline_min_percent: 15.0,
            spend_decline_full_percent: 60.0,
            short_tenure_weight: 0.25,
            short_tenure_months: 12,
            suspension_weight: 0.3,
            complaint_weight: 0.1,
            low_satisfaction_weight: 0.1,
            // Written before the limit existed.
            low_satisfaction_max_peak_end: 0.0,
        }),
        key_person_priority_bonus: 2,
        version: 0,
        update_time: None,
        updated_by: String::new(),
    }
}

fn benefit() -> pb::Benefit {
    pb::Benefit {
        code: "spa_visit".into(),
        name: "Spa visit".into(),
        description: "A partner spa, twice a year.".into(),
        eligible_tiers: vec!["GOLD".into()],
        cycle: pb::QuotaCycle::Year as i32,
        quota_per_tier: [("GOLD".to_owned(), 2)].into(),
        partner_ids: vec!["spas".into()],
        active: true,
    }
}

fn churn() -> pb::ChurnRisk {
    pb::ChurnRisk {
        score: 0.75,
        reasons: vec![
            pb::RiskReason {
                code: "SPEND_DECLINE".into(),
                description: "spend fell 50%".into(),
                contribution: 0.5,
            },
            pb::RiskReason {
                code: "SHORT_TENURE".into(),
                description: "on the network 8 months (under 12)".into(),
                contribution: 0.25,
            },
        ],
        at_risk: true,
    }
}

fn redemption() -> pb::Redemption {
    pb::Redemption {
        redemption_id: "0190a0c4-7b7e-7cc3-9a5e-3f2b1c4d5e6f".into(),
        customer_id: "c-1".into(),
        benefit_code: "spa_visit".into(),
        partner_id: String::new(),
        cycle_key: "2026".into(),
        tier: "GOLD".into(),
        client: "hall-app".into(),
        redeem_time: Some(now()),
        request_id: "visit-1".into(),
        channel: Channel::Hall as i32,
    }
}

fn redeem_request() -> pb::RedeemBenefitRequest {
    pb::RedeemBenefitRequest {
        customer: Some(pb::redeem_benefit_request::Customer::CustomerId(
            "c-1".into(),
        )),
        benefit_code: "spa_visit".into(),
        partner_id: String::new(),
        request_id: "visit-1".into(),
    }
}

fn summary(id: &str, arpu: i64) -> profile::ValueSummary {
    profile::ValueSummary {
        customer_id: id.into(),
        arpu_3m_fen: arpu,
        arpu_6m_fen: arpu,
        arpu_12m_fen: arpu,
        months_with_data: 12,
        tenure_months: 60,
        spend_trend: profile::SpendTrend::Stable as i32,
        status: profile::CustomerStatus::Active as i32,
        latest_period: "2026-05".into(),
        previous_arpu_3m_fen: arpu,
        period: "2026-06".into(),
        months_counted: 12,
        ..Default::default()
    }
}

async fn exec(conn: &impl ConnectionTrait, sql: &str, values: Vec<Value>) {
    conn.execute_raw(statement(conn, sql, values))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// The old schema, holding one of everything in the old encodings.
async fn legacy_store(env: &TestEnv) {
    let db = Database::connect(env.database_settings(), env.data_dir(), "tiering")
        .await
        .unwrap();
    let before = WithSharedTables::<Migrator>::migrations()
        .iter()
        .position(|m| m.name() == "m0004_domain_columns")
        .expect("the migration is listed");
    WithSharedTables::<Migrator>::up(db.conn(), Some(before as u32))
        .await
        .unwrap();
    let conn = db.conn();
    for version in [1_i64, 2] {
        exec(
            conn,
            "INSERT INTO tier_policies (version, policy, updated_by, update_ms) \
             VALUES ($1, $2, 'admin-1', $3)",
            vec![
                version.into(),
                policy().encode_to_vec().into(),
                NOW_MS.into(),
            ],
        )
        .await;
    }
    exec(
        conn,
        "INSERT INTO benefits (code, benefit, update_ms) VALUES ('spa_visit', $1, $2)",
        vec![benefit().encode_to_vec().into(), NOW_MS.into()],
    )
    .await;
    exec(
        conn,
        "INSERT INTO tier_records (customer_id, tier, periods_below, since_ms, score, \
         last_period, base_tier, base_periods_below, base_since_ms, churn_score, churn_reasons, \
         retention_flag, policy_version, override_tier, override_reason, override_actor, \
         override_expire_ms, override_create_ms, update_ms) VALUES ('c-1', 'GOLD', 0, $1, 61.5, \
         '2026-06', 'GOLD', 0, $1, 0.75, $2, TRUE, 2, NULL, '', '', NULL, NULL, $1)",
        vec![NOW_MS.into(), churn().encode_to_vec().into()],
    )
    .await;
    exec(
        conn,
        "INSERT INTO redemptions (redemption_id, customer_id, redemption, benefit_code) \
         VALUES ($1, 'c-1', $2, 'spa_visit')",
        vec![
            redemption().redemption_id.into(),
            redemption().encode_to_vec().into(),
        ],
    )
    .await;
    let answer = pb::RedeemBenefitResponse {
        redemption: Some(redemption()),
        remaining: 1,
        unlimited: false,
    };
    exec(
        conn,
        "INSERT INTO request_keys (client, method, request_id, fingerprint, response, created_ms) \
         VALUES ('hall-app', $1, 'visit-1', $2, $3, $4)",
        vec![
            REDEEM.into(),
            Sha256::digest(redeem_request().encode_to_vec())
                .to_vec()
                .into(),
            answer.encode_to_vec().into(),
            // Kept for the retention period from when it was written: now.
            chrono::Utc::now().timestamp_millis().into(),
        ],
    )
    .await;
    exec(
        conn,
        "INSERT INTO evaluation_runs (run_id, period, dry_run, state, policy_version, processed, \
         total, upgrades, downgrades, held, errors, cursor, start_ms, finish_ms, failure, \
         resumptions, lease_until_ms) VALUES ('run-1', '2026-06', FALSE, 'DONE', 2, 2, 2, 1, 0, \
         0, 0, 'c-2', $1, $1, '', 0, $1)",
        vec![NOW_MS.into()],
    )
    .await;
    let batch = LegacyBatch {
        bases: vec![
            LegacyBasis {
                summary: Some(summary("c-1", 30_000)),
                tier: "STANDARD".into(),
                periods_below: 0,
                now_ms: NOW_MS,
            },
            LegacyBasis {
                summary: Some(summary("c-2", 1_000)),
                tier: "STANDARD".into(),
                periods_below: 0,
                now_ms: NOW_MS,
            },
        ],
    };
    exec(
        conn,
        "INSERT INTO run_snapshots (run_id, first_customer_id, last_customer_id, snapshots) \
         VALUES ('run-1', 'c-1', 'c-2', $1)",
        vec![batch.encode_to_vec().into()],
    )
    .await;
}

#[tokio::test]
async fn rows_stored_as_protobuf_answer_as_before_after_the_migration() {
    for env in TestEnv::all().await {
        let label = env.label;
        legacy_store(&env).await;
        let app = vipcare_tiering::App::build(&env.settings(), env.cache().await)
            .await
            .unwrap_or_else(|e| panic!("[{label}] the service migrates the old rows: {e}"));
        let addr = app.local_addr();
        let (_stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(app.run(async {
            let _ = stopped.await;
        }));
        wait_serving(addr, vipcare_proto::service_names::TIERING).await;
        let mut tiering = TieringServiceClient::new(env.internal_channel(addr));

        let stored = tiering
            .get_tier_policy(pb::GetTierPolicyRequest { version: 2 })
            .await
            .unwrap()
            .into_inner()
            .policy
            .unwrap();
        let expected = pb::TierPolicy {
            version: 2,
            update_time: Some(now()),
            updated_by: "admin-1".into(),
            // A rule kept before the low-satisfaction limit existed reads with the default.
            churn: policy().churn.map(|churn| pb::ChurnRule {
                low_satisfaction_max_peak_end: 2.5,
                ..churn
            }),
            ..policy()
        };
        assert_eq!(stored, expected, "[{label}] the policy");

        let catalogue = tiering
            .list_benefits(pb::ListBenefitsRequest::default())
            .await
            .unwrap()
            .into_inner()
            .benefits;
        assert_eq!(catalogue, [benefit()], "[{label}] the catalogue");

        let risk = tiering
            .get_churn_risk(pb::GetChurnRiskRequest {
                customer_id: "c-1".into(),
            })
            .await
            .unwrap()
            .into_inner();
        let pb::ChurnRisk {
            score,
            reasons,
            at_risk,
        } = churn();
        // No complaint, profile or survey service runs here: the answer says they were not
        // considered (adding nothing), beside the stored reasons.
        let (not_considered, stored): (Vec<_>, Vec<_>) = risk
            .reasons
            .into_iter()
            .partition(|r| r.code.ends_with("_NOT_CONSIDERED"));
        assert_eq!(
            (risk.score, stored, risk.at_risk, risk.period.as_str()),
            (score, reasons, at_risk, "2026-06"),
            "[{label}] the churn risk"
        );
        assert!(
            not_considered.iter().all(|r| r.contribution == 0.0),
            "[{label}] {not_considered:?}"
        );

        let used = tiering
            .list_redemptions(pb::ListRedemptionsRequest {
                customer_id: "c-1".into(),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner()
            .redemptions;
        assert_eq!(used, [redemption()], "[{label}] the redemptions");

        // The repeat of a redemption made before gets the first answer, and takes no unit.
        let mut repeat = Request::new(redeem_request());
        Caller::new("hall-app", "hall", &[]).write_to(repeat.metadata_mut());
        let answer = tiering.redeem_benefit(repeat).await.unwrap().into_inner();
        assert_eq!(
            (answer.redemption, answer.remaining),
            (Some(redemption()), 1),
            "[{label}] the stored answer"
        );

        let decided = tiering
            .list_run_decisions(pb::ListRunDecisionsRequest {
                run_id: "run-1".into(),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner()
            .evaluations;
        let shown: Vec<_> = decided
            .iter()
            .map(|e| (e.inputs.clone(), e.current_tier.as_str(), e.policy_version))
            .collect();
        assert_eq!(
            shown,
            [
                (Some(summary("c-1", 30_000)), "STANDARD", 2),
                (Some(summary("c-2", 1_000)), "STANDARD", 2),
            ],
            "[{label}] the run's decisions"
        );
        assert_eq!(
            (
                decided[0].computed_tier.as_str(),
                decided[1].computed_tier.as_str()
            ),
            ("GOLD", "STANDARD"),
            "[{label}] decided again under the run's policy"
        );
    }
}
