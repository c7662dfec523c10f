//! A tier change's cache invalidation is as durable as the change. An override made while
//! Redis cannot be reached is recorded with the override; the process that made it stops
//! before Redis is back (so the bump it kept in memory is lost), and the next process on the
//! same database bumps it before it serves. Runs on PostgreSQL and Redis only: the in-process
//! cache of the embedded backend dies with the process and everything it cached.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use vipcare_cache::{Cache, CacheSettings};
use vipcare_proto::common::v1 as common;
use vipcare_proto::profile::v1 as profile;
use vipcare_proto::profile::v1::profile_service_client::ProfileServiceClient;
use vipcare_proto::tiering::v1 as pb;
use vipcare_proto::tiering::v1::tiering_service_client::TieringServiceClient;
use vipcare_runtime::Caller;
use vipcare_storage::Database;
use vipcare_storage::invalidation::tags_left;
use vipcare_testkit::tcp_proxy::TcpProxy;
use vipcare_testkit::{TestEnv, wait_serving};
use vipcare_tiering::domain::FixedClock;

use crate::harness::{NOW, as_caller};

/// A service started by the test, stopped (gracefully) by [`Running::stop`].
struct Running {
    addr: SocketAddr,
    stop: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl Running {
    async fn stop(self) {
        drop(self.stop);
        self.task.await.expect("the service ends cleanly");
    }
}

fn serve<E: std::fmt::Debug + Send + 'static>(
    addr: SocketAddr,
    run: impl FnOnce(oneshot::Receiver<()>) -> futures::future::BoxFuture<'static, Result<(), E>>,
) -> Running {
    let (stop, stopped) = oneshot::channel();
    let served = run(stopped);
    let task = tokio::spawn(async move {
        served.await.expect("the service serves until stopped");
    });
    Running { addr, stop, task }
}

async fn start_profile(settings: &vipcare_profile::Settings, cache: Cache, label: &str) -> Running {
    let clock = Arc::new(FixedClock(NOW.parse().unwrap()));
    let app = vipcare_profile::App::build_with_clock(settings, cache, clock)
        .await
        .unwrap_or_else(|e| panic!("[{label}] profile service starts: {e}"));
    let addr = app.local_addr();
    let running = serve(addr, |stopped| {
        Box::pin(app.run(async {
            let _ = stopped.await;
        }))
    });
    wait_serving(addr, vipcare_proto::service_names::PROFILE).await;
    running
}

async fn start_tiering(settings: &vipcare_tiering::Settings, cache: Cache, label: &str) -> Running {
    let clock = Arc::new(FixedClock(NOW.parse().unwrap()));
    let app = vipcare_tiering::App::build_with_clock(settings, cache, clock)
        .await
        .unwrap_or_else(|e| panic!("[{label}] tiering service starts: {e}"));
    let addr = app.local_addr();
    let running = serve(addr, |stopped| {
        Box::pin(app.run(async {
            let _ = stopped.await;
        }))
    });
    wait_serving(addr, vipcare_proto::service_names::TIERING).await;
    running
}

/// The Redis server of `settings`, to put a proxy in front of.
async fn redis_server(settings: &CacheSettings) -> SocketAddr {
    let url = settings.redis_url.as_deref().expect("Redis configured");
    let host = url
        .trim_start_matches("redis://")
        .split(['/', '?'])
        .next()
        .unwrap_or_default();
    tokio::net::lookup_host(host)
        .await
        .ok()
        .and_then(|mut addrs| addrs.next())
        .unwrap_or_else(|| panic!("resolve {host}"))
}

async fn create_customer(env: &TestEnv, profile: &Running) -> String {
    let mut client = ProfileServiceClient::new(env.internal_channel(profile.addr));
    let customer = profile::Customer {
        msisdn: "13900000001".into(),
        name: "李秀英".into(),
        gender: profile::Gender::Female as i32,
        contact_preferences: Some(profile::ContactPreferences {
            preferred_channels: vec![common::ContactChannel::Sms as i32],
            quiet_hours: None,
            opted_out_touchpoints: Vec::new(),
        }),
        network_joined_on: Some(common::Date {
            year: 2015,
            month: 3,
            day: 1,
        }),
        ..Default::default()
    };
    let request = profile::CreateCustomerRequest {
        customer: Some(customer),
        request_id: String::new(),
    };
    let clerk = Caller::new("hall-7", "hall", &["customer:read", "pii:read"]);
    client
        .create_customer(as_caller(&clerk, request))
        .await
        .unwrap_or_else(|s| panic!("[{}] create customer: {s:?}", env.label))
        .into_inner()
        .customer
        .unwrap()
        .customer_id
}

/// What another process reading Redis directly (a gateway replica) is served under `tag`.
async fn served_elsewhere(reader: &Cache, tag: &str, fresh: &str) -> String {
    let bytes = reader
        .get_or_load("test:view", tag, Duration::from_secs(300), || async {
            Ok::<_, ()>(fresh.as_bytes().to_vec())
        })
        .await
        .unwrap();
    String::from_utf8(bytes).unwrap()
}

#[tokio::test]
async fn an_override_made_while_redis_is_down_is_bumped_by_the_next_process() {
    for env in TestEnv::all().await {
        if env.cache_settings().redis_url.is_none() {
            continue;
        }
        let label = env.label;
        let redis_link = TcpProxy::start(redis_server(env.cache_settings()).await)
            .await
            .expect("proxy listens");
        let settings: vipcare_profile::Settings = env.settings_with(&format!(
            "[cache]\nredis_url = \"redis://{}\"\n",
            redis_link.addr()
        ));
        let cache = Cache::connect(&settings.cache).await.unwrap();
        let profile = start_profile(&settings, cache.clone(), label).await;
        let tiering_settings: vipcare_tiering::Settings = env.settings_with(&format!(
            "[cache]\nredis_url = \"redis://{link}\"\n\
             [services]\nprofile = \"http://{p}\"\nreminder = \"http://{p}\"\n",
            link = redis_link.addr(),
            p = profile.addr
        ));
        let tiering = start_tiering(&tiering_settings, cache, label).await;
        let id = create_customer(&env, &profile).await;
        let tag = vipcare_cache::tags::customer(&id);
        // Redis itself stays up for everyone else; only these two services lose it.
        let elsewhere = Cache::connect(env.cache_settings()).await.unwrap();
        assert_eq!(served_elsewhere(&elsewhere, &tag, "before").await, "before");

        redis_link.cut().await;
        let request = pb::OverrideTierRequest {
            customer_id: id.clone(),
            tier: "DIAMOND".into(),
            reason: "board member".into(),
            actor: "emp-7".into(),
            expire_time: None,
            request_id: String::new(),
        };
        TieringServiceClient::new(env.internal_channel(tiering.addr))
            .override_tier(request)
            .await
            .unwrap_or_else(|s| panic!("[{label}] override with Redis down: {s:?}"));
        let journal = Database::connect(
            &tiering_settings.database,
            &tiering_settings.data_dir,
            "tiering",
        )
        .await
        .unwrap();
        assert_eq!(
            tags_left(journal.conn()).await.unwrap(),
            vec![tag.clone()],
            "[{label}] the override's invalidation is recorded with it"
        );
        assert_eq!(
            served_elsewhere(&elsewhere, &tag, "after").await,
            "before",
            "[{label}] the bump never reached Redis"
        );

        // The process stops before Redis is back: what it kept in memory is gone.
        tiering.stop().await;
        profile.stop().await;
        redis_link.restore();
        let restarted = Cache::connect(&settings.cache).await.unwrap();
        let tiering = start_tiering(&tiering_settings, restarted, label).await;
        assert_eq!(
            tags_left(journal.conn()).await.unwrap(),
            Vec::<String>::new(),
            "[{label}] replayed before serving"
        );
        assert_eq!(
            served_elsewhere(&elsewhere, &tag, "after").await,
            "after",
            "[{label}] the view cached before the override is stale everywhere"
        );
        tiering.stop().await;
    }
}
