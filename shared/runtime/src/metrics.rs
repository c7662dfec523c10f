//! Metrics: one OpenTelemetry meter provider per process (the suite's services share it), read
//! two ways: scraped by Prometheus from `telemetry.metrics_listen` (`GET /metrics`, text
//! format) and pushed over OTLP beside the traces when `telemetry.otlp_endpoint` is set. Code
//! records through [`meter`]; before [`init`] (in tests) it records nothing.

use std::net::SocketAddr;
use std::sync::OnceLock;

use opentelemetry::metrics::Meter;
use opentelemetry_sdk::metrics::SdkMeterProvider;
use prometheus::{Encoder, Registry, TextEncoder};
use tokio::net::TcpListener;

use crate::settings::TelemetrySettings;

mod rpc;

pub use opentelemetry::KeyValue;
pub use opentelemetry::metrics::{Counter, Gauge, Histogram};
pub use rpc::RpcMetricsLayer;

/// The instrumentation scope every vipcare instrument belongs to.
const SCOPE: &str = "vipcare";

/// What the scrape endpoint reads.
static REGISTRY: OnceLock<Registry> = OnceLock::new();

/// Keeps the meter provider; dropping it pushes what is pending over OTLP.
#[must_use = "metrics stop when the guard is dropped"]
pub struct MetricsGuard {
    provider: Option<SdkMeterProvider>,
}

impl Drop for MetricsGuard {
    fn drop(&mut self) {
        if let Some(provider) = self.provider.take()
            && let Err(err) = provider.shutdown()
        {
            eprintln!("metrics shutdown: {err}");
        }
    }
}

/// Installs the process's meter provider once (later calls get an empty guard).
pub fn init(settings: &TelemetrySettings, service_name: &str) -> MetricsGuard {
    let registry = Registry::new();
    if REGISTRY.set(registry.clone()).is_err() {
        return MetricsGuard { provider: None };
    }
    let resource = opentelemetry_sdk::Resource::builder()
        .with_service_name(service_name.to_owned())
        .build();
    let mut builder = SdkMeterProvider::builder().with_resource(resource);
    match opentelemetry_prometheus::exporter()
        .with_registry(registry)
        .build()
    {
        Ok(reader) => builder = builder.with_reader(reader),
        Err(err) => eprintln!("metrics: the Prometheus reader did not start: {err}"),
    }
    if let Some(endpoint) = settings.otlp_endpoint.as_deref() {
        use opentelemetry_otlp::WithExportConfig;
        match opentelemetry_otlp::MetricExporter::builder()
            .with_tonic()
            .with_endpoint(endpoint)
            .build()
        {
            Ok(exporter) => builder = builder.with_periodic_exporter(exporter),
            Err(err) => eprintln!("metrics: OTLP exporter for {endpoint} not started: {err}"),
        }
    }
    let provider = builder.build();
    opentelemetry::global::set_meter_provider(provider.clone());
    MetricsGuard {
        provider: Some(provider),
    }
}

/// The meter every vipcare instrument is made from.
pub fn meter() -> Meter {
    opentelemetry::global::meter(SCOPE)
}

/// Serves `GET /metrics` on `telemetry.metrics_listen` (nothing when unset), in the background
/// until the process ends. Returns the bound address, logged as `metrics_addr`.
pub async fn serve(settings: &TelemetrySettings) -> std::io::Result<Option<SocketAddr>> {
    let Some(listen) = settings.metrics_listen.as_deref() else {
        return Ok(None);
    };
    let listener = TcpListener::bind(listen).await?;
    let addr = listener.local_addr()?;
    let app = axum::Router::new().route("/metrics", axum::routing::get(scrape));
    tokio::spawn(async move {
        if let Err(err) = axum::serve(listener, app).await {
            tracing::warn!(%err, "the metrics endpoint stopped");
        }
    });
    tracing::info!(metrics_addr = %addr, "metrics endpoint ready");
    Ok(Some(addr))
}

/// Every metric in the Prometheus text format.
async fn scrape() -> ([(http::HeaderName, &'static str); 1], Vec<u8>) {
    let families = REGISTRY.get().map(Registry::gather).unwrap_or_default();
    let mut text = Vec::new();
    if let Err(err) = TextEncoder::new().encode(&families, &mut text) {
        tracing::warn!(%err, "metrics did not encode");
    }
    (
        [(http::header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        text,
    )
}
