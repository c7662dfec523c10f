//! Creating, reading, updating, listing and erasing customers.

use prost_types::FieldMask;
use tonic::Code;
use tonic_types::StatusExt;
use vipcare_proto::profile::v1 as pb;

use crate::harness::*;

#[tokio::test]
async fn create_then_get_by_id_and_by_msisdn() {
    for mut svc in services().await {
        let created = create(&mut svc, customer("13800138000", "张三丰")).await;
        let label = svc.label;
        assert_eq!(
            created.customer_id.len(),
            36,
            "[{label}] server-assigned uuid"
        );
        assert!(!created.etag.is_empty() && !created.pii_masked, "[{label}]");
        assert_eq!(
            created.status,
            pb::CustomerStatus::Active as i32,
            "[{label}] default status"
        );
        let quiet = created
            .contact_preferences
            .as_ref()
            .unwrap()
            .quiet_hours
            .clone()
            .unwrap();
        assert_eq!(
            (
                quiet.start.unwrap().hours,
                quiet.end.unwrap().hours,
                quiet.time_zone.as_str()
            ),
            (22, 8, "Asia/Shanghai"),
            "[{label}] default quiet hours"
        );
        let by_id = get(&mut svc, &clerk(), &created.customer_id).await.unwrap();
        assert_eq!(by_id, created, "[{label}]");
        let request = pb::GetCustomerRequest {
            lookup: Some(Lookup::Msisdn("13800138000".into())),
        };
        let by_msisdn = svc
            .client
            .get_customer(as_caller(&clerk(), request))
            .await
            .unwrap();
        assert_eq!(
            by_msisdn.into_inner().customer.unwrap(),
            created,
            "[{label}]"
        );
    }
}

#[tokio::test]
async fn a_taken_msisdn_is_already_exists() {
    for mut svc in services().await {
        create(&mut svc, customer("13800138000", "张三丰")).await;
        let again = pb::CreateCustomerRequest {
            customer: Some(customer("13800138000", "李四")),
            request_id: String::new(),
        };
        let code = code(svc.client.create_customer(as_caller(&clerk(), again)).await);
        assert_eq!(code, Code::AlreadyExists, "[{}]", svc.label);
    }
}

#[tokio::test]
async fn updates_follow_the_mask_and_refuse_stale_etags() {
    for mut svc in services().await {
        let label = svc.label;
        let created = create(&mut svc, customer("13800138000", "张三丰")).await;
        let mut change = pb::Customer {
            customer_id: created.customer_id.clone(),
            etag: created.etag.clone(),
            name: "张三".into(),
            plan_code: "P288".into(),
            ..Default::default()
        };
        let mask = |paths: &[&str]| {
            Some(FieldMask {
                paths: paths.iter().map(|p| p.to_string()).collect(),
            })
        };
        let request = pb::UpdateCustomerRequest {
            customer: Some(change.clone()),
            update_mask: mask(&["name", "plan_code"]),
        };
        let updated = svc
            .client
            .update_customer(as_caller(&clerk(), request))
            .await
            .unwrap()
            .into_inner()
            .customer
            .unwrap();
        assert_eq!(
            (updated.name.as_str(), updated.plan_code.as_str()),
            ("张三", "P288"),
            "[{label}]"
        );
        assert_eq!(
            updated.occupation, "engineer",
            "[{label}] fields outside the mask are kept"
        );
        assert_ne!(updated.etag, created.etag, "[{label}]");

        // The etag read before the update is stale now.
        change.name = "张四".into();
        let stale = pb::UpdateCustomerRequest {
            customer: Some(change.clone()),
            update_mask: mask(&["name"]),
        };
        assert_eq!(
            code(svc.client.update_customer(as_caller(&clerk(), stale)).await),
            Code::Aborted,
            "[{label}]"
        );
        assert_eq!(
            get(&mut svc, &clerk(), &created.customer_id)
                .await
                .unwrap()
                .name,
            "张三",
            "[{label}]"
        );

        change.etag = updated.etag.clone();
        for (paths, field) in [
            (&["etag"][..], "update_mask"),
            (&["favourite_colour"][..], "update_mask"),
            (&[][..], "update_mask"),
            (&["msisdn"][..], "customer.msisdn"),
            (&["status"][..], "customer.status"),
        ] {
            let request = pb::UpdateCustomerRequest {
                customer: Some(change.clone()),
                update_mask: mask(paths),
            };
            assert_invalid(
                label,
                svc.client
                    .update_customer(as_caller(&clerk(), request))
                    .await,
                field,
            );
        }
        change.etag = String::new();
        let request = pb::UpdateCustomerRequest {
            customer: Some(change),
            update_mask: mask(&["name"]),
        };
        assert_invalid(
            label,
            svc.client
                .update_customer(as_caller(&clerk(), request))
                .await,
            "customer.etag",
        );
    }
}

#[tokio::test]
async fn unknown_and_malformed_ids() {
    for mut svc in services().await {
        let unknown = "01900000-0000-7000-8000-000000000000";
        let status = get(&mut svc, &clerk(), unknown).await.unwrap_err();
        assert_eq!(status.code(), Code::NotFound, "[{}]", svc.label);
        assert_eq!(
            status.get_details_resource_info().unwrap().resource_name,
            unknown
        );
        assert_eq!(
            code(get(&mut svc, &web(), unknown).await),
            Code::NotFound,
            "[{}] masked path",
            svc.label
        );
        assert_invalid(
            svc.label,
            get(&mut svc, &clerk(), "42").await,
            "customer_id",
        );
        let none = pb::GetCustomerRequest { lookup: None };
        assert_invalid(svc.label, svc.client.get_customer(none).await, "lookup");
    }
}

#[tokio::test]
async fn messages_over_four_mebibytes_are_refused() {
    for mut svc in services().await {
        let mut huge = customer("13800138000", "张三丰");
        huge.occupation = "x".repeat(5 * 1024 * 1024);
        let request = pb::CreateCustomerRequest {
            customer: Some(huge),
            request_id: String::new(),
        };
        assert!(
            svc.client.create_customer(request).await.is_err(),
            "[{}]",
            svc.label
        );
        let listed = svc
            .client
            .list_customers(pb::ListCustomersRequest::default())
            .await
            .unwrap();
        assert!(listed.into_inner().customers.is_empty(), "[{}]", svc.label);
    }
}
