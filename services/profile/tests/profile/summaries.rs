//! Value summaries, one at a time and streamed over every customer.

use tonic::Code;
use vipcare_proto::profile::v1 as pb;

use crate::consumption::{import, row};
use crate::harness::*;

fn months(id: &str, spends: &[(&str, i64)]) -> Vec<pb::ImportConsumptionRequest> {
    spends
        .iter()
        .map(|(period, spend)| row(id, period, *spend))
        .collect()
}

#[tokio::test]
async fn the_summary_adds_up() {
    for mut svc in services().await {
        let label = svc.label;
        let ids: Vec<String> = create_many(&mut svc, 4)
            .await
            .into_iter()
            .map(|c| c.customer_id)
            .collect();
        let (a, b, c, d) = (&ids[0], &ids[1], &ids[2], &ids[3]);
        let mut rows = months(
            a,
            &[
                ("2024-12", 30000),
                ("2024-11", 30000),
                ("2024-10", 30000),
                ("2024-09", 20000),
                ("2024-08", 20000),
                ("2024-07", 20000),
                ("2024-06", 10000),
            ],
        );
        rows.extend(months(
            b,
            &[
                ("2024-12", 10000),
                ("2024-11", 5000),
                ("2024-10", 6000),
                ("2024-09", 99999),
            ],
        ));
        assert_eq!(import(&mut svc, rows).await.accepted, 11, "[{label}]");
        for (other, kind) in [
            (b, pb::RelationKind::Family),
            (c, pb::RelationKind::Family),
            (d, pb::RelationKind::Referral),
        ] {
            let request = pb::AddRelationRequest {
                customer_id: a.clone(),
                related_customer_id: other.clone(),
                kind: kind as i32,
            };
            svc.client.add_relation(request).await.unwrap();
        }
        let get = pb::GetValueSummaryRequest {
            customer_id: a.clone(),
        };
        let s = svc
            .client
            .get_value_summary(get.clone())
            .await
            .unwrap()
            .into_inner()
            .summary
            .unwrap();
        let expected = pb::ValueSummary {
            customer_id: a.clone(),
            arpu_3m_fen: 30000,
            arpu_6m_fen: 25000,
            arpu_12m_fen: 22857,
            months_with_data: 7,
            tenure_months: 58,
            spend_trend: pb::SpendTrend::Rising as i32,
            spend_change_percent: 50.0,
            previous_arpu_3m_fen: 20000,
            // Own 30,000 + B's last three months (7,000) + C without data (0).
            household_arpu_fen: 37000,
            family_members: 2,
            referrals: 1,
            group_key_person: true,
            status: pb::CustomerStatus::Active as i32,
            latest_period: "2024-12".into(),
            plan_code: "P188".into(),
        };
        assert_eq!(s, expected, "[{label}]");
        let of_b = pb::GetValueSummaryRequest {
            customer_id: b.clone(),
        };
        let of_b = svc
            .client
            .get_value_summary(of_b)
            .await
            .unwrap()
            .into_inner()
            .summary
            .unwrap();
        assert_eq!(
            (of_b.household_arpu_fen, of_b.family_members),
            (37000, 1),
            "[{label}] family is mutual"
        );
        assert_eq!(
            of_b.spend_trend,
            pb::SpendTrend::Declining as i32,
            "[{label}] last two months against the two before"
        );

        // Erasure keeps the numbers.
        let erase = pb::EraseCustomerRequest {
            customer_id: a.clone(),
            ..Default::default()
        };
        svc.client
            .erase_customer(as_caller(&clerk(), erase))
            .await
            .unwrap();
        let after = svc
            .client
            .get_value_summary(get)
            .await
            .unwrap()
            .into_inner()
            .summary
            .unwrap();
        assert_eq!(after, expected, "[{label}]");

        let unknown = pb::GetValueSummaryRequest {
            customer_id: "01900000-0000-7000-8000-000000000000".into(),
        };
        assert_eq!(
            code(svc.client.get_value_summary(unknown).await),
            Code::NotFound,
            "[{label}]"
        );
    }
}

async fn stream(
    svc: &mut Service,
    start_after: &str,
    batch_size: i32,
) -> Result<Vec<Vec<String>>, tonic::Status> {
    let request = pb::StreamValueSummariesRequest {
        start_after_customer_id: start_after.into(),
        batch_size,
    };
    let mut stream = svc
        .client
        .stream_value_summaries(request)
        .await?
        .into_inner();
    let mut batches = Vec::new();
    while let Some(batch) = stream.message().await? {
        assert!(
            batch.summaries.iter().all(|s| s.months_with_data == 12),
            "[{}]",
            svc.label
        );
        batches.push(batch.summaries.into_iter().map(|s| s.customer_id).collect());
    }
    Ok(batches)
}

#[tokio::test]
async fn the_stream_covers_every_customer_once_in_id_order() {
    for mut svc in services().await {
        let label = svc.label;
        let ids: Vec<String> = create_many(&mut svc, 25)
            .await
            .into_iter()
            .map(|c| c.customer_id)
            .collect();
        let rows = ids
            .iter()
            .flat_map(|id| (1..=12).map(move |m| row(id, &format!("2024-{m:02}"), 100 * m)))
            .collect();
        assert_eq!(import(&mut svc, rows).await.accepted, 300, "[{label}]");

        let batches = stream(&mut svc, "", 7).await.unwrap();
        let sizes: Vec<usize> = batches.iter().map(Vec::len).collect();
        assert_eq!(sizes, [7, 7, 7, 4], "[{label}]");
        assert_eq!(batches.concat(), ids, "[{label}] all of them, in id order");
        assert_eq!(
            stream(&mut svc, "", 0).await.unwrap(),
            std::slice::from_ref(&ids),
            "[{label}] 0 means 1,000"
        );
        let resumed = stream(&mut svc, &ids[20], 1000).await.unwrap();
        assert_eq!(resumed.concat(), ids[21..], "[{label}]");
        assert!(
            stream(&mut svc, &ids[24], 1000).await.unwrap().is_empty(),
            "[{label}]"
        );
        assert_invalid(label, stream(&mut svc, "", -1).await, "batch_size");
        assert_invalid(
            label,
            stream(&mut svc, "x", 10).await,
            "start_after_customer_id",
        );
    }
}
