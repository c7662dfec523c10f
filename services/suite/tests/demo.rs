//! The suite in-process on every configured backend: the demo set loaded through the profile
//! service, then read back through the gateway with demo keys the way a hall system would.

use tonic::transport::Channel;
use vipcare_domain::Clock;
use vipcare_proto::gateway::v1::channel_service_client::ChannelServiceClient;
use vipcare_proto::gateway::v1::{GetCustomerViewRequest, get_customer_view_request::Lookup};
use vipcare_proto::profile::v1::ListCustomersRequest;
use vipcare_proto::service_names;
use vipcare_suite::Suite;
use vipcare_suite::demo::load::{self, Outcome};
use vipcare_suite::demo::{Credentials, DemoKeys, DemoSet, SEED, profile_client};
use vipcare_testkit::{TestEnv, wait_serving};

/// Small, so the test is quick; the binary loads 1,200.
const CUSTOMERS: usize = 60;

async fn connect(addr: std::net::SocketAddr) -> Channel {
    Channel::from_shared(format!("http://{addr}"))
        .unwrap()
        .connect()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_data_reads_back_through_the_gateway_masked_and_loads_once() {
    for env in TestEnv::all().await {
        scenario(&env).await;
    }
}

async fn scenario(env: &TestEnv) {
    let label = env.label;
    let keys = DemoKeys::generate();
    let mut settings: vipcare_suite::Settings = env.settings();
    keys.register(&mut settings.gateway.clients);
    let suite = Suite::start(settings).await.expect(label);
    wait_serving(suite.gateway_addr(), service_names::CHANNEL).await;

    let set = DemoSet::generate(CUSTOMERS, vipcare_domain::SystemClock.today(), SEED);
    let admin = Credentials::internal(&keys.admin().caller(), suite.internal_credential());
    let profile = profile_client(connect(suite.profile_addr()).await, admin);
    let Outcome::Loaded(loaded) = load::load_unless_present(&profile, &set)
        .await
        .expect(label)
    else {
        panic!("{label}: a fresh store reported customers");
    };
    assert_eq!(loaded.customer_ids.len(), CUSTOMERS, "{label}");
    assert_eq!(loaded.bills_rejected, 0, "{label}");
    assert_eq!(
        loaded.bills_accepted as usize,
        set.activity.bills.len(),
        "{label}"
    );
    assert_eq!(loaded.relations, set.activity.links.len(), "{label}");

    let again = load::load_unless_present(&profile, &set)
        .await
        .expect(label);
    assert!(
        matches!(again, Outcome::AlreadyPresent(_)),
        "{label}: loaded twice"
    );
    let gateway = connect(suite.gateway_addr()).await;
    let admin_key = Credentials::bearer(&keys.admin().key);
    let listed = profile_client(gateway.clone(), admin_key)
        .list_customers(ListCustomersRequest {
            page_size: 500,
            ..ListCustomersRequest::default()
        })
        .await
        .expect(label)
        .into_inner();
    assert_eq!(
        listed.customers.len(),
        CUSTOMERS,
        "{label}: a second load duplicated"
    );

    let hall = Credentials::bearer(&keys.for_channel("hall").key);
    let mut views = ChannelServiceClient::with_interceptor(gateway, hall);
    // A customer with a full year of bills, a work log and a family.
    let (members, household) = set
        .households
        .iter()
        .flat_map(|h| h.iter().map(move |&i| (h.len(), i)))
        .find(|&(_, i)| set.activity.months_of(i) == 12)
        .expect("the demo set has a family member with a year of bills");
    let person = &set.people[household];
    let request = GetCustomerViewRequest {
        lookup: Some(Lookup::Msisdn(person.customer.msisdn.clone())),
    };
    let view = views
        .get_customer_view(request)
        .await
        .expect(label)
        .into_inner()
        .view
        .expect(label);
    let customer = view.customer.expect(label);
    assert_eq!(
        customer.customer_id, loaded.customer_ids[household],
        "{label}"
    );
    assert_ne!(
        customer.name, person.customer.name,
        "{label}: hall saw the full name"
    );
    assert!(
        customer.name.contains('*'),
        "{label}: {} is not masked",
        customer.name
    );
    let surname = person.customer.name.chars().next().unwrap();
    assert!(
        customer.name.starts_with(surname),
        "{label}: {} lost the surname",
        customer.name
    );
    assert!(customer.pii_masked, "{label}");
    let value = view.value.expect(label);
    assert_eq!(value.months_with_data, 12, "{label}");
    assert!(value.arpu_12m_fen > 0, "{label}");
    assert_eq!(
        value.family_members as usize,
        members - 1,
        "{label}: family relations"
    );

    let noted = set.activity.notes.first().expect("the demo set has notes");
    let request = GetCustomerViewRequest {
        lookup: Some(Lookup::CustomerId(
            loaded.customer_ids[noted.person].clone(),
        )),
    };
    let view = views
        .get_customer_view(request)
        .await
        .expect(label)
        .into_inner();
    let notes = view.view.expect(label).recent_notes;
    assert!(
        notes.iter().any(|n| n.text == noted.text),
        "{label}: the work log entry {:?} is not in the view",
        noted.text
    );

    suite.shutdown().await.expect(label);
}
