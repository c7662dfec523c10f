//! Client streams at full speed through the gateway (issue 8): billing feeds sent the way
//! grpcurl and grpcio send them, one DATA frame per message, every row queued at once, over
//! a raw HTTP/2 connection (tonic's own client packs many messages into one frame and would
//! hide the problem). Profile's handler pauses to write each batch of 500 rows, so the feed
//! outruns it and flow control must hold the client back. Before the servers' HTTP/2 windows
//! were set (`vipcare_runtime::server`), h2 closed the connection instead once ~3,000 small
//! frames waited unread, and the feed failed with UNAVAILABLE on both backends.

use std::net::SocketAddr;

use bytes::{BufMut, Bytes, BytesMut};
use prost::Message;
use prost_types::FileDescriptorSet;
use tokio::net::TcpStream;
use vipcare_profile::domain::{
    Clock, ContactPreferences, Customer, CustomerName, CustomerProfile, CustomerStatus, Gender,
    Msisdn, SystemClock,
};
use vipcare_profile::store::customers::insert_many;
use vipcare_proto::profile::v1::get_customer_request::Lookup;
use vipcare_proto::profile::v1::{
    GetCustomerRequest, ImportConsumptionRequest, ImportConsumptionResponse,
};
use vipcare_proto::reminder::v1 as reminder;
use vipcare_storage::Database;
use vipcare_testkit::TestEnv;

use crate::support::{AGENT, Suite};

const IMPORT: &str = "/vipcare.profile.v1.ProfileService/ImportConsumption";
const INGEST: &str = "/vipcare.reminder.v1.ReminderService/IngestEvents";

/// Where the bug showed: one row for each of thousands of different customers.
const CUSTOMERS: usize = 6_250;

/// Rows of the single feed: twenty times the ~5,000 at which feeds were cut off. Profile takes
/// ~10 s to store them on SQLite and up to ~1 min on PostgreSQL in a debug build; the deadline
/// the feed sends leaves room for a busy machine.
const ROWS: usize = 100_000;

#[tokio::test]
async fn a_billing_feed_of_one_row_per_frame_is_taken_whole() {
    for env in TestEnv::all().await {
        let label = env.label;
        let suite = Suite::start(&env).await;
        let ids = customers(&env, CUSTOMERS).await;

        let answer = raw_feed(suite.gateway, rows(&ids, ROWS))
            .await
            .unwrap_or_else(|err| panic!("[{label}] the feed failed: {err}"));
        assert_eq!(
            (answer.accepted, answer.rejected),
            (ROWS as i64, 0),
            "[{label}] every row is kept"
        );
        still_serves(&suite, &ids[0]).await;
    }
}

/// The reminder's event feed, sent the same way: the service gathers the messages that arrive
/// while it writes a batch into the next one, so a feed of one event per message is written in
/// large transactions rather than one per event (which would run out the feed's deadline).
#[tokio::test]
async fn an_event_feed_of_one_event_per_frame_is_taken_whole() {
    for env in TestEnv::all().await {
        let label = env.label;
        let suite = Suite::start(&env).await;
        // A low balance for each of many customers: every event makes a reminder.
        let now = prost_types::Timestamp {
            seconds: chrono::Utc::now().timestamp(),
            nanos: 0,
        };
        let events = (0..ROWS).map(|i| reminder::IngestEventsRequest {
            events: vec![reminder::Event {
                event_id: format!("feed-{i}"),
                customer_id: format!("c-{i}"),
                occurred_at: Some(now),
                kind: Some(reminder::event::Kind::BalanceChanged(
                    reminder::BalanceChanged {
                        balance_fen: 500,
                        threshold_fen: 1_000,
                        amount_fen: -100,
                    },
                )),
            }],
        });
        let answer: reminder::IngestEventsResponse = raw_stream(suite.gateway, INGEST, events)
            .await
            .unwrap_or_else(|err| panic!("[{label}] the feed failed: {err}"));
        assert_eq!(
            (answer.accepted, answer.rejected, answer.reminders_created),
            (ROWS as i64, 0, ROWS as i64),
            "[{label}] every event is kept and makes its reminder"
        );
    }
}

/// Several feeds at once reach profile over the gateway's one connection to it, where h2's
/// budget for small frames is shared: it must hold them all, or every caller's call breaks.
#[tokio::test]
async fn concurrent_feeds_share_the_gateways_connection_to_profile() {
    const FEEDS: usize = 4;
    const ROWS_EACH: usize = 2_500;
    for env in TestEnv::all().await {
        let label = env.label;
        let suite = Suite::start(&env).await;
        let ids = customers(&env, CUSTOMERS).await;

        // Each feed its own customers, so their transactions never wait on each other's rows.
        let feeds = ids.chunks(CUSTOMERS / FEEDS).take(FEEDS).map(|own| {
            let (gateway, rows) = (suite.gateway, rows(own, ROWS_EACH).collect::<Vec<_>>());
            tokio::spawn(async move { raw_feed(gateway, rows.into_iter()).await })
        });
        for (feed, answer) in futures::future::join_all(feeds)
            .await
            .into_iter()
            .enumerate()
        {
            let answer = answer
                .expect("the feed task ran")
                .unwrap_or_else(|err| panic!("[{label}] feed {feed} failed: {err}"));
            assert_eq!(
                (answer.accepted, answer.rejected),
                (ROWS_EACH as i64, 0),
                "[{label}] feed {feed} is kept whole"
            );
        }
        still_serves(&suite, &ids[0]).await;
    }
}

/// Every client-streaming RPC the gateway lets through must have a full-speed feed test in
/// this module: one fails here from the day its method enters the policy table until it gets
/// one.
#[test]
fn every_client_streaming_rpc_has_a_full_speed_test() {
    let routed: Vec<&str> = vipcare_gateway::edge::policy::POLICY
        .iter()
        .map(|(path, _)| *path)
        .collect();
    let set = FileDescriptorSet::decode(vipcare_proto::FILE_DESCRIPTOR_SET)
        .expect("the compiled descriptor set decodes");
    let mut client_streaming = Vec::new();
    for file in &set.file {
        for service in &file.service {
            for method in &service.method {
                let path = format!("/{}.{}/{}", file.package(), service.name(), method.name());
                if method.client_streaming() && routed.contains(&path.as_str()) {
                    client_streaming.push(path);
                }
            }
        }
    }
    assert_eq!(client_streaming, [IMPORT, INGEST]);
}

/// A unary call through the gateway still works after the feeds.
async fn still_serves(suite: &Suite, id: &str) {
    let request = GetCustomerRequest {
        lookup: Some(Lookup::CustomerId(id.to_owned())),
    };
    let customer = suite
        .profile(AGENT)
        .get_customer(request)
        .await
        .unwrap_or_else(|status| panic!("[{}] after the feeds: {status:?}", suite.label))
        .into_inner()
        .customer
        .expect("a customer");
    assert_eq!(customer.customer_id, id, "[{}]", suite.label);
}

/// `count` rows over `ids` in turn: each customer one row, then each its next month back.
fn rows(ids: &[String], count: usize) -> impl Iterator<Item = ImportConsumptionRequest> + '_ {
    (0..count).map(move |i| {
        let back = i / ids.len();
        ImportConsumptionRequest {
            customer_id: ids[i % ids.len()].clone(),
            // Months of 2024 and before, which surely lie in the past.
            period: format!("{}-{:02}", 2024 - (back / 12) as i32, 12 - back % 12),
            spend_fen: 10_000 + (i % 5_000) as i64,
            data_mb: 2_048,
            voice_minutes: 321,
            roaming_fen: 0,
            vas_fen: 1_000,
        }
    })
}

/// Writes `count` customers straight into the profile store (the bulk path of demo data and
/// benchmarks: thousands through the API would take most of the test) and returns their ids.
async fn customers(env: &TestEnv, count: usize) -> Vec<String> {
    let db = Database::connect(env.database_settings(), env.data_dir(), "profile")
        .await
        .unwrap_or_else(|err| panic!("[{}] profile store: {err}", env.label));
    let mut ids = Vec::with_capacity(count);
    for start in (0..count).step_by(1_000) {
        let batch: Vec<Customer> = (start..count.min(start + 1_000))
            .map(|i| Customer::create(profile(i), SystemClock.now()))
            .collect();
        insert_many(db.conn(), &batch)
            .await
            .unwrap_or_else(|err| panic!("[{}] loading customers: {err}", env.label));
        ids.extend(batch.iter().map(|c| c.id.to_string()));
    }
    ids
}

fn profile(i: usize) -> CustomerProfile {
    CustomerProfile {
        msisdn: Some(Msisdn::parse(&format!("139{i:08}")).expect("a valid number")),
        name: CustomerName::parse("王小明").expect("a valid name"),
        gender: Gender::Unspecified,
        birth_date: None,
        region_code: None,
        preferred_language: None,
        occupation: String::new(),
        interests: Vec::new(),
        contact: ContactPreferences::default(),
        account_manager_id: "am-1".into(),
        group: None,
        plan_code: "P188".into(),
        network_joined_on: None,
        status: CustomerStatus::Active,
        id_document: None,
    }
}

/// Sends `rows` as ImportConsumption over a new HTTP/2 connection to the gateway, each row in
/// its own DATA frame and all of them queued at once (h2 writes them as fast as the server's
/// windows allow), and returns the answer or what went wrong.
async fn raw_feed(
    gateway: SocketAddr,
    rows: impl Iterator<Item = ImportConsumptionRequest>,
) -> Result<ImportConsumptionResponse, String> {
    raw_stream(gateway, IMPORT, rows).await
}

/// Sends `messages` as the client stream of `path` over a new HTTP/2 connection to the gateway,
/// each message in its own DATA frame and all of them queued at once (h2 writes them as fast as
/// the server's windows allow), and returns the answer or what went wrong.
async fn raw_stream<Req: Message, Resp: Message + Default>(
    gateway: SocketAddr,
    path: &str,
    messages: impl Iterator<Item = Req>,
) -> Result<Resp, String> {
    let tcp = TcpStream::connect(gateway)
        .await
        .map_err(|e| format!("connect: {e}"))?;
    tcp.set_nodelay(true).map_err(|e| e.to_string())?;
    let (client, connection) = h2::client::handshake(tcp)
        .await
        .map_err(|e| format!("handshake: {e}"))?;
    let connection = tokio::spawn(connection);
    let mut client = client.ready().await.map_err(|e| format!("ready: {e}"))?;
    let request = http::Request::post(format!("http://{gateway}{path}"))
        .header("content-type", "application/grpc")
        .header("te", "trailers")
        .header("grpc-timeout", "300S")
        .header("authorization", format!("Bearer {AGENT}"))
        .body(())
        .expect("a valid request");
    let (response, mut body) = client
        .send_request(request, false)
        .map_err(|e| format!("request: {e}"))?;
    for (n, row) in messages.enumerate() {
        let len = row.encoded_len();
        let mut message = BytesMut::with_capacity(5 + len);
        message.put_u8(0);
        message.put_u32(u32::try_from(len).expect("a small row"));
        row.encode(&mut message).expect("room for the row");
        body.send_data(message.freeze(), false)
            .map_err(|e| format!("row {}: {e}", n + 1))?;
    }
    // grpcurl and grpc-go end a client stream with an empty DATA frame carrying END_STREAM.
    body.send_data(Bytes::new(), true)
        .map_err(|e| format!("end of stream: {e}"))?;

    let (head, mut answer) = response
        .await
        .map_err(|e| format!("response: {e}"))?
        .into_parts();
    let mut data = BytesMut::new();
    while let Some(chunk) = answer.data().await {
        let chunk = chunk.map_err(|e| format!("response body: {e}"))?;
        let _ = answer.flow_control().release_capacity(chunk.len());
        data.extend_from_slice(&chunk);
    }
    let trailers = answer
        .trailers()
        .await
        .map_err(|e| format!("trailers: {e}"))?
        .unwrap_or_default();
    connection.abort();
    // A failure may come as trailers-only: the status in the response headers.
    let field = |name: &str| {
        trailers
            .get(name)
            .or_else(|| head.headers.get(name))
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    if field("grpc-status") != "0" {
        return Err(format!(
            "grpc-status {:?}: {:?}",
            field("grpc-status"),
            field("grpc-message")
        ));
    }
    match data.get(5..) {
        Some(message) => Resp::decode(message).map_err(|e| e.to_string()),
        None => Err(format!("an answer of {} bytes", data.len())),
    }
}
