//! GetCustomer is served through the cache; every write must show on the next read.

use prost_types::FieldMask;
use tonic::Code;
use vipcare_proto::profile::v1 as pb;

use crate::harness::*;

#[tokio::test]
async fn a_write_invalidates_the_cached_customer() {
    for mut svc in services().await {
        let label = svc.label;
        let created = create(&mut svc, customer("13800138000", "张三丰")).await;
        let id = created.customer_id.clone();
        let by_msisdn = |m: &str| pb::GetCustomerRequest {
            lookup: Some(Lookup::Msisdn(m.into())),
        };
        // Masked reads fill the cache, by id and by number.
        assert_eq!(
            get(&mut svc, &web(), &id).await.unwrap().occupation,
            "engineer"
        );
        svc.client
            .get_customer(as_caller(&web(), by_msisdn("13800138000")))
            .await
            .unwrap();

        let update = pb::UpdateCustomerRequest {
            customer: Some(pb::Customer {
                customer_id: id.clone(),
                etag: created.etag.clone(),
                occupation: "teacher".into(),
                msisdn: "13900139000".into(),
                ..Default::default()
            }),
            update_mask: Some(FieldMask {
                paths: vec!["occupation".into(), "msisdn".into()],
            }),
        };
        svc.client
            .update_customer(as_caller(&clerk(), update))
            .await
            .unwrap();

        let after = get(&mut svc, &web(), &id).await.unwrap();
        assert_eq!(
            (after.occupation.as_str(), after.msisdn.as_str()),
            ("teacher", "139****9000"),
            "[{label}]"
        );
        let old = svc
            .client
            .get_customer(as_caller(&web(), by_msisdn("13800138000")))
            .await;
        assert_eq!(
            code(old),
            Code::NotFound,
            "[{label}] the old number no longer resolves"
        );
        let new = svc
            .client
            .get_customer(as_caller(&web(), by_msisdn("13900139000")))
            .await
            .unwrap();
        assert_eq!(
            new.into_inner().customer.unwrap().customer_id,
            id,
            "[{label}]"
        );

        let erase = pb::EraseCustomerRequest {
            customer_id: id.clone(),
            ..Default::default()
        };
        svc.client
            .erase_customer(as_caller(&clerk(), erase))
            .await
            .unwrap();
        assert_eq!(
            get(&mut svc, &web(), &id).await.unwrap().name,
            "已注销",
            "[{label}]"
        );
    }
}
