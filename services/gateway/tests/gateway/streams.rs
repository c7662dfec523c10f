//! Client streams at full speed through the gateway (issue 8): a billing feed sent one small
//! message per DATA frame, as grpcurl and grpcio send it, as fast as the client can.

use std::net::SocketAddr;
use std::time::Instant;

use bytes::{BufMut, Bytes, BytesMut};
use prost::Message;
use tokio::net::TcpStream;
use vipcare_proto::profile::v1::{ImportConsumptionRequest, ImportConsumptionResponse};
use vipcare_testkit::TestEnv;

use vipcare_profile::domain::{
    Clock, ContactPreferences, Customer, CustomerName, CustomerProfile, CustomerStatus, Gender,
    Msisdn, SystemClock,
};
use vipcare_profile::store::customers::insert_many;
use vipcare_storage::Database;

use crate::support::{AGENT, Suite};

const IMPORT: &str = "/vipcare.profile.v1.ProfileService/ImportConsumption";

/// Writes `count` customers straight into the profile store (the bulk path demo data and
/// benchmarks use; thousands through the API would take most of the test) and returns their ids.
async fn customers(env: &TestEnv, count: usize) -> Vec<String> {
    let db = Database::connect(env.settings(), "profile").await.unwrap();
    let mut ids = Vec::with_capacity(count);
    for start in (0..count).step_by(1_000) {
        let batch: Vec<Customer> = (start..count.min(start + 1_000))
            .map(|i| Customer::create(profile(i), SystemClock.now()))
            .collect();
        insert_many(db.conn(), &batch).await.unwrap();
        ids.extend(batch.iter().map(|c| c.id.to_string()));
    }
    ids
}

fn profile(i: usize) -> CustomerProfile {
    CustomerProfile {
        msisdn: Some(Msisdn::parse(&format!("139{i:08}")).unwrap()),
        name: CustomerName::parse("王小明").unwrap(),
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

/// Sends `rows` as one client stream over a fresh HTTP/2 connection, one DATA frame per row,
/// all queued at once, and returns the decoded answer or what went wrong.
async fn raw_import(
    gateway: SocketAddr,
    rows: impl Iterator<Item = ImportConsumptionRequest>,
) -> Result<ImportConsumptionResponse, String> {
    let tcp = TcpStream::connect(gateway)
        .await
        .map_err(|e| e.to_string())?;
    tcp.set_nodelay(true).map_err(|e| e.to_string())?;
    let (client, connection) = h2::client::handshake(tcp)
        .await
        .map_err(|e| e.to_string())?;
    let driver = tokio::spawn(connection);
    let mut client = client.ready().await.map_err(|e| e.to_string())?;
    let request = http::Request::post(format!("http://{gateway}{IMPORT}"))
        .header("content-type", "application/grpc")
        .header("te", "trailers")
        .header("grpc-timeout", "300S")
        .header("authorization", format!("Bearer {AGENT}"))
        .body(())
        .expect("a valid request");
    let (response, mut body) = client
        .send_request(request, false)
        .map_err(|e| format!("send request: {e}"))?;
    let mut sent = 0;
    for row in rows {
        let mut frame = BytesMut::with_capacity(5 + row.encoded_len());
        frame.put_u8(0);
        frame.put_u32(row.encoded_len() as u32);
        row.encode(&mut frame).expect("room for the row");
        body.send_data(frame.freeze(), false)
            .map_err(|e| format!("row {sent}: {e}"))?;
        sent += 1;
    }
    body.send_data(Bytes::new(), true)
        .map_err(|e| format!("end of stream: {e}"))?;
    let response = response.await.map_err(|e| format!("response: {e}"))?;
    let (head, mut recv) = response.into_parts();
    let mut data = BytesMut::new();
    while let Some(chunk) = recv.data().await {
        let chunk = chunk.map_err(|e| format!("response body: {e}"))?;
        let _ = recv.flow_control().release_capacity(chunk.len());
        data.extend_from_slice(&chunk);
    }
    let trailers = recv
        .trailers()
        .await
        .map_err(|e| format!("trailers: {e}"))?
        .unwrap_or_default();
    let status = trailers
        .get("grpc-status")
        .or_else(|| head.headers.get("grpc-status"))
        .map(|v| v.to_str().unwrap_or_default().to_owned());
    if status.as_deref() != Some("0") {
        let message = trailers
            .get("grpc-message")
            .or_else(|| head.headers.get("grpc-message"))
            .map(|v| v.to_str().unwrap_or_default().to_owned());
        return Err(format!("grpc-status {status:?}: {message:?}"));
    }
    drop(client);
    driver.abort();
    if data.len() < 5 {
        return Err(format!("answer of {} bytes", data.len()));
    }
    ImportConsumptionResponse::decode(&data[5..]).map_err(|e| e.to_string())
}

fn month(back: usize) -> String {
    let (year, month) = (2024 - (back / 12) as i32, 12 - back % 12);
    format!("{year}-{month:02}")
}

#[tokio::test]
async fn a_billing_feed_streams_one_row_per_frame_at_full_speed() {
    for env in TestEnv::all().await {
        let label = env.label;
        let suite = Suite::start(&env).await;
        let started = Instant::now();
        let ids = customers(&env, customer_count()).await;
        eprintln!("[{label}] customers in {:?}", started.elapsed());
        let total = 100_000;
        let n = ids.len();
        let rows = (0..total).map(|i| ImportConsumptionRequest {
            customer_id: ids[i % n].clone(),
            period: month(i / n),
            spend_fen: 12_345 + i as i64,
            data_mb: 2_048,
            voice_minutes: 321,
            roaming_fen: 0,
            vas_fen: 1_000,
        });
        let started = Instant::now();
        let answer = raw_import(suite.gateway, rows).await;
        eprintln!("[{label}] import in {:?}", started.elapsed());
        eprintln!("[{label}] {:?}", answer.map(|a| (a.accepted, a.rejected)));
    }
}

fn customer_count() -> usize {
    std::env::var("N").ok().and_then(|v| v.parse().ok()).unwrap_or(6_250)
}
