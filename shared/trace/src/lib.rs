//! W3C trace context (`traceparent`, `tracestate`) carried where it does not travel by itself.
//! A gRPC call carries it in its headers; work that outlives the call does not: an outbox row
//! delivered later by a relay, a reminder dispatched hours after it was scheduled. Those keep
//! the `traceparent` of the span that caused them ([`current`]) and start their own span as its
//! child when they run ([`resume`]), so one trace follows a request through every hop.
//!
//! Everything here does nothing until the process exports spans ([`switch_on`], called by the
//! telemetry set-up when `telemetry.otlp_endpoint` is set): without an exporter no span has an
//! OpenTelemetry context, and the hot path pays one atomic load.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};

use http::{HeaderMap, HeaderName, HeaderValue};
use opentelemetry::propagation::{Extractor, Injector, TextMapPropagator};
use opentelemetry::trace::TraceContextExt;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use tracing::Span;
use tracing_opentelemetry::OpenTelemetrySpanExt;

/// The target of every span that is exported: the telemetry set-up exports these and no
/// library's. Give it to the span macros (`info_span!(target: vipcare_trace::TARGET, …)`).
pub const TARGET: &str = "vipcare::trace";

/// The header a W3C trace context travels in.
pub const TRACEPARENT: &str = "traceparent";

static ON: AtomicBool = AtomicBool::new(false);

/// Spans are exported from now on: carry their context.
pub fn switch_on() {
    ON.store(true, Ordering::Relaxed);
}

/// Whether spans are exported (and so have a context worth carrying).
pub fn is_on() -> bool {
    ON.load(Ordering::Relaxed)
}

/// The current span's context as a `traceparent` value, to store with work done later; `None`
/// when spans are not exported or the current span has none.
pub fn current() -> Option<String> {
    if !is_on() {
        return None;
    }
    let mut carried = HashMap::new();
    TraceContextPropagator::new().inject_context(&Span::current().context(), &mut carried);
    carried.remove(TRACEPARENT)
}

/// Makes `span` a child of the stored `traceparent` (a malformed or missing one leaves it a
/// root: a trace is worth less than the work).
pub fn resume(span: &Span, traceparent: Option<&str>) {
    let Some(traceparent) = traceparent.filter(|_| is_on()) else {
        return;
    };
    let carried = HashMap::from([(TRACEPARENT.to_owned(), traceparent.to_owned())]);
    let parent = TraceContextPropagator::new().extract(&carried);
    if parent.span().span_context().is_valid() {
        let _ = span.set_parent(parent);
    }
}

/// Links `span` to another stored `traceparent` it also continues (a message that carries
/// several reminders belongs to the trace of each).
pub fn link(span: &Span, traceparent: &str) {
    if !is_on() {
        return;
    }
    let carried = HashMap::from([(TRACEPARENT.to_owned(), traceparent.to_owned())]);
    let other = TraceContextPropagator::new().extract(&carried);
    let context = other.span().span_context().clone();
    if context.is_valid() {
        span.add_link(context);
    }
}

/// Makes `span` a child of the caller's context in `headers`, when it sent one.
pub fn continue_from(span: &Span, headers: &HeaderMap) {
    if !is_on() {
        return;
    }
    let parent = TraceContextPropagator::new().extract(&Headers(headers));
    if parent.span().span_context().is_valid() {
        let _ = span.set_parent(parent);
    }
}

/// Writes the current span's context into an outgoing call's `headers`, replacing the one they
/// carried (the caller's, which this hop's span is already a child of). Does nothing when spans
/// are not exported, so a caller's context still passes through untouched.
pub fn inject(headers: &mut HeaderMap) {
    if !is_on() {
        return;
    }
    let context = Span::current().context();
    if context.span().span_context().is_valid() {
        TraceContextPropagator::new().inject_context(&context, &mut HeadersMut(headers));
    }
}

struct Headers<'a>(&'a HeaderMap);

impl Extractor for Headers<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|v| v.to_str().ok())
    }
    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(HeaderName::as_str).collect()
    }
}

struct HeadersMut<'a>(&'a mut HeaderMap);

impl Injector for HeadersMut<'_> {
    fn set(&mut self, key: &str, value: String) {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(key.as_bytes()),
            HeaderValue::from_str(&value),
        ) {
            self.0.insert(name, value);
        }
    }
}

#[cfg(test)]
mod tests;
