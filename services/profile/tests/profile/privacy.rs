//! Masking without `pii:read`, and the audit trail of every unmasked read.

use vipcare_proto::common::v1 as common;
use vipcare_proto::profile::v1 as pb;
use vipcare_proto::reminder::v1 as reminder;

use crate::harness::*;

#[tokio::test]
async fn personal_data_is_masked_without_pii_read() {
    for mut svc in services().await {
        let label = svc.label;
        let id = create(&mut svc, customer("13800138000", "张三丰"))
            .await
            .customer_id;
        let masked = get(&mut svc, &web(), &id).await.unwrap();
        assert!(masked.pii_masked, "[{label}]");
        assert_eq!(masked.name, "张**", "[{label}]");
        assert_eq!(masked.msisdn, "138****8000", "[{label}]");
        assert_eq!(
            masked.id_document.unwrap().number,
            "**************019X",
            "[{label}]"
        );
        assert_eq!(
            masked.birth_date,
            Some(common::Date {
                year: 1980,
                month: 0,
                day: 0
            }),
            "[{label}]"
        );
        assert_eq!(
            masked.occupation, "engineer",
            "[{label}] not personal, not masked"
        );

        let full = get(&mut svc, &clerk(), &id).await.unwrap();
        assert!(!full.pii_masked, "[{label}]");
        assert_eq!(
            (full.name.as_str(), full.msisdn.as_str()),
            ("张三丰", "13800138000"),
            "[{label}]"
        );
        assert_eq!(
            full.birth_date,
            Some(common::Date {
                year: 1980,
                month: 6,
                day: 15
            }),
            "[{label}]"
        );

        // Anonymous callers (no gateway headers) are masked too, and so is a create's answer.
        let anonymous = svc
            .client
            .get_customer(pb::GetCustomerRequest {
                lookup: Some(Lookup::CustomerId(id.clone())),
            })
            .await;
        assert!(
            anonymous.unwrap().into_inner().customer.unwrap().pii_masked,
            "[{label}]"
        );
        let request = pb::CreateCustomerRequest {
            customer: Some(customer("13900139000", "李四")),
            request_id: String::new(),
        };
        let created = svc
            .client
            .create_customer(as_caller(&web(), request))
            .await
            .unwrap()
            .into_inner()
            .customer
            .unwrap();
        assert_eq!(
            (created.name.as_str(), created.pii_masked),
            ("李*", true),
            "[{label}]"
        );
    }
}

#[tokio::test]
async fn only_unmasked_reads_are_audited() {
    for mut svc in services().await {
        let label = svc.label;
        let id = create(&mut svc, customer("13800138000", "张三丰"))
            .await
            .customer_id;
        let created = audit_records(&mut svc, &id).await;
        assert_eq!(
            created.len(),
            1,
            "[{label}] the clerk saw the created customer unmasked"
        );
        assert_eq!(created[0].action, "CreateCustomer", "[{label}]");

        for _ in 0..3 {
            get(&mut svc, &web(), &id).await.unwrap();
        }
        let list = pb::ListCustomersRequest::default();
        svc.client
            .list_customers(as_caller(&web(), list.clone()))
            .await
            .unwrap();
        assert_eq!(
            audit_records(&mut svc, &id).await.len(),
            1,
            "[{label}] masked reads leave no trace"
        );

        get(&mut svc, &clerk(), &id).await.unwrap();
        svc.client
            .list_customers(as_caller(&clerk(), list))
            .await
            .unwrap();
        let records = audit_records(&mut svc, &id).await;
        let actions: Vec<&str> = records.iter().map(|r| r.action.as_str()).collect();
        assert_eq!(
            actions,
            ["ListCustomers", "GetCustomer", "CreateCustomer"],
            "[{label}] newest first"
        );
        let read = &records[1];
        assert_eq!(
            (read.client.as_str(), read.channel),
            ("hall-7", common::Channel::Hall as i32),
            "[{label}]"
        );
        assert_eq!(
            read.fields,
            ["name", "msisdn", "birth_date", "id_document"],
            "[{label}]"
        );
        assert!(read.create_time.is_some(), "[{label}]");

        let first_page = pb::ListAuditRecordsRequest {
            customer_id: id.clone(),
            page_size: 2,
            page_token: String::new(),
        };
        let first_page = svc
            .client
            .list_audit_records(first_page)
            .await
            .unwrap()
            .into_inner();
        assert_eq!(first_page.records, records[..2], "[{label}]");
        let second = pb::ListAuditRecordsRequest {
            customer_id: id.clone(),
            page_size: 2,
            page_token: first_page.next_page_token,
        };
        let second = svc
            .client
            .list_audit_records(second)
            .await
            .unwrap()
            .into_inner();
        assert_eq!(second.records, records[2..], "[{label}]");
        assert!(second.next_page_token.is_empty(), "[{label}]");

        // The two unmasked reads, and only they, are told to the customer.
        let notices = waiting_notices(&svc).await;
        let told: Vec<&str> = notices.iter().map(|e| e.event_id.as_str()).collect();
        let expected = [
            format!("profile-audit-{}", records[1].audit_id),
            format!("profile-audit-{}", records[0].audit_id),
        ];
        assert_eq!(told, expected, "[{label}] one notice per unmasked read");
        for notice in &notices {
            assert_eq!(notice.customer_id, id, "[{label}]");
            let Some(reminder::event::Kind::SensitiveQuery(query)) = &notice.kind else {
                panic!("[{label}] a sensitive-query event: {notice:?}");
            };
            assert_eq!(
                (query.client.as_str(), query.what.as_str()),
                ("hall-7", "姓名、手机号码、出生日期、证件信息"),
                "[{label}]"
            );
        }
    }
}

#[tokio::test]
async fn erasure_is_audited_with_who_and_what() {
    for mut svc in services().await {
        let label = svc.label;
        let request = pb::CreateCustomerRequest {
            customer: Some(customer("13800138000", "张三丰")),
            request_id: String::new(),
        };
        let id = svc
            .client
            .create_customer(as_caller(&web(), request))
            .await
            .unwrap()
            .into_inner()
            .customer
            .unwrap()
            .customer_id;
        let admin = vipcare_runtime::Caller::new("privacy-desk", "admin", &["customer:erase"]);
        let erase = pb::EraseCustomerRequest {
            customer_id: id.clone(),
            reason: "GDPR-like request 7".into(),
            request_id: "e-1".into(),
        };
        svc.client
            .erase_customer(as_caller(&admin, erase.clone()))
            .await
            .unwrap();
        svc.client
            .erase_customer(as_caller(&admin, erase))
            .await
            .unwrap();
        let records = audit_records(&mut svc, &id).await;
        assert_eq!(records.len(), 1, "[{label}] one erasure, one record");
        assert_eq!(
            (records[0].action.as_str(), records[0].client.as_str()),
            ("EraseCustomer", "privacy-desk"),
            "[{label}]"
        );
        assert_eq!(
            records[0].channel,
            common::Channel::Admin as i32,
            "[{label}]"
        );
        assert!(
            records[0].fields.contains(&"msisdn".to_string()),
            "[{label}] {:?}",
            records[0].fields
        );
        // An erased customer has nothing personal left: reading it unmasked is not audited.
        get(&mut svc, &clerk(), &id).await.unwrap();
        assert_eq!(audit_records(&mut svc, &id).await.len(), 1, "[{label}]");
    }
}

#[tokio::test]
async fn an_unknown_number_is_not_repeated_back() {
    for mut svc in services().await {
        let label = svc.label;
        for caller in [clerk(), web()] {
            let request = pb::GetCustomerRequest {
                lookup: Some(Lookup::Msisdn("13912345678".into())),
            };
            let status = svc
                .client
                .get_customer(as_caller(&caller, request))
                .await
                .unwrap_err();
            assert_eq!(status.code(), tonic::Code::NotFound, "[{label}]");
            let details = String::from_utf8_lossy(status.details());
            for part in ["13912345678", "139****5678", "5678"] {
                assert!(
                    !status.message().contains(part) && !details.contains(part),
                    "[{label}] {} repeats {part}: {status:?}",
                    caller.client
                );
            }
        }
    }
}

#[tokio::test]
async fn a_batch_read_answers_masked_in_order_names_the_missing_and_audits_nothing() {
    for mut svc in services().await {
        let label = svc.label;
        let first = create(&mut svc, customer("13800138001", "张三丰")).await;
        let second = create(&mut svc, customer("13800138002", "李四")).await;
        let unknown = "0192f0c8-7d8e-7000-8000-00000000beef".to_owned();
        let before = audit_records(&mut svc, &first.customer_id).await.len();
        let ids = vec![
            second.customer_id.clone(),
            unknown.clone(),
            first.customer_id.clone(),
            second.customer_id.clone(),
        ];
        // Even a caller with `pii:read` gets masked customers in bulk.
        let request = pb::BatchGetCustomersRequest { customer_ids: ids };
        let answer = svc
            .client
            .batch_get_customers(as_caller(&clerk(), request))
            .await
            .unwrap()
            .into_inner();
        let got: Vec<(&str, &str, bool)> = answer
            .customers
            .iter()
            .map(|c| (c.customer_id.as_str(), c.name.as_str(), c.pii_masked))
            .collect();
        assert_eq!(
            got,
            [
                (second.customer_id.as_str(), "李*", true),
                (first.customer_id.as_str(), "张**", true),
            ],
            "[{label}] once each, in the order asked"
        );
        assert_eq!(answer.customers[1].msisdn, "138****8001", "[{label}]");
        assert_eq!(answer.missing_customer_ids, [unknown], "[{label}]");
        assert_eq!(
            audit_records(&mut svc, &first.customer_id).await.len(),
            before,
            "[{label}] a masked read is not audited"
        );

        let bad = pb::BatchGetCustomersRequest {
            customer_ids: vec![first.customer_id.clone(), "not-an-id".into()],
        };
        assert_invalid(
            label,
            svc.client.batch_get_customers(as_caller(&web(), bad)).await,
            "customer_ids[1]",
        );
        let none = pb::BatchGetCustomersRequest {
            customer_ids: Vec::new(),
        };
        assert_invalid(
            label,
            svc.client
                .batch_get_customers(as_caller(&web(), none))
                .await,
            "customer_ids",
        );
        let too_many = pb::BatchGetCustomersRequest {
            customer_ids: vec![first.customer_id.clone(); 501],
        };
        assert_invalid(
            label,
            svc.client
                .batch_get_customers(as_caller(&web(), too_many))
                .await,
            "customer_ids",
        );
    }
}
