use opentelemetry::trace::{TraceContextExt, TraceId, TracerProvider as _};
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_subscriber::layer::SubscriberExt;

use super::*;

/// Runs `f` with spans that have OpenTelemetry contexts (nothing exported).
fn traced<T>(f: impl FnOnce() -> T) -> T {
    switch_on();
    let provider = SdkTracerProvider::builder().build();
    let subscriber = tracing_subscriber::registry()
        .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("test")));
    tracing::subscriber::with_default(subscriber, f)
}

fn trace_id(span: &Span) -> TraceId {
    span.context().span().span_context().trace_id()
}

/// The trace id in a `traceparent` value: `00-<trace id>-<span id>-<flags>`.
fn trace_of(traceparent: &str) -> &str {
    traceparent.split('-').nth(1).expect("a traceparent")
}

#[test]
fn work_resumed_from_a_stored_context_joins_the_trace_that_caused_it() {
    traced(|| {
        let call = tracing::info_span!("call");
        let stored = call
            .in_scope(current)
            .expect("a span in a trace has a context");
        assert_eq!(trace_of(&stored), trace_id(&call).to_string());

        let later = tracing::info_span!("later");
        resume(&later, Some(&stored));
        assert_eq!(trace_id(&later), trace_id(&call));
    });
}

#[test]
fn a_malformed_stored_context_leaves_the_work_its_own_trace() {
    traced(|| {
        let later = tracing::info_span!("later");
        resume(&later, Some("00-not-a-trace-01"));
        let own = trace_id(&later);
        assert_ne!(own, TraceId::INVALID, "still traced, as a root");
        let other = tracing::info_span!("other");
        assert_ne!(trace_id(&other), own);
    });
}

#[test]
fn an_outgoing_call_carries_this_hop_as_the_parent_in_the_callers_trace() {
    traced(|| {
        let caller = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        let mut headers = HeaderMap::new();
        headers.insert(TRACEPARENT, HeaderValue::from_static(caller));
        let hop = tracing::info_span!("hop");
        continue_from(&hop, &headers);
        hop.in_scope(|| inject(&mut headers));
        let sent = headers[TRACEPARENT].to_str().unwrap().to_owned();
        assert_eq!(trace_of(&sent), "4bf92f3577b34da6a3ce929d0e0e4736");
        assert_ne!(sent, caller, "the hop's own span is the parent now");
    });
}

#[test]
fn outside_any_span_nothing_is_stored_or_sent() {
    traced(|| {
        assert_eq!(current(), None);
        let mut headers = HeaderMap::new();
        inject(&mut headers);
        assert!(headers.is_empty());
    });
}
