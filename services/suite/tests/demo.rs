//! The suite in-process on every configured backend: the demo set loaded through the profile
//! service, then read back through the gateway with demo keys the way a hall system would; the
//! day's reminders sent through the reminder service, shown in the views, and sent only once;
//! the survey history imported once, its slipping hall alerted through the gateway.

use tonic::transport::Channel;
use vipcare_domain::Clock;
use vipcare_proto::common::v1::Touchpoint;
use vipcare_proto::gateway::v1::channel_service_client::ChannelServiceClient;
use vipcare_proto::gateway::v1::{GetCustomerViewRequest, get_customer_view_request::Lookup};
use vipcare_proto::profile::v1::ListCustomersRequest;
use vipcare_proto::reminder::v1::reminder_service_client::ReminderServiceClient;
use vipcare_proto::reminder::v1::{ListRemindersRequest, Reminder, ReminderState};
use vipcare_proto::service_names;
use vipcare_proto::survey::v1::survey_service_client::SurveyServiceClient;
use vipcare_proto::survey::v1::{ListAlertsRequest, ReportGrouping};
use vipcare_suite::Suite;
use vipcare_suite::demo::load::{self, Outcome};
use vipcare_suite::demo::reminders::{self, DayScheduled};
use vipcare_suite::demo::surveys;
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
    let survey_settings = settings.survey();
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
    let mut views = ChannelServiceClient::with_interceptor(gateway.clone(), hall);
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

    day_of_reminders(
        &suite,
        &keys,
        gateway.clone(),
        &person.customer.msisdn,
        &loaded.customer_ids[household],
        label,
    )
    .await;

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

    survey_history(
        &survey_settings,
        &keys,
        gateway,
        &loaded.customer_ids,
        label,
    )
    .await;

    suite.shutdown().await.expect(label);
}

/// The 90 days of answers go in once, and the hall whose front desk slipped this week is
/// alerted through the gateway once the roller (every 5 s) has folded them in.
async fn survey_history(
    settings: &vipcare_survey::Settings,
    keys: &DemoKeys,
    gateway: Channel,
    customer_ids: &[String],
    label: &str,
) {
    let tiered: Vec<(String, String)> = customer_ids
        .iter()
        .map(|id| (id.clone(), "GOLD".to_owned()))
        .collect();
    let now = vipcare_domain::SystemClock.now();
    let loaded = surveys::load_unless_present(settings, &tiered, now)
        .await
        .expect(label);
    assert_eq!(loaded, surveys::RESPONSES, "{label}");
    let again = surveys::load_unless_present(settings, &tiered, now)
        .await
        .expect(label);
    assert_eq!(again, 0, "{label}: imported twice");

    let hall = Credentials::bearer(&keys.for_channel("hall").key);
    let mut survey = SurveyServiceClient::with_interceptor(gateway, hall);
    let started = std::time::Instant::now();
    loop {
        let alerts = survey
            .list_alerts(ListAlertsRequest {
                scenario_code: "HALL_VISIT".into(),
                group_by: ReportGrouping::Hall as i32,
                as_of: None,
            })
            .await
            .expect(label)
            .into_inner()
            .alerts;
        if alerts.iter().any(|a| a.group == surveys::SLIPPING_HALL) {
            break;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "{label}: no alert for {} within 30 s: {alerts:?}",
            surveys::SLIPPING_HALL
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

/// The day's reminders: sent once however often `up --demo` runs that day, listed by the
/// reminder service and shown, soonest first, in the featured customer's view.
async fn day_of_reminders(
    suite: &Suite,
    keys: &DemoKeys,
    gateway: Channel,
    msisdn: &str,
    customer_id: &str,
    label: &str,
) {
    let (profile, sender) = reminders::clients(
        connect(suite.profile_addr()).await,
        connect(suite.reminder_addr()).await,
        keys.admin(),
        suite.internal_credential(),
    );
    let now = vipcare_domain::SystemClock.now();
    let first = reminders::send_day(&profile, &sender, Some(msisdn), now)
        .await
        .expect(label);
    assert_eq!(first.rejected_events, 0, "{label}: {first:?}");
    assert!(first.customers > CUSTOMERS / 2, "{label}: {first:?}");
    assert!(
        first.events >= 5 && first.from_events >= 5,
        "{label}: {first:?}"
    );
    assert!(first.scheduled >= 3, "{label}: {first:?}");
    assert_eq!(
        (first.duplicate_events, first.deduplicated),
        (0, 0),
        "{label}"
    );

    let admin = Credentials::bearer(&keys.admin().key);
    let mut listing = ReminderServiceClient::with_interceptor(gateway.clone(), admin);
    let theirs = |listing: &mut ReminderServiceClient<_>| {
        let request = ListRemindersRequest {
            customer_id: customer_id.to_owned(),
            page_size: 500,
            ..ListRemindersRequest::default()
        };
        let mut listing = listing.clone();
        async move {
            listing
                .list_reminders(request)
                .await
                .expect(label)
                .into_inner()
                .reminders
        }
    };
    let listed: Vec<Reminder> = theirs(&mut listing).await;
    let kinds: Vec<Touchpoint> = listed.iter().map(Reminder::touchpoint).collect();
    for kind in [
        Touchpoint::DataUsageAlert,
        Touchpoint::LowBalance,
        Touchpoint::PlanChange,
        Touchpoint::VasSubscription,
        Touchpoint::PromotionExpiry,
        Touchpoint::StaffTask,
        Touchpoint::Care,
        Touchpoint::SurveyInvitation,
    ] {
        assert!(kinds.contains(&kind), "{label}: no {kind:?} in {kinds:?}");
    }

    // Sent again the same day (a second `up --demo`): nothing new.
    let again: DayScheduled = reminders::send_day(&profile, &sender, Some(msisdn), now)
        .await
        .expect(label);
    assert_eq!(
        (again.duplicate_events, again.from_events, again.scheduled),
        (first.events, 0, 0),
        "{label}: {again:?}"
    );
    assert_eq!(again.deduplicated, first.scheduled, "{label}");
    // The admin's unmasked listing above tells every customer their data was read; those
    // notices come whenever the profile's relay delivers them, so they are left out here.
    let of_the_day = |reminders: Vec<Reminder>| -> Vec<String> {
        let mut ids: Vec<String> = reminders
            .into_iter()
            .filter(|r| r.touchpoint() != Touchpoint::SensitiveQuery)
            .map(|r| r.reminder_id)
            .collect();
        ids.sort();
        ids
    };
    assert_eq!(
        of_the_day(theirs(&mut listing).await),
        of_the_day(listed.clone()),
        "{label}: the second day sent created reminders"
    );

    // The view lists what is still to go out, soonest first.
    let hall = Credentials::bearer(&keys.for_channel("hall").key);
    let view = ChannelServiceClient::with_interceptor(gateway, hall)
        .get_customer_view(GetCustomerViewRequest {
            lookup: Some(Lookup::Msisdn(msisdn.to_owned())),
        })
        .await
        .expect(label)
        .into_inner()
        .view
        .expect(label);
    let next = &view.next_reminders;
    assert!(!next.is_empty(), "{label}: {view:?}");
    assert!(next.len() <= 5, "{label}");
    let times: Vec<i64> = next
        .iter()
        .map(|r| r.planned_send_at.as_ref().map_or(0, |t| t.seconds))
        .collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "{label}: {times:?}");
    let waiting = [
        ReminderState::Scheduled,
        ReminderState::Deferred,
        ReminderState::Dispatching,
    ];
    assert!(
        next.iter().all(|r| waiting.contains(&r.state())),
        "{label}: {next:?}"
    );
    // The survey at 22:30 and the promotion's day-ahead reminder at midnight are still to come.
    let later = listed.iter().filter(|r| {
        matches!(
            r.touchpoint(),
            Touchpoint::SurveyInvitation | Touchpoint::PromotionExpiry
        ) && r
            .planned_send_at
            .as_ref()
            .is_some_and(|t| t.seconds > now.timestamp())
    });
    assert!(later.count() >= 2, "{label}: {listed:?}");
}
