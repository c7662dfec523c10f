//! Readiness by the health check: tests wait for SERVING instead of sleeping a guessed time.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;

/// Polls `grpc.health.v1.Health/Check` for `service` ("" for the whole server) until SERVING;
/// panics after 60 s.
pub async fn wait_serving(addr: SocketAddr, service: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    let endpoint = format!("http://{addr}");
    loop {
        let channel = tonic::transport::Endpoint::from_shared(endpoint.clone())
            .expect("a socket address is a valid endpoint")
            .connect()
            .await;
        if let Ok(channel) = channel {
            let mut client = HealthClient::new(channel);
            let request = HealthCheckRequest {
                service: service.to_owned(),
            };
            if let Ok(response) = client.check(request).await
                && response.into_inner().status == ServingStatus::Serving as i32
            {
                return;
            }
        }
        assert!(
            Instant::now() < deadline,
            "{endpoint} never reported {service:?} SERVING"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}
