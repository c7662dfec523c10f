//! Keeping customers: validation, duplicates, idempotent creates, masked and unmasked reads with
//! their audit trail, updates by field mask and etag, filtered paging, and privacy erasure.

use prost_types::FieldMask;
use tonic::Code;
use vipcare_e2e::sample::customer;
use vipcare_e2e::suite::ProfileApi;
use vipcare_e2e::{ApiClient, Suite};
use vipcare_proto::common::v1::{ClockTime, Date};
use vipcare_proto::profile::v1::get_customer_request::Lookup;
use vipcare_proto::profile::v1::{
    CreateCustomerRequest, Customer, CustomerStatus, EraseCustomerRequest, GetCustomerRequest,
    ListAuditRecordsRequest, ListCustomersRequest, UpdateCustomerRequest,
};
use vipcare_testkit::TestEnv;
use vipcare_testkit::status::violated_field;

#[tokio::test]
async fn customers_are_kept_masked_audited_and_erased() {
    for env in TestEnv::all().await {
        let suite = Suite::start(&env).await;
        let first = bad_input_is_refused_and_creates_are_idempotent(&suite).await;
        reads_are_masked_unless_the_caller_may_see_pii(&suite, &first).await;
        updates_follow_the_mask_and_refuse_stale_etags(&suite, &first).await;
        lists_filter_and_page(&suite).await;
        erasure_removes_personal_data_and_releases_the_number(&suite, &first).await;
        // With clients still connected, as in production.
        suite.stop_gracefully().await;
    }
}

async fn create(api: &mut ProfileApi, customer: Customer, request_id: &str) -> Customer {
    api.create_customer(CreateCustomerRequest {
        customer: Some(customer),
        request_id: request_id.to_owned(),
    })
    .await
    .expect("create customer")
    .into_inner()
    .customer
    .expect("a created customer")
}

async fn get(api: &mut ProfileApi, lookup: Lookup) -> Result<Customer, tonic::Status> {
    let response = api
        .get_customer(GetCustomerRequest {
            lookup: Some(lookup),
        })
        .await?;
    Ok(response.into_inner().customer.expect("a customer"))
}

async fn count_customers(api: &mut ProfileApi) -> usize {
    let request = ListCustomersRequest {
        page_size: 500,
        ..Default::default()
    };
    let listed = api.list_customers(request).await.expect("list customers");
    listed.into_inner().customers.len()
}

/// Returns the first customer (13800138000, 张三丰), created by the hall.
async fn bad_input_is_refused_and_creates_are_idempotent(suite: &Suite) -> Customer {
    let label = suite.label;
    let mut hall = suite.profile(ApiClient::Hall);

    let refused = [
        (customer("12345", "张三丰"), "customer.msisdn"),
        (customer("13800138000", &"张".repeat(65)), "customer.name"),
        (
            Customer {
                gender: 99,
                ..customer("13800138000", "张三丰")
            },
            "customer.gender",
        ),
    ];
    for (bad, field) in refused {
        let status = hall
            .create_customer(CreateCustomerRequest {
                customer: Some(bad),
                request_id: String::new(),
            })
            .await
            .expect_err("bad input is refused");
        assert_eq!(violated_field(&status), field, "[{label}] {status:?}");
    }
    assert_eq!(
        count_customers(&mut suite.profile(ApiClient::Admin)).await,
        0,
        "[{label}] a refused create wrote something"
    );

    let created = create(&mut hall, customer("13800138000", "张三丰"), "").await;
    assert!(!created.customer_id.is_empty(), "[{label}] no id assigned");
    assert!(!created.etag.is_empty(), "[{label}] no etag");
    assert!(created.pii_masked, "[{label}] the hall has no pii:read");
    assert_eq!(created.name, "张**", "[{label}]");
    assert_eq!(created.msisdn, "138****8000", "[{label}]");
    assert_eq!(
        created.status,
        CustomerStatus::Active as i32,
        "[{label}] new customers are active"
    );
    let quiet = created
        .contact_preferences
        .as_ref()
        .and_then(|p| p.quiet_hours.clone())
        .expect("default quiet hours");
    assert_eq!(
        (quiet.start, quiet.end, quiet.time_zone.as_str()),
        (
            Some(ClockTime {
                hours: 22,
                minutes: 0
            }),
            Some(ClockTime {
                hours: 8,
                minutes: 0
            }),
            "Asia/Shanghai"
        ),
        "[{label}] default quiet hours"
    );

    let duplicate = hall
        .create_customer(CreateCustomerRequest {
            customer: Some(customer("13800138000", "李四")),
            request_id: String::new(),
        })
        .await
        .expect_err("a taken msisdn is refused");
    assert_eq!(
        duplicate.code(),
        Code::AlreadyExists,
        "[{label}] {duplicate:?}"
    );

    let once = create(&mut hall, customer("13900139000", "李四"), "hall-req-0001").await;
    let again = create(&mut hall, customer("13900139000", "李四"), "hall-req-0001").await;
    assert_eq!(
        once.customer_id, again.customer_id,
        "[{label}] a repeated request_id returns the first result"
    );
    assert_eq!(
        count_customers(&mut suite.profile(ApiClient::Admin)).await,
        2,
        "[{label}] the repeat created nothing"
    );
    created
}

async fn audit_records(
    suite: &Suite,
    customer_id: &str,
) -> Vec<vipcare_proto::profile::v1::AuditRecord> {
    suite
        .profile(ApiClient::Admin)
        .list_audit_records(ListAuditRecordsRequest {
            customer_id: customer_id.to_owned(),
            page_size: 500,
            page_token: String::new(),
        })
        .await
        .expect("list audit records")
        .into_inner()
        .records
}

async fn reads_are_masked_unless_the_caller_may_see_pii(suite: &Suite, first: &Customer) {
    let label = suite.label;
    let id = first.customer_id.clone();
    let mut hall = suite.profile(ApiClient::Hall);
    let by_id = get(&mut hall, Lookup::CustomerId(id.clone()))
        .await
        .expect("get by id");
    let by_msisdn = get(&mut hall, Lookup::Msisdn("13800138000".into()))
        .await
        .expect("get by msisdn");
    for masked in [&by_id, &by_msisdn] {
        assert_eq!(masked.customer_id, id, "[{label}]");
        assert!(masked.pii_masked, "[{label}]");
        assert_eq!(masked.name, "张**", "[{label}]");
        assert_eq!(masked.msisdn, "138****8000", "[{label}]");
        assert_eq!(
            masked.birth_date,
            Some(Date {
                year: 1980,
                month: 0,
                day: 0
            }),
            "[{label}] only the birth year is shown"
        );
        let document = masked.id_document.as_ref().expect("id document");
        assert_eq!(document.number, "**************019X", "[{label}]");
        assert_eq!(
            masked.plan_code, "5G-398",
            "[{label}] plain fields are shown"
        );
    }
    let before = audit_records(suite, &id).await.len();

    let mut admin = suite.profile(ApiClient::Admin);
    let full = get(&mut admin, Lookup::Msisdn("13800138000".into()))
        .await
        .expect("unmasked get");
    assert!(!full.pii_masked, "[{label}] the admin holds pii:read");
    assert_eq!(
        (full.name.as_str(), full.msisdn.as_str()),
        ("张三丰", "13800138000"),
        "[{label}]"
    );
    assert_eq!(
        full.birth_date,
        Some(Date {
            year: 1980,
            month: 6,
            day: 15
        }),
        "[{label}]"
    );
    assert_eq!(
        full.id_document.as_ref().map(|d| d.number.as_str()),
        Some("11010519800615019X"),
        "[{label}]"
    );

    let records = audit_records(suite, &id).await;
    assert_eq!(
        records.len(),
        before + 1,
        "[{label}] one unmasked read, one audit record (masked reads write none)"
    );
    let newest = &records[0];
    assert_eq!(newest.client, ApiClient::Admin.name(), "[{label}]");
    assert_eq!(
        newest.channel,
        vipcare_proto::common::v1::Channel::Admin as i32,
        "[{label}]"
    );
    assert_eq!(newest.action, "GetCustomer", "[{label}]");
    for field in ["name", "msisdn", "birth_date", "id_document"] {
        assert!(
            newest.fields.iter().any(|f| f == field),
            "[{label}] audit names {field}: {:?}",
            newest.fields
        );
    }
}

async fn updates_follow_the_mask_and_refuse_stale_etags(suite: &Suite, first: &Customer) {
    let label = suite.label;
    let mut hall = suite.profile(ApiClient::Hall);
    let current = get(&mut hall, Lookup::CustomerId(first.customer_id.clone()))
        .await
        .expect("read before update");
    let request = UpdateCustomerRequest {
        customer: Some(Customer {
            plan_code: "5G-598".into(),
            account_manager_id: "am-002".into(),
            // Not in the mask: must stay as it is.
            occupation: "surgeon".into(),
            ..current.clone()
        }),
        update_mask: Some(FieldMask {
            paths: vec!["plan_code".into(), "account_manager_id".into()],
        }),
    };
    let updated = hall
        .update_customer(request.clone())
        .await
        .expect("update")
        .into_inner()
        .customer
        .expect("updated customer");
    assert_eq!(updated.plan_code, "5G-598", "[{label}]");
    assert_eq!(updated.account_manager_id, "am-002", "[{label}]");
    assert_eq!(updated.occupation, "engineer", "[{label}] outside the mask");
    assert_ne!(
        updated.etag, current.etag,
        "[{label}] a write changes the etag"
    );

    let stale = hall
        .update_customer(request)
        .await
        .expect_err("the etag is stale now");
    assert_eq!(stale.code(), Code::Aborted, "[{label}] {stale:?}");

    let reread = get(&mut hall, Lookup::CustomerId(first.customer_id.clone()))
        .await
        .expect("read after update");
    assert_eq!(
        (reread.plan_code.as_str(), reread.etag.as_str()),
        ("5G-598", updated.etag.as_str()),
        "[{label}] a read right after the update sees it"
    );
}

async fn lists_filter_and_page(suite: &Suite) {
    let label = suite.label;
    let mut hall = suite.profile(ApiClient::Hall);
    // Already there: 13800138000 (440100, am-002) and 13900139000 (440100, am-001).
    let mut shanghai = customer("13700137001", "陈一");
    shanghai.region_code = "310000".into();
    shanghai.account_manager_id = "am-002".into();
    let mut suspended = customer("13700137002", "陈二");
    suspended.account_manager_id = "am-003".into();
    suspended.status = CustomerStatus::Suspended as i32;
    let plain = customer("13700137003", "陈三");
    for c in [shanghai, suspended, plain] {
        create(&mut hall, c, "").await;
    }

    let mut pages = Vec::new();
    let mut token = String::new();
    loop {
        let page = hall
            .list_customers(ListCustomersRequest {
                page_size: 3,
                page_token: token.clone(),
                region_code: "440100".into(),
                ..Default::default()
            })
            .await
            .expect("list a page")
            .into_inner();
        pages.push(page.customers);
        token = page.next_page_token;
        if token.is_empty() {
            break;
        }
        assert!(pages.len() < 10, "[{label}] paging never ends");
    }
    let sizes: Vec<usize> = pages.iter().map(Vec::len).collect();
    assert_eq!(
        sizes,
        vec![3, 1],
        "[{label}] 4 customers in 440100, 3 per page"
    );
    let mut ids: Vec<&str> = pages
        .iter()
        .flatten()
        .map(|c| c.customer_id.as_str())
        .collect();
    assert!(
        pages
            .iter()
            .flatten()
            .all(|c| c.region_code == "440100" && c.pii_masked),
        "[{label}] filtered and masked"
    );
    let listed = ids.clone();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids, listed, "[{label}] id order, no repeats across pages");

    let cases = [
        (
            ListCustomersRequest {
                account_manager_id: "am-002".into(),
                ..Default::default()
            },
            vec!["13700137001", "13800138000"],
        ),
        (
            ListCustomersRequest {
                status: CustomerStatus::Suspended as i32,
                ..Default::default()
            },
            vec!["13700137002"],
        ),
        (
            ListCustomersRequest {
                region_code: "440100".into(),
                account_manager_id: "am-001".into(),
                ..Default::default()
            },
            vec!["13700137003", "13900139000"],
        ),
    ];
    let mut admin = suite.profile(ApiClient::Admin);
    for (request, expected) in cases {
        let found = admin
            .list_customers(request.clone())
            .await
            .expect("filtered list")
            .into_inner()
            .customers;
        let mut numbers: Vec<String> = found.into_iter().map(|c| c.msisdn).collect();
        numbers.sort_unstable();
        assert_eq!(numbers, expected, "[{label}] {request:?}");
    }
}

async fn erasure_removes_personal_data_and_releases_the_number(suite: &Suite, first: &Customer) {
    let label = suite.label;
    let id = first.customer_id.clone();
    let mut admin = suite.profile(ApiClient::Admin);
    let erased = admin
        .erase_customer(EraseCustomerRequest {
            customer_id: id.clone(),
            reason: "erasure request #42".into(),
            request_id: "erase-0001".into(),
        })
        .await
        .expect("erase")
        .into_inner()
        .customer
        .expect("erased customer");
    assert!(erased.erase_time.is_some(), "[{label}] erase time set");

    let after = get(&mut admin, Lookup::CustomerId(id.clone()))
        .await
        .expect("an erased customer is still found by id");
    assert!(after.erase_time.is_some(), "[{label}]");
    assert_ne!(
        after.name, "张三丰",
        "[{label}] the name is gone even for pii:read"
    );
    assert_eq!(after.msisdn, "", "[{label}] the number is released");
    assert_eq!(after.birth_date, None, "[{label}]");
    assert_eq!(after.id_document, None, "[{label}]");
    assert_eq!(after.plan_code, "5G-598", "[{label}] business data is kept");

    let gone = get(&mut admin, Lookup::Msisdn("13800138000".into()))
        .await
        .expect_err("nobody has this number now");
    assert_eq!(gone.code(), Code::NotFound, "[{label}] {gone:?}");

    let mut hall = suite.profile(ApiClient::Hall);
    let newcomer = create(&mut hall, customer("13800138000", "周五"), "").await;
    assert_ne!(
        newcomer.customer_id, id,
        "[{label}] the number can be given out again"
    );
}
