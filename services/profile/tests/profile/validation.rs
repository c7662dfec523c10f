//! Every field is checked: a bad one is INVALID_ARGUMENT naming its path, and nothing is
//! written.

use vipcare_proto::common::v1 as common;
use vipcare_proto::profile::v1 as pb;

use crate::harness::*;

#[tokio::test]
async fn bad_input_names_the_field_and_writes_nothing() {
    type Spoil = fn(&mut pb::Customer);
    let cases: Vec<(&str, Spoil)> = vec![
        ("customer.msisdn", |c| c.msisdn = "12800138000".into()),
        ("customer.name", |c| c.name = String::new()),
        ("customer.name", |c| c.name = "张".repeat(65)),
        ("customer.gender", |c| c.gender = 42),
        ("customer.birth_date", |c| {
            c.birth_date = Some(common::Date {
                year: 1990,
                month: 2,
                day: 30,
            })
        }),
        ("customer.birth_date", |c| {
            c.birth_date = Some(common::Date {
                year: 2025,
                month: 2,
                day: 1,
            })
        }),
        ("customer.region_code", |c| c.region_code = "4401".into()),
        ("customer.preferred_language", |c| {
            c.preferred_language = "cantonese!".into()
        }),
        ("customer.interests", |c| {
            c.interests = (0..21).map(|i| i.to_string()).collect()
        }),
        ("customer.interests", |c| c.interests = vec!["x".repeat(33)]),
        ("customer.contact_preferences.preferred_channels", |c| {
            c.contact_preferences.as_mut().unwrap().preferred_channels = vec![1, 1]
        }),
        ("customer.contact_preferences.preferred_channels", |c| {
            c.contact_preferences.as_mut().unwrap().preferred_channels = vec![0]
        }),
        ("customer.contact_preferences.opted_out_touchpoints", |c| {
            c.contact_preferences
                .as_mut()
                .unwrap()
                .opted_out_touchpoints = vec![77]
        }),
        ("customer.contact_preferences.quiet_hours.time_zone", |c| {
            c.contact_preferences.as_mut().unwrap().quiet_hours = Some(common::QuietHours {
                start: Some(common::ClockTime {
                    hours: 22,
                    minutes: 0,
                }),
                end: Some(common::ClockTime {
                    hours: 7,
                    minutes: 0,
                }),
                time_zone: "Mars/Olympus".into(),
            })
        }),
        ("customer.contact_preferences.quiet_hours.start", |c| {
            c.contact_preferences.as_mut().unwrap().quiet_hours = Some(common::QuietHours {
                start: Some(common::ClockTime {
                    hours: 24,
                    minutes: 0,
                }),
                end: Some(common::ClockTime {
                    hours: 7,
                    minutes: 0,
                }),
                time_zone: "Asia/Shanghai".into(),
            })
        }),
        ("customer.group.group_id", |c| {
            c.group.as_mut().unwrap().group_id = String::new()
        }),
        ("customer.status", |c| c.status = 9),
        ("customer.id_document.number", |c| {
            c.id_document.as_mut().unwrap().number = "1".repeat(33)
        }),
        ("customer.id_document.type", |c| {
            c.id_document.as_mut().unwrap().r#type = 0
        }),
        // One digit off: the check digit no longer matches.
        ("customer.id_document.number", |c| {
            c.id_document.as_mut().unwrap().number = "11010519800615018X".into()
        }),
        // A right-to-left override would show "张三丰" reversed on an agent's screen.
        ("customer.name", |c| c.name = "\u{202E}张三丰".into()),
        ("customer.group.name", |c| {
            c.group.as_mut().unwrap().name = "Acme\u{2067}".into()
        }),
        ("customer.occupation", |c| {
            c.occupation = "engi\u{7}neer".into()
        }),
        ("customer.network_joined_on", |c| {
            c.network_joined_on = Some(common::Date {
                year: 2030,
                month: 1,
                day: 1,
            })
        }),
    ];
    for mut svc in services().await {
        for (field, spoil) in &cases {
            let mut bad = customer("13800138000", "张三丰");
            spoil(&mut bad);
            let request = pb::CreateCustomerRequest {
                customer: Some(bad),
                request_id: String::new(),
            };
            let result = svc
                .client
                .create_customer(as_caller(&clerk(), request))
                .await;
            assert_invalid(svc.label, result, field);
        }
        let missing = pb::CreateCustomerRequest {
            customer: None,
            request_id: String::new(),
        };
        assert_invalid(
            svc.label,
            svc.client.create_customer(missing).await,
            "customer",
        );
        let listed = svc
            .client
            .list_customers(pb::ListCustomersRequest::default())
            .await
            .unwrap();
        assert!(
            listed.into_inner().customers.is_empty(),
            "[{}] nothing was written",
            svc.label
        );
        // The longest legal name is 64 characters, however many bytes.
        create(&mut svc, customer("13800138000", &"张".repeat(64))).await;
    }
}

#[tokio::test]
async fn amounts_beyond_their_bounds_are_refused_and_not_kept() {
    const MAX_FEN: i64 = 10_000_000_000;
    for mut svc in services().await {
        let label = svc.label;
        let id = create(&mut svc, customer("13800138000", "张三丰"))
            .await
            .customer_id;
        let month = |spend_fen, data_mb, voice_minutes| pb::RecordConsumptionRequest {
            customer_id: id.clone(),
            period: "2024-12".into(),
            spend_fen,
            data_mb,
            voice_minutes,
            roaming_fen: 0,
            vas_fen: 0,
        };
        for (request, field) in [
            (month(MAX_FEN + 1, 0, 0), "spend_fen"),
            (month(i64::MAX, 0, 0), "spend_fen"),
            (month(100, 1_000_000_001, 0), "data_mb"),
            (month(100, 0, 1_000_001), "voice_minutes"),
        ] {
            assert_invalid(label, svc.client.record_consumption(request).await, field);
        }
        let summary = svc
            .client
            .get_value_summary(pb::GetValueSummaryRequest {
                customer_id: id.clone(),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner()
            .summary
            .unwrap();
        assert_eq!(summary.months_with_data, 0, "[{label}] nothing was kept");
        // The bound itself is a legal month.
        let most = month(MAX_FEN, 1_000_000_000, 1_000_000);
        svc.client.record_consumption(most).await.unwrap();
    }
}
