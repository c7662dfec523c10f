//! RecordConsumption and the ImportConsumption billing feed.

use tonic::Code;
use vipcare_proto::profile::v1 as pb;

use crate::harness::*;

pub fn month(id: &str, period: &str, spend_fen: i64) -> pb::RecordConsumptionRequest {
    pb::RecordConsumptionRequest {
        customer_id: id.into(),
        period: period.into(),
        spend_fen,
        data_mb: 2048,
        voice_minutes: 300,
        roaming_fen: 0,
        vas_fen: 0,
    }
}

pub fn row(id: &str, period: &str, spend_fen: i64) -> pb::ImportConsumptionRequest {
    let pb::RecordConsumptionRequest {
        customer_id,
        period,
        spend_fen,
        data_mb,
        voice_minutes,
        roaming_fen,
        vas_fen,
    } = month(id, period, spend_fen);
    pb::ImportConsumptionRequest {
        customer_id,
        period,
        spend_fen,
        data_mb,
        voice_minutes,
        roaming_fen,
        vas_fen,
    }
}

pub async fn import(
    svc: &mut Service,
    rows: Vec<pb::ImportConsumptionRequest>,
) -> pb::ImportConsumptionResponse {
    svc.client
        .import_consumption(tokio_stream::iter(rows))
        .await
        .unwrap_or_else(|s| panic!("[{}] import: {s:?}", svc.label))
        .into_inner()
}

/// The summary as of `period` ("": the current month, 2025-01).
async fn summary(svc: &mut Service, id: &str, period: &str) -> pb::ValueSummary {
    let request = pb::GetValueSummaryRequest {
        customer_id: id.into(),
        period: period.into(),
    };
    svc.client
        .get_value_summary(request)
        .await
        .unwrap()
        .into_inner()
        .summary
        .unwrap()
}

#[tokio::test]
async fn recording_a_month_upserts_and_checks_the_amounts() {
    for mut svc in services().await {
        let label = svc.label;
        let id = create(&mut svc, customer("13800138000", "张三丰"))
            .await
            .customer_id;
        svc.client
            .record_consumption(month(&id, "2024-12", 100))
            .await
            .unwrap();
        let record = svc
            .client
            .record_consumption(month(&id, "2024-12", 18800))
            .await
            .unwrap()
            .into_inner()
            .record
            .unwrap();
        assert_eq!(
            (record.period.as_str(), record.spend_fen),
            ("2024-12", 18800),
            "[{label}]"
        );
        let s = summary(&mut svc, &id, "").await;
        assert_eq!(
            (s.months_with_data, s.arpu_3m_fen),
            (1, 6267),
            "[{label}] (18800 + 0 + 0) / 3: the second call replaced the first"
        );

        let mut parts_too_big = month(&id, "2024-11", 100);
        (parts_too_big.roaming_fen, parts_too_big.vas_fen) = (60, 41);
        let mut negative = month(&id, "2024-11", 100);
        negative.data_mb = -1;
        for (request, field) in [
            (month(&id, "2025-02", 100), "period"),
            (month(&id, "2024-1", 100), "period"),
            (month(&id, "2024-11", -1), "spend_fen"),
            (negative, "data_mb"),
            (parts_too_big, "spend_fen"),
            (month("", "2024-11", 100), "customer_id"),
        ] {
            assert_invalid(label, svc.client.record_consumption(request).await, field);
        }
        // The current month (Shanghai calendar) is not the future.
        svc.client
            .record_consumption(month(&id, "2025-01", 100))
            .await
            .unwrap();
        let unknown = month("01900000-0000-7000-8000-000000000000", "2024-11", 100);
        assert_eq!(
            code(svc.client.record_consumption(unknown).await),
            Code::NotFound,
            "[{label}]"
        );
    }
}

#[tokio::test]
async fn imports_keep_good_rows_and_explain_bad_ones() {
    for mut svc in services().await {
        let label = svc.label;
        let ids: Vec<String> = create_many(&mut svc, 2)
            .await
            .into_iter()
            .map(|c| c.customer_id)
            .collect();
        let (a, b) = (&ids[0], &ids[1]);
        let unknown = "01900000-0000-7000-8000-000000000000";
        let mut parts_too_big = row(b, "2024-01", 100);
        (parts_too_big.roaming_fen, parts_too_big.vas_fen) = (60, 50);
        let rows = vec![
            row(a, "2024-01", 100),
            row(a, "2024-13", 100),
            row(unknown, "2024-01", 100),
            row(a, "2024-02", -5),
            row(a, "2025-02", 100),
            parts_too_big,
            row("not-an-id", "2024-01", 100),
            row(b, "2024-02", 300),
            row(a, "2024-01", 200),
        ];
        let report = import(&mut svc, rows).await;
        assert_eq!(
            (report.accepted, report.rejected),
            (3, 6),
            "[{label}] {report:?}"
        );
        let rejected: Vec<(i64, &str)> = report
            .rejections
            .iter()
            .map(|r| (r.row, r.field.as_str()))
            .collect();
        assert_eq!(
            rejected,
            [
                (2, "period"),
                (3, "customer_id"),
                (4, "spend_fen"),
                (5, "period"),
                (6, "spend_fen"),
                (7, "customer_id")
            ],
            "[{label}]"
        );
        let unknown_row = &report.rejections[1];
        assert_eq!(
            (
                unknown_row.customer_id.as_str(),
                unknown_row.period.as_str()
            ),
            (unknown, "2024-01"),
            "[{label}]"
        );
        assert!(!unknown_row.reason.is_empty(), "[{label}]");
        // As of 2024-03 the last three months are 2024-02, 2024-01 and 2023-12.
        let s = summary(&mut svc, a, "2024-03").await;
        assert_eq!(
            (s.months_with_data, s.arpu_3m_fen),
            (1, 67),
            "[{label}] (0 + 200 + 0) / 3: the feed's last row for a month wins"
        );
        let s = summary(&mut svc, b, "2024-03").await;
        assert_eq!(s.arpu_3m_fen, 100, "[{label}] (300 + 0 + 0) / 3");
    }
}

#[tokio::test]
async fn large_imports_span_batches_and_cap_the_rejection_list() {
    for mut svc in services().await {
        let label = svc.label;
        let id = create(&mut svc, customer("13800138000", "张三丰"))
            .await
            .customer_id;
        // A century of months (1925-01 to 2024-12), each followed by a row of an unknown customer.
        let mut rows = Vec::new();
        for i in 0..1200 {
            rows.push(row(
                &id,
                &format!("{}-{:02}", 1925 + i / 12, i % 12 + 1),
                100,
            ));
            rows.push(row(
                &format!("01900000-0000-7000-8000-{i:012}"),
                "2024-01",
                100,
            ));
        }
        let report = import(&mut svc, rows).await;
        assert_eq!(
            (report.accepted, report.rejected),
            (1200, 1200),
            "[{label}]"
        );
        assert_eq!(
            report.rejections.len(),
            1000,
            "[{label}] the first 1,000 are listed"
        );
        assert_eq!(report.rejections[0].row, 2, "[{label}]");
        assert_eq!(report.rejections[999].row, 2000, "[{label}]");
        assert_eq!(
            summary(&mut svc, &id, "").await.months_with_data,
            12,
            "[{label}]"
        );
    }
}
