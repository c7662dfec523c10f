//! Readiness by each member's own health check, so `Suite::start` returns (and `vipcare up
//! --demo` prints its keys) only once every member answers SERVING.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;

/// Polls `grpc.health.v1.Health/Check` for `service` until SERVING; false after `limit`.
pub(crate) async fn serving(addr: SocketAddr, service: &str, limit: Duration) -> bool {
    let deadline = Instant::now() + limit;
    let endpoint = format!("http://{addr}");
    while Instant::now() < deadline {
        if check(&endpoint, service).await {
            return true;
        }
        // The listener is bound before serving starts, so this rarely loops more than once.
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    false
}

async fn check(endpoint: &str, service: &str) -> bool {
    let Ok(endpoint) = tonic::transport::Endpoint::from_shared(endpoint.to_owned()) else {
        return false;
    };
    let Ok(channel) = endpoint
        .connect_timeout(Duration::from_secs(1))
        .timeout(Duration::from_secs(1))
        .connect()
        .await
    else {
        return false;
    };
    let request = HealthCheckRequest {
        service: service.to_owned(),
    };
    matches!(
        HealthClient::new(channel).check(request).await,
        Ok(response) if response.get_ref().status == ServingStatus::Serving as i32
    )
}
