//! Logs always; traces to an OTLP collector when `telemetry.otlp_endpoint` is set. The guard
//! flushes and shuts the tracer provider down in order when the binary exits.

use std::sync::OnceLock;

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

use crate::settings::TelemetrySettings;

/// Keeps the tracer provider alive; dropping it flushes pending spans.
#[must_use = "telemetry stops when the guard is dropped"]
pub struct TelemetryGuard {
    provider: Option<SdkTracerProvider>,
}

impl Drop for TelemetryGuard {
    fn drop(&mut self) {
        if let Some(provider) = self.provider.take()
            && let Err(err) = provider.shutdown()
        {
            eprintln!("telemetry shutdown: {err}");
        }
    }
}

static INSTALLED: OnceLock<()> = OnceLock::new();

/// Installs the global subscriber once per process (the suite runs several services in one
/// process and each may ask). Later calls return an empty guard.
pub fn init(settings: &TelemetrySettings, service_name: &str) -> TelemetryGuard {
    if INSTALLED.set(()).is_err() {
        return TelemetryGuard { provider: None };
    }
    // Each layer filters for itself: the log level says what is printed, and must not decide
    // which spans are exported (at `warn`, every request span would vanish from the traces).
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new(format!("{},h2=warn,hyper=warn", settings.log_level)));
    let fmt = if settings.log_format == "json" {
        tracing_subscriber::fmt::layer().json().boxed()
    } else {
        tracing_subscriber::fmt::layer().with_target(false).boxed()
    };
    let provider = settings
        .otlp_endpoint
        .as_deref()
        .and_then(|endpoint| otlp_provider(endpoint, service_name));
    let otel = provider.as_ref().map(|p| {
        opentelemetry::global::set_text_map_propagator(
            opentelemetry_sdk::propagation::TraceContextPropagator::new(),
        );
        opentelemetry::global::set_tracer_provider(p.clone());
        vipcare_trace::switch_on();
        // Only our own spans (requests, deliveries, dispatches): the libraries' are detail.
        let ours = tracing_subscriber::filter::Targets::new()
            .with_target(vipcare_trace::TARGET, tracing::Level::INFO);
        tracing_opentelemetry::layer()
            .with_tracer(p.tracer(service_name.to_owned()))
            .with_filter(ours)
    });
    let _ = tracing_subscriber::registry()
        .with(fmt.with_filter(filter))
        .with(otel)
        .try_init();
    TelemetryGuard { provider }
}

fn otlp_provider(endpoint: &str, service_name: &str) -> Option<SdkTracerProvider> {
    use opentelemetry_otlp::WithExportConfig;
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_tonic()
        .with_endpoint(endpoint)
        .build();
    match exporter {
        Ok(exporter) => Some(
            SdkTracerProvider::builder()
                .with_batch_exporter(exporter)
                .with_resource(
                    opentelemetry_sdk::Resource::builder()
                        .with_service_name(service_name.to_owned())
                        .build(),
                )
                .build(),
        ),
        Err(err) => {
            eprintln!("telemetry: OTLP exporter for {endpoint} not started: {err}");
            None
        }
    }
}
