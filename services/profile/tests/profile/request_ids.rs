//! request_id on CreateCustomer, EraseCustomer and AddServiceNote: a repeat answers the first
//! result and acts once; keys belong to the calling client and method; a key reused with
//! another request is INVALID_ARGUMENT on `request_id` and nothing happens; concurrent calls
//! with one key act once.

use futures::future::join_all;
use vipcare_proto::profile::v1 as pb;
use vipcare_runtime::Caller;

use crate::harness::*;

fn create_request(msisdn: &str, name: &str, request_id: &str) -> pb::CreateCustomerRequest {
    pb::CreateCustomerRequest {
        customer: Some(customer(msisdn, name)),
        request_id: request_id.into(),
    }
}

async fn count_customers(svc: &mut Service) -> usize {
    svc.client
        .list_customers(as_caller(&clerk(), pb::ListCustomersRequest::default()))
        .await
        .unwrap()
        .into_inner()
        .customers
        .len()
}

#[tokio::test]
async fn a_repeated_create_answers_the_first_customer_and_creates_one() {
    for mut svc in services().await {
        let label = svc.label;
        let request = create_request("13800138000", "张三丰", "crm-42");
        let first = svc
            .client
            .create_customer(as_caller(&clerk(), request.clone()))
            .await
            .unwrap()
            .into_inner();
        let repeat = svc
            .client
            .create_customer(as_caller(&clerk(), request))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(repeat.customer, first.customer, "[{label}]");
        assert_eq!(count_customers(&mut svc).await, 1, "[{label}]");
    }
}

#[tokio::test]
async fn a_create_key_reused_for_another_customer_is_refused_and_creates_nothing() {
    for mut svc in services().await {
        let label = svc.label;
        svc.client
            .create_customer(as_caller(
                &clerk(),
                create_request("13800138000", "张三丰", "crm-42"),
            ))
            .await
            .unwrap();
        let reused = svc
            .client
            .create_customer(as_caller(
                &clerk(),
                create_request("13900139000", "李四", "crm-42"),
            ))
            .await;
        assert_invalid(label, reused, "request_id");
        assert_eq!(
            count_customers(&mut svc).await,
            1,
            "[{label}] nothing created"
        );
    }
}

#[tokio::test]
async fn two_clients_may_use_the_same_request_id() {
    for mut svc in services().await {
        let label = svc.label;
        let other = Caller::new("hall-8", "hall", &["customer:read", "pii:read"]);
        for (caller, msisdn) in [(clerk(), "13800138000"), (other, "13900139000")] {
            svc.client
                .create_customer(as_caller(
                    &caller,
                    create_request(msisdn, "张三丰", "crm-1"),
                ))
                .await
                .unwrap_or_else(|s| panic!("[{label}] {}: {s:?}", caller.client));
        }
        assert_eq!(count_customers(&mut svc).await, 2, "[{label}]");
    }
}

#[tokio::test]
async fn concurrent_creates_with_one_key_create_one_customer() {
    for svc in services().await {
        let label = svc.label;
        let request = create_request("13800138000", "张三丰", "crm-7");
        let calls = (0..8).map(|_| {
            let mut client = svc.client.clone();
            let request = as_caller(&clerk(), request.clone());
            async move { client.create_customer(request).await }
        });
        let answers: Vec<_> = join_all(calls).await;
        let ids: Vec<String> = answers
            .into_iter()
            .map(|a| {
                let a = a.unwrap_or_else(|s| panic!("[{label}] every call answers: {s:?}"));
                a.into_inner().customer.unwrap().customer_id
            })
            .collect();
        assert!(ids.iter().all(|id| *id == ids[0]), "[{label}] {ids:?}");
        let mut svc = svc;
        assert_eq!(count_customers(&mut svc).await, 1, "[{label}]");
    }
}

#[tokio::test]
async fn an_erase_key_reused_for_another_customer_erases_nothing() {
    for mut svc in services().await {
        let label = svc.label;
        let first = create(&mut svc, customer("13800138000", "张三丰")).await;
        let second = create(&mut svc, customer("13900139000", "李四")).await;
        let admin = Caller::new("privacy-desk", "admin", &["customer:erase", "pii:read"]);
        let erase = |id: &str| pb::EraseCustomerRequest {
            customer_id: id.into(),
            reason: "customer asked".into(),
            request_id: "erase-1".into(),
        };
        svc.client
            .erase_customer(as_caller(&admin, erase(&first.customer_id)))
            .await
            .unwrap();
        let reused = svc
            .client
            .erase_customer(as_caller(&admin, erase(&second.customer_id)))
            .await;
        assert_invalid(label, reused, "request_id");
        let still = get(&mut svc, &clerk(), &second.customer_id).await.unwrap();
        assert_eq!(
            still.name, "李四",
            "[{label}] the second customer is not erased"
        );
        // The same erase again answers the first result.
        let again = svc
            .client
            .erase_customer(as_caller(&admin, erase(&first.customer_id)))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(
            again.customer.unwrap().customer_id,
            first.customer_id,
            "[{label}]"
        );
    }
}

#[tokio::test]
async fn a_note_key_reused_with_other_text_is_refused() {
    for mut svc in services().await {
        let label = svc.label;
        let id = create(&mut svc, customer("13800138000", "张三丰"))
            .await
            .customer_id;
        let note = |text: &str| pb::AddServiceNoteRequest {
            customer_id: id.clone(),
            kind: pb::NoteKind::Need as i32,
            text: text.into(),
            request_id: "note-1".into(),
            ..Default::default()
        };
        let first = svc
            .client
            .add_service_note(as_caller(&clerk(), note("visited at home")))
            .await
            .unwrap()
            .into_inner();
        let repeat = svc
            .client
            .add_service_note(as_caller(&clerk(), note("visited at home")))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(repeat, first, "[{label}]");
        let reused = svc
            .client
            .add_service_note(as_caller(&clerk(), note("called")))
            .await;
        assert_invalid(label, reused, "request_id");
        let listed = svc
            .client
            .list_service_notes(as_caller(
                &clerk(),
                pb::ListServiceNotesRequest {
                    customer_id: id.clone(),
                    ..Default::default()
                },
            ))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(listed.notes.len(), 1, "[{label}] one note");
    }
}
