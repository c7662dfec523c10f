//! Value summaries, one at a time and streamed over every customer, as of a period: the
//! service's "now" is 2025-01-15, so by default they cover the calendar months 2024-01 to
//! 2024-12.

use tonic::{Code, Status};
use vipcare_proto::profile::v1 as pb;

use crate::consumption::{import, row};
use crate::harness::*;

pub fn months(id: &str, spends: &[(&str, i64)]) -> Vec<pb::ImportConsumptionRequest> {
    spends
        .iter()
        .map(|(period, spend)| row(id, period, *spend))
        .collect()
}

pub async fn summary(
    svc: &mut Service,
    id: &str,
    period: &str,
) -> Result<pb::ValueSummary, Status> {
    let request = pb::GetValueSummaryRequest {
        customer_id: id.into(),
        period: period.into(),
    };
    let response = svc.client.get_value_summary(request).await?;
    Ok(response.into_inner().summary.unwrap())
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
        let s = summary(&mut svc, a, "").await.unwrap();
        let expected = pb::ValueSummary {
            customer_id: a.clone(),
            period: "2025-01".into(),
            arpu_3m_fen: 30000,
            arpu_6m_fen: 25000,
            // 160,000 over the twelve calendar months: five without a bill count as zero.
            arpu_12m_fen: 13333,
            months_with_data: 7,
            months_counted: 12,
            // Joined 2020-03-15; whole months to 2025-01-01.
            tenure_months: 57,
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
        let of_b = summary(&mut svc, b, "").await.unwrap();
        assert_eq!(
            (of_b.household_arpu_fen, of_b.family_members),
            (37000, 1),
            "[{label}] family is mutual"
        );
        assert_eq!(
            of_b.spend_trend,
            pb::SpendTrend::Declining as i32,
            "[{label}] 7,000 against (99,999 + 0 + 0) / 3"
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
        let after = summary(&mut svc, a, "").await.unwrap();
        assert_eq!(after, expected, "[{label}]");

        let unknown = summary(&mut svc, "01900000-0000-7000-8000-000000000000", "").await;
        assert_eq!(code(unknown), Code::NotFound, "[{label}]");
    }
}

#[tokio::test]
async fn a_summary_as_of_an_old_period_ignores_later_bills() {
    for mut svc in services().await {
        let label = svc.label;
        let id = create_many(&mut svc, 1).await.remove(0).customer_id;
        // ¥100 a month in 2024-01..06, ¥400 in 2024-07..12.
        let rows = (1..=12)
            .map(|m| {
                row(
                    &id,
                    &format!("2024-{m:02}"),
                    if m <= 6 { 10_000 } else { 40_000 },
                )
            })
            .collect();
        assert_eq!(import(&mut svc, rows).await.accepted, 12, "[{label}]");

        let july = summary(&mut svc, &id, "2024-07").await.unwrap();
        assert_eq!(july.period, "2024-07", "[{label}]");
        assert_eq!(
            (july.arpu_3m_fen, july.arpu_6m_fen, july.arpu_12m_fen),
            (10_000, 10_000, 5_000),
            "[{label}] 2023-07..2024-06: the July to December bills are later"
        );
        assert_eq!(
            (july.months_with_data, july.latest_period.as_str()),
            (6, "2024-06"),
            "[{label}]"
        );
        assert_eq!(july.spend_trend, pb::SpendTrend::Stable as i32, "[{label}]");
        assert_eq!(july.tenure_months, 51, "[{label}] to 2024-07-01");

        let now = summary(&mut svc, &id, "").await.unwrap();
        assert_eq!(
            (now.period.as_str(), now.arpu_3m_fen, now.months_with_data),
            ("2025-01", 40_000, 12),
            "[{label}]"
        );
        let october = summary(&mut svc, &id, "2024-10").await.unwrap();
        assert_eq!(
            (october.spend_trend, october.spend_change_percent),
            (pb::SpendTrend::Rising as i32, 300.0),
            "[{label}] 2024-07..09 against 2024-04..06"
        );
        assert_eq!(
            summary(&mut svc, &id, "2025-01").await.unwrap(),
            now,
            "[{label}] empty is the current month"
        );

        // A bill for the current month counts from the next period on, not before.
        import(&mut svc, vec![row(&id, "2025-01", 1)]).await;
        assert_eq!(summary(&mut svc, &id, "").await.unwrap(), now, "[{label}]");

        for (period, why) in [
            ("2025-02", "after the current month"),
            ("2024-7", "malformed"),
        ] {
            let refused = summary(&mut svc, &id, period).await;
            assert_invalid(&format!("{label} {why}"), refused, "period");
        }
    }
}

/// The streamed batches as of `period`.
async fn stream_as_of(
    svc: &mut Service,
    start_after: &str,
    batch_size: i32,
    period: &str,
) -> Result<Vec<Vec<pb::ValueSummary>>, Status> {
    let request = pb::StreamValueSummariesRequest {
        start_after_customer_id: start_after.into(),
        batch_size,
        period: period.into(),
    };
    let mut stream = svc
        .client
        .stream_value_summaries(request)
        .await?
        .into_inner();
    let mut batches = Vec::new();
    while let Some(batch) = stream.message().await? {
        batches.push(batch.summaries);
    }
    Ok(batches)
}

/// The customer ids of the batches streamed as of the current month, each with a year billed.
async fn stream(
    svc: &mut Service,
    start_after: &str,
    batch_size: i32,
) -> Result<Vec<Vec<String>>, Status> {
    let batches = stream_as_of(svc, start_after, batch_size, "").await?;
    Ok(batches
        .into_iter()
        .map(|batch| {
            assert!(
                batch.iter().all(|s| s.months_with_data == 12),
                "[{}]",
                svc.label
            );
            batch.into_iter().map(|s| s.customer_id).collect()
        })
        .collect())
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

        // As of 2024-07 every customer has the six months 2024-01..06 and nothing later.
        let july: Vec<pb::ValueSummary> = stream_as_of(&mut svc, "", 10, "2024-07")
            .await
            .unwrap()
            .concat();
        assert_eq!(july.len(), 25, "[{label}]");
        for s in &july {
            assert_eq!(
                (s.period.as_str(), s.months_with_data, s.arpu_3m_fen),
                ("2024-07", 6, 500),
                "[{label}] (600 + 500 + 400) / 3"
            );
            assert_eq!(s.latest_period, "2024-06", "[{label}]");
        }
        assert_invalid(
            label,
            stream_as_of(&mut svc, "", 10, "2025-02").await,
            "period",
        );
    }
}
