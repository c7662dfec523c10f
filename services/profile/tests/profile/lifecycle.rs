//! Lists, erasure, and the cached GetCustomer following every write.

use prost_types::FieldMask;
use tonic::Code;
use vipcare_proto::profile::v1 as pb;

use crate::harness::*;

async fn list(svc: &mut Service, request: pb::ListCustomersRequest) -> pb::ListCustomersResponse {
    svc.client
        .list_customers(as_caller(&web(), request))
        .await
        .unwrap()
        .into_inner()
}

#[tokio::test]
async fn lists_page_in_id_order_with_stable_tokens_and_filter() {
    for mut svc in services().await {
        let label = svc.label;
        let mut ids: Vec<String> = create_many(&mut svc, 7)
            .await
            .into_iter()
            .map(|c| c.customer_id)
            .collect();
        let mut seen = Vec::new();
        let mut token = String::new();
        let mut pages = Vec::new();
        loop {
            let page = list(
                &mut svc,
                pb::ListCustomersRequest {
                    page_size: 3,
                    page_token: token,
                    ..Default::default()
                },
            )
            .await;
            pages.push(page.customers.len());
            seen.extend(page.customers.into_iter().map(|c| c.customer_id));
            if pages.len() == 1 {
                // A customer created mid-listing must not shift the pages already handed out.
                ids.push(
                    create(&mut svc, customer("13700137000", "赵六"))
                        .await
                        .customer_id,
                );
            }
            if page.next_page_token.is_empty() {
                break;
            }
            token = page.next_page_token;
        }
        assert_eq!(pages, [3, 3, 2], "[{label}]");
        assert_eq!(
            seen, ids,
            "[{label}] every customer once, in creation order"
        );

        let mut other = customer("13600136000", "钱七");
        other.region_code = "110100".into();
        other.account_manager_id = "am-2".into();
        other.group = Some(pb::GroupMembership {
            group_id: "g-2".into(),
            ..Default::default()
        });
        other.status = pb::CustomerStatus::Suspended as i32;
        let other = create(&mut svc, other).await.customer_id;
        for request in [
            pb::ListCustomersRequest {
                region_code: "110100".into(),
                ..Default::default()
            },
            pb::ListCustomersRequest {
                account_manager_id: "am-2".into(),
                ..Default::default()
            },
            pb::ListCustomersRequest {
                group_id: "g-2".into(),
                ..Default::default()
            },
            pb::ListCustomersRequest {
                status: pb::CustomerStatus::Suspended as i32,
                ..Default::default()
            },
        ] {
            let found: Vec<String> = list(&mut svc, request.clone())
                .await
                .customers
                .into_iter()
                .map(|c| c.customer_id)
                .collect();
            assert_eq!(found, std::slice::from_ref(&other), "[{label}] {request:?}");
        }
        let all_active = list(
            &mut svc,
            pb::ListCustomersRequest {
                status: pb::CustomerStatus::Active as i32,
                ..Default::default()
            },
        )
        .await;
        assert_eq!(all_active.customers.len(), 8, "[{label}]");

        for (request, field) in [
            (
                pb::ListCustomersRequest {
                    page_size: -1,
                    ..Default::default()
                },
                "page_size",
            ),
            (
                pb::ListCustomersRequest {
                    page_token: "garbage".into(),
                    ..Default::default()
                },
                "page_token",
            ),
            (
                pb::ListCustomersRequest {
                    region_code: "11".into(),
                    ..Default::default()
                },
                "region_code",
            ),
            (
                pb::ListCustomersRequest {
                    status: 12,
                    ..Default::default()
                },
                "status",
            ),
        ] {
            assert_invalid(label, svc.client.list_customers(request).await, field);
        }
    }
}

#[tokio::test]
async fn page_size_is_clamped_to_500() {
    for mut svc in services().await {
        create_many(&mut svc, 503).await;
        let first = list(
            &mut svc,
            pb::ListCustomersRequest {
                page_size: 10_000,
                ..Default::default()
            },
        )
        .await;
        assert_eq!(first.customers.len(), 500, "[{}]", svc.label);
        let rest = list(
            &mut svc,
            pb::ListCustomersRequest {
                page_token: first.next_page_token,
                ..Default::default()
            },
        )
        .await;
        assert_eq!(
            rest.customers.len(),
            3,
            "[{}] 0 means the default of 50",
            svc.label
        );
        assert!(rest.next_page_token.is_empty(), "[{}]", svc.label);
    }
}

#[tokio::test]
async fn erasure_anonymises_frees_the_msisdn_and_is_idempotent() {
    for mut svc in services().await {
        let label = svc.label;
        let created = create(&mut svc, customer("13800138000", "张三丰")).await;
        let id = created.customer_id.clone();
        let erase = pb::EraseCustomerRequest {
            customer_id: id.clone(),
            reason: "ticket PR-7".into(),
            request_id: String::new(),
        };
        let erased = svc
            .client
            .erase_customer(as_caller(&clerk(), erase.clone()))
            .await
            .unwrap()
            .into_inner()
            .customer
            .unwrap();
        assert_eq!(
            (erased.name.as_str(), erased.msisdn.as_str()),
            ("已注销", ""),
            "[{label}]"
        );
        assert!(
            erased.erase_time.is_some()
                && erased.birth_date.is_none()
                && erased.id_document.is_none(),
            "[{label}]"
        );
        assert!(
            erased.occupation.is_empty() && erased.interests.is_empty(),
            "[{label}]"
        );
        assert_eq!(
            erased.group.as_ref().unwrap().group_id,
            "g-1",
            "[{label}] aggregates are kept"
        );
        assert_eq!(erased.plan_code, "P188", "[{label}]");
        let audit = svc
            .client
            .list_audit_records(as_caller(
                &clerk(),
                pb::ListAuditRecordsRequest {
                    customer_id: id.clone(),
                    ..Default::default()
                },
            ))
            .await
            .unwrap()
            .into_inner()
            .records;
        assert!(
            audit
                .iter()
                .any(|r| r.action == "EraseCustomer" && r.reason == "ticket PR-7"),
            "[{label}] the erasure and its reason are in the audit trail: {audit:?}"
        );

        let again = svc
            .client
            .erase_customer(as_caller(&clerk(), erase))
            .await
            .unwrap()
            .into_inner()
            .customer
            .unwrap();
        assert_eq!(again, erased, "[{label}] erasing twice changes nothing");

        let by_old_number = pb::GetCustomerRequest {
            lookup: Some(Lookup::Msisdn("13800138000".into())),
        };
        assert_eq!(
            code(
                svc.client
                    .get_customer(as_caller(&web(), by_old_number))
                    .await
            ),
            Code::NotFound,
            "[{label}]"
        );
        let newcomer = create(&mut svc, customer("13800138000", "孙八")).await;
        assert_ne!(
            newcomer.customer_id, id,
            "[{label}] the number is free again"
        );

        let update = pb::UpdateCustomerRequest {
            customer: Some(pb::Customer {
                customer_id: id.clone(),
                etag: erased.etag.clone(),
                name: "张三".into(),
                ..Default::default()
            }),
            update_mask: Some(FieldMask {
                paths: vec!["name".into()],
            }),
        };
        assert_eq!(
            code(
                svc.client
                    .update_customer(as_caller(&clerk(), update))
                    .await
            ),
            Code::FailedPrecondition,
            "[{label}]"
        );
    }
}
