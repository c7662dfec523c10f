//! What a customer is worth and what the front line sees: relations, a billing feed with bad
//! rows, value summaries with household ARPU, the account manager's work log, the composed
//! customer view (fresh right after a write) and the hotline's caller look-up.

use futures::StreamExt;
use prost_types::FieldMask;
use vipcare_e2e::sample::{customer, months_ago, months_ahead};
use vipcare_e2e::suite::ProfileApi;
use vipcare_e2e::{ApiClient, Suite};
use vipcare_proto::common::v1::Channel;
use vipcare_proto::gateway::v1::{CustomerView, GetCustomerViewRequest, get_customer_view_request};
use vipcare_proto::profile::v1::{
    AddRelationRequest, AddServiceNoteRequest, CreateCustomerRequest, Customer,
    GetValueSummaryRequest, ImportConsumptionRequest, ListAuditRecordsRequest,
    ListRelationsRequest, ListServiceNotesRequest, NoteKind, RecordConsumptionRequest,
    RelationKind, SpendTrend, StreamValueSummariesRequest, UpdateCustomerRequest, ValueSummary,
};
use vipcare_testkit::TestEnv;
use vipcare_testkit::status::violated_field;

mod hotline;

/// The three customers of the flow.
struct Household {
    head: Customer,
    spouse: Customer,
    friend: Customer,
}

#[tokio::test]
async fn household_value_notes_and_the_customer_view() {
    for env in TestEnv::all().await {
        let suite = Suite::start(&env).await;
        let household = related_customers(&suite).await;
        billing_feed_keeps_good_rows_and_explains_bad_ones(&suite, &household).await;
        value_summary_counts_the_family(&suite, &household).await;
        work_log_lists_newest_first(&suite, &household).await;
        customer_view_is_fresh_after_every_write(&suite, &household).await;
        hotline::finds_the_caller(&suite, &household).await;
        batch_stream_covers_every_customer(&suite, &household).await;
        // With clients still connected, as in production.
        suite.stop_gracefully().await;
    }
}

async fn create(api: &mut ProfileApi, msisdn: &str, name: &str) -> Customer {
    api.create_customer(CreateCustomerRequest {
        customer: Some(customer(msisdn, name)),
        request_id: String::new(),
    })
    .await
    .expect("create customer")
    .into_inner()
    .customer
    .expect("a created customer")
}

async fn summary(suite: &Suite, customer_id: &str) -> ValueSummary {
    suite
        .profile(ApiClient::Hall)
        .get_value_summary(GetValueSummaryRequest {
            customer_id: customer_id.to_owned(),
            period: String::new(),
        })
        .await
        .expect("value summary")
        .into_inner()
        .summary
        .expect("a summary")
}

async fn view(suite: &Suite, client: ApiClient, customer_id: &str) -> CustomerView {
    suite
        .channel_api(client)
        .get_customer_view(GetCustomerViewRequest {
            lookup: Some(get_customer_view_request::Lookup::CustomerId(
                customer_id.to_owned(),
            )),
        })
        .await
        .expect("customer view")
        .into_inner()
        .view
        .expect("a view")
}

async fn related_customers(suite: &Suite) -> Household {
    let label = suite.label;
    let mut hall = suite.profile(ApiClient::Hall);
    let household = Household {
        head: create(&mut hall, "13600136000", "王建国").await,
        spouse: create(&mut hall, "13600136001", "李秀英").await,
        friend: create(&mut hall, "13600136002", "赵磊").await,
    };
    let (head, spouse, friend) = (
        &household.head.customer_id,
        &household.spouse.customer_id,
        &household.friend.customer_id,
    );
    for (related, kind) in [
        (spouse, RelationKind::Family),
        (friend, RelationKind::Referral),
    ] {
        hall.add_relation(AddRelationRequest {
            customer_id: head.clone(),
            related_customer_id: related.clone(),
            kind: kind as i32,
        })
        .await
        .expect("add relation");
    }
    let relations = |id: &str| {
        let mut api = suite.profile(ApiClient::Hall);
        let request = ListRelationsRequest {
            customer_id: id.to_owned(),
            ..Default::default()
        };
        async move {
            let listed = api.list_relations(request).await.expect("list relations");
            let mut found: Vec<(String, i32)> = listed
                .into_inner()
                .relations
                .into_iter()
                .map(|r| (r.related_customer_id, r.kind))
                .collect();
            found.sort_unstable();
            found
        }
    };
    let mut expected = vec![
        (spouse.clone(), RelationKind::Family as i32),
        (friend.clone(), RelationKind::Referral as i32),
    ];
    expected.sort_unstable();
    assert_eq!(relations(head).await, expected, "[{label}]");
    assert_eq!(
        relations(spouse).await,
        vec![(head.clone(), RelationKind::Family as i32)],
        "[{label}] family is mutual"
    );
    household
}

fn row(customer_id: &str, period: &str, spend_fen: i64) -> ImportConsumptionRequest {
    ImportConsumptionRequest {
        customer_id: customer_id.to_owned(),
        period: period.to_owned(),
        spend_fen,
        data_mb: 20_480,
        voice_minutes: 600,
        roaming_fen: 0,
        vas_fen: 1_000,
    }
}

async fn billing_feed_keeps_good_rows_and_explains_bad_ones(suite: &Suite, h: &Household) {
    let label = suite.label;
    let (head, spouse, friend) = (
        h.head.customer_id.as_str(),
        h.spouse.customer_id.as_str(),
        h.friend.customer_id.as_str(),
    );
    let feed = vec![
        row(head, &months_ago(3), 10_000),
        row(head, &months_ago(2), 12_000),
        row(head, &months_ago(1), 14_000),
        row(spouse, &months_ago(3), 5_000),
        row(spouse, &months_ago(2), 5_000),
        row(spouse, &months_ago(1), 5_000),
        row(head, "2024-13", 10_000),
        row(head, &months_ahead(2), 10_000),
        ImportConsumptionRequest {
            data_mb: -1,
            ..row(spouse, &months_ago(4), 5_000)
        },
        ImportConsumptionRequest {
            roaming_fen: 800,
            vas_fen: 300,
            ..row(friend, &months_ago(1), 1_000)
        },
        row(
            "0190a0e6-7a2b-7c3d-8e4f-a1b2c3d4e5f6",
            &months_ago(1),
            9_000,
        ),
        row(friend, &months_ago(1), 3_000),
    ];
    let report = suite
        .profile(ApiClient::Hall)
        .import_consumption(futures::stream::iter(feed))
        .await
        .expect("import consumption")
        .into_inner();
    assert_eq!(
        (report.accepted, report.rejected),
        (7, 5),
        "[{label}] {report:?}"
    );
    let mut rejected: Vec<(i64, &str)> = report
        .rejections
        .iter()
        .map(|r| (r.row, r.field.as_str()))
        .collect();
    rejected.sort_unstable();
    assert_eq!(
        rejected,
        vec![
            (7, "period"),
            (8, "period"),
            (9, "data_mb"),
            (10, "spend_fen"),
            (11, "customer_id"),
        ],
        "[{label}] each bad row named with the field at fault"
    );
    assert!(
        report.rejections.iter().all(|r| !r.reason.is_empty()),
        "[{label}] every rejection says why: {report:?}"
    );

    let status = suite
        .profile(ApiClient::Hall)
        .record_consumption(RecordConsumptionRequest {
            customer_id: spouse.to_owned(),
            period: months_ahead(2),
            spend_fen: 1_000,
            ..Default::default()
        })
        .await
        .expect_err("a future month is refused");
    assert_eq!(violated_field(&status), "period", "[{label}]");
}

async fn value_summary_counts_the_family(suite: &Suite, h: &Household) {
    let label = suite.label;
    let head = summary(suite, &h.head.customer_id).await;
    assert_eq!(head.arpu_3m_fen, 12_000, "[{label}] (10000+12000+14000)/3");
    assert_eq!(head.months_with_data, 3, "[{label}]");
    assert_eq!(head.latest_period, months_ago(1), "[{label}]");
    assert_eq!(
        head.household_arpu_fen, 17_000,
        "[{label}] own 12000 + spouse 5000"
    );
    assert_eq!((head.family_members, head.referrals), (1, 1), "[{label}]");
    assert_eq!(head.spend_trend, SpendTrend::Rising as i32, "[{label}]");
    assert!(head.tenure_months > 12 * 10, "[{label}] joined in 2010");

    // A corrected month replaces the first figure and moves the household at once.
    suite
        .profile(ApiClient::Hall)
        .record_consumption(RecordConsumptionRequest {
            customer_id: h.spouse.customer_id.clone(),
            period: months_ago(1),
            spend_fen: 8_000,
            data_mb: 10_240,
            voice_minutes: 100,
            roaming_fen: 0,
            vas_fen: 0,
        })
        .await
        .expect("record consumption");
    let spouse = summary(suite, &h.spouse.customer_id).await;
    assert_eq!(
        spouse.arpu_3m_fen, 6_000,
        "[{label}] (8000+5000+5000)/3, upserted"
    );
    let head = summary(suite, &h.head.customer_id).await;
    assert_eq!(head.household_arpu_fen, 18_000, "[{label}] 12000 + 6000");
}

async fn work_log_lists_newest_first(suite: &Suite, h: &Household) {
    let label = suite.label;
    let mut hall = suite.profile(ApiClient::Hall);
    let notes = [
        (
            NoteKind::Need,
            "wants a Hong Kong roaming pack before the trip",
            "",
        ),
        (
            NoteKind::Progress,
            "roaming pack 5G-HK-30 activated",
            "am-001",
        ),
    ];
    for (kind, text, author) in notes {
        hall.add_service_note(AddServiceNoteRequest {
            customer_id: h.head.customer_id.clone(),
            kind: kind as i32,
            text: text.to_owned(),
            author: author.to_owned(),
            ..Default::default()
        })
        .await
        .expect("add note");
    }
    let listed = hall
        .list_service_notes(ListServiceNotesRequest {
            customer_id: h.head.customer_id.clone(),
            ..Default::default()
        })
        .await
        .expect("list notes")
        .into_inner()
        .notes;
    let kinds: Vec<i32> = listed.iter().map(|n| n.kind).collect();
    assert_eq!(
        kinds,
        vec![NoteKind::Progress as i32, NoteKind::Need as i32],
        "[{label}] newest first"
    );
    let need = &listed[1];
    assert_eq!(
        need.author,
        ApiClient::Hall.name(),
        "[{label}] author defaults to the client"
    );
    assert_eq!(
        need.channel,
        Channel::Hall as i32,
        "[{label}] channel defaults to the caller's"
    );
    assert_eq!(listed[0].author, "am-001", "[{label}]");
}

async fn customer_view_is_fresh_after_every_write(suite: &Suite, h: &Household) {
    let label = suite.label;
    let id = h.head.customer_id.as_str();
    let before = view(suite, ApiClient::Hall, id).await;
    let customer = before.customer.clone().expect("the profile section");
    assert!(customer.pii_masked, "[{label}]");
    assert_eq!(customer.name, "王**", "[{label}]");
    let value = before.value.clone().expect("the value section");
    assert_eq!(value.household_arpu_fen, 18_000, "[{label}]");
    assert_eq!(before.recent_notes.len(), 2, "[{label}]");
    assert!(
        before.unavailable_sections.is_empty(),
        "[{label}] {before:?}"
    );

    // Read twice so the second answer may come from the cache; then write.
    let _cached = view(suite, ApiClient::Hall, id).await;
    let mut hall = suite.profile(ApiClient::Hall);
    hall.update_customer(UpdateCustomerRequest {
        customer: Some(Customer {
            plan_code: "5G-998".into(),
            ..customer.clone()
        }),
        update_mask: Some(FieldMask {
            paths: vec!["plan_code".into()],
        }),
    })
    .await
    .expect("update plan");
    let after_update = view(suite, ApiClient::Hall, id).await;
    assert_eq!(
        after_update.customer.expect("profile").plan_code,
        "5G-998",
        "[{label}] the view shows the update at once"
    );

    hall.record_consumption(RecordConsumptionRequest {
        customer_id: id.to_owned(),
        period: months_ago(1),
        spend_fen: 20_000,
        ..Default::default()
    })
    .await
    .expect("record consumption");
    hall.add_service_note(AddServiceNoteRequest {
        customer_id: id.to_owned(),
        kind: NoteKind::Care as i32,
        text: "birthday flowers sent".into(),
        ..Default::default()
    })
    .await
    .expect("add note");
    let after_writes = view(suite, ApiClient::Hall, id).await;
    let value = after_writes.value.expect("value");
    assert_eq!(
        value.arpu_3m_fen, 14_000,
        "[{label}] (20000+12000+10000)/3 at once"
    );
    assert_eq!(
        after_writes.recent_notes.first().map(|n| n.kind),
        Some(NoteKind::Care as i32),
        "[{label}] the new note leads at once"
    );

    // With pii:read the view is unmasked, and that read is audited.
    let audits = |suite: &Suite| {
        let mut admin = suite.profile(ApiClient::Admin);
        let request = ListAuditRecordsRequest {
            customer_id: id.to_owned(),
            page_size: 500,
            page_token: String::new(),
        };
        async move {
            let listed = admin.list_audit_records(request).await.expect("audit");
            listed.into_inner().records
        }
    };
    let audited_before = audits(suite).await.len();
    let unmasked = suite
        .channel_api(ApiClient::Admin)
        .get_customer_view(GetCustomerViewRequest {
            lookup: Some(get_customer_view_request::Lookup::Msisdn(
                "13600136000".into(),
            )),
        })
        .await
        .expect("unmasked view")
        .into_inner()
        .view
        .and_then(|v| v.customer)
        .expect("profile");
    assert_eq!(
        (unmasked.name.as_str(), unmasked.msisdn.as_str()),
        ("王建国", "13600136000"),
        "[{label}]"
    );
    let records = audits(suite).await;
    assert!(
        records.len() > audited_before
            && records[0].client == ApiClient::Admin.name()
            && records[0].fields.iter().any(|f| f == "name"),
        "[{label}] the unmasked view was audited: {records:?}"
    );
}

async fn batch_stream_covers_every_customer(suite: &Suite, h: &Household) {
    let label = suite.label;
    let mut stream = suite
        .profile(ApiClient::Admin)
        .stream_value_summaries(StreamValueSummariesRequest {
            start_after_customer_id: String::new(),
            batch_size: 2,
            period: String::new(),
        })
        .await
        .expect("stream value summaries")
        .into_inner();
    let mut ids = Vec::new();
    while let Some(batch) = stream.next().await {
        let batch = batch.expect("a batch");
        assert!(batch.summaries.len() <= 2, "[{label}] batch size honoured");
        ids.extend(batch.summaries.into_iter().map(|s| s.customer_id));
    }
    let mut expected = vec![
        h.head.customer_id.clone(),
        h.spouse.customer_id.clone(),
        h.friend.customer_id.clone(),
    ];
    expected.sort_unstable();
    assert_eq!(ids, expected, "[{label}] every customer once, in id order");
}
