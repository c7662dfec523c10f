//! A stand-in for an SMS, push or e-mail provider's webhook, for the reminder's tests and
//! benchmark: an HTTP/1 server on 127.0.0.1 (a port the OS picks) that records every POST — its
//! JSON body and headers, the `Idempotency-Key` among them — and answers 200 with a message id.
//! A test can make it answer an error status (503, 429, 400…) or hang (never answer) and back,
//! then read what arrived: how many, with which key, which keys were accepted more than once.
//!
//! A benchmark that posts millions of messages keeps only counts ([`Recording::Count`]) or the
//! keys ([`Recording::Keys`]), so the sink's memory does not swamp what is measured.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::header::{CONTENT_TYPE, HeaderMap};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

/// The header senders put their idempotency key in.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// Bodies above this are refused (413) and not recorded: no message is this long.
const MAX_BODY: usize = 1024 * 1024;

/// How the sink answers the POSTs that arrive from now on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reply {
    /// 200 with `{"message_id": "sink-<n>"}`.
    Accept,
    /// 200 as [`Reply::Accept`], after a delay: a slow provider.
    AcceptAfter(Duration),
    /// This status with a short JSON error body; a code that is not a status answers 500.
    Status(u16),
    /// No answer at all, until the client gives up or the sink is dropped.
    Hang,
}

/// What the sink keeps of each POST.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Recording {
    /// Every POST in full ([`WebhookSink::received`]).
    #[default]
    Everything,
    /// Counts and how often each idempotency key was accepted; no bodies.
    Keys,
    /// Counts only.
    Count,
}

/// One POST as it arrived.
#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    pub headers: HeaderMap,
    pub idempotency_key: Option<String>,
    /// The body, when it was JSON.
    pub json: Option<serde_json::Value>,
    pub body_bytes: usize,
    /// How the sink answered it.
    pub reply: Reply,
    /// When its body had arrived, on the system clock: what a test holds against the hours in
    /// which nothing may reach the customer.
    pub received_at: SystemTime,
}

impl Received {
    /// A header's value, when present and text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

#[derive(Debug)]
struct Log {
    reply: Reply,
    received: Vec<Received>,
    /// Times each idempotency key was answered 200.
    accepted_by_key: HashMap<String, u32>,
    accepted: u64,
}

#[derive(Debug)]
struct Shared {
    recording: Recording,
    log: Mutex<Log>,
    /// POSTs recorded so far; a watch so tests wait for arrivals instead of sleeping.
    posts: watch::Sender<u64>,
}

/// Serves until dropped; dropping it closes every connection, hung ones included.
#[derive(Debug)]
pub struct WebhookSink {
    addr: SocketAddr,
    shared: Arc<Shared>,
    acceptor: JoinHandle<()>,
}

impl WebhookSink {
    /// A sink that records everything and accepts every POST.
    pub async fn start() -> std::io::Result<WebhookSink> {
        WebhookSink::start_recording(Recording::Everything).await
    }

    pub async fn start_recording(recording: Recording) -> std::io::Result<WebhookSink> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            recording,
            log: Mutex::new(Log {
                reply: Reply::Accept,
                received: Vec::new(),
                accepted_by_key: HashMap::new(),
                accepted: 0,
            }),
            posts: watch::channel(0).0,
        });
        let acceptor = tokio::spawn(accept(listener, Arc::clone(&shared)));
        Ok(WebhookSink {
            addr,
            shared,
            acceptor,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The URL to configure as a channel's webhook (any path is served the same).
    pub fn url(&self) -> String {
        format!("http://{}/webhook", self.addr)
    }

    /// Answers POSTs that arrive from now on so; hung ones stay hung.
    pub fn reply(&self, reply: Reply) {
        self.log().reply = reply;
    }

    /// POSTs that arrived, whatever they were answered.
    pub fn count(&self) -> u64 {
        *self.shared.posts.borrow()
    }

    /// POSTs answered 200 (or about to be, for [`Reply::AcceptAfter`]).
    pub fn accepted(&self) -> u64 {
        self.log().accepted
    }

    /// Every POST, in arrival order (empty unless recording [`Recording::Everything`]).
    pub fn received(&self) -> Vec<Received> {
        self.log().received.clone()
    }

    /// The POSTs after the first `skip`, in arrival order: a test that follows the arrivals
    /// reads each once instead of copying the whole log every time.
    pub fn received_after(&self, skip: usize) -> Vec<Received> {
        let log = self.log();
        log.received.get(skip..).unwrap_or_default().to_vec()
    }

    /// The POSTs that carried this idempotency key, whatever they were answered.
    pub fn with_key(&self, key: &str) -> Vec<Received> {
        let log = self.log();
        let matching = log.received.iter();
        matching
            .filter(|r| r.idempotency_key.as_deref() == Some(key))
            .cloned()
            .collect()
    }

    /// How often this key was answered 200.
    pub fn deliveries(&self, key: &str) -> u32 {
        self.log().accepted_by_key.get(key).copied().unwrap_or(0)
    }

    /// Keys answered 200 at least once.
    pub fn distinct_keys(&self) -> usize {
        self.log().accepted_by_key.len()
    }

    /// Keys answered 200 more than once, with how often, sorted by key: what a provider that
    /// ignored idempotency keys would have delivered twice.
    pub fn duplicates(&self) -> Vec<(String, u32)> {
        let log = self.log();
        let mut twice: Vec<_> = log
            .accepted_by_key
            .iter()
            .filter(|(_, n)| **n > 1)
            .map(|(k, n)| (k.clone(), *n))
            .collect();
        twice.sort();
        twice
    }

    /// Waits until at least `posts` POSTs have arrived; false if they did not `within`.
    pub async fn wait_for_posts(&self, posts: u64, within: Duration) -> bool {
        let mut arrivals = self.shared.posts.subscribe();
        let arrived = arrivals.wait_for(|n| *n >= posts);
        matches!(tokio::time::timeout(within, arrived).await, Ok(Ok(_)))
    }

    fn log(&self) -> std::sync::MutexGuard<'_, Log> {
        self.shared.log.lock().expect("webhook sink log")
    }
}

impl Drop for WebhookSink {
    fn drop(&mut self) {
        // The acceptor owns the connection tasks: aborting it drops (closes) them all.
        self.acceptor.abort();
    }
}

async fn accept(listener: TcpListener, shared: Arc<Shared>) {
    let mut connections = JoinSet::new();
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            // Out of file descriptors and the like: back off instead of spinning, then go on.
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        let _ = stream.set_nodelay(true);
        while connections.try_join_next().is_some() {}
        let shared = Arc::clone(&shared);
        connections.spawn(async move {
            let service = hyper::service::service_fn(move |req| answer(Arc::clone(&shared), req));
            // A client that goes away mid-request is its own business.
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

async fn answer(
    shared: Arc<Shared>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    if request.method() != Method::POST {
        return Ok(respond(
            StatusCode::METHOD_NOT_ALLOWED,
            r#"{"error":"POST only"}"#,
        ));
    }
    let (parts, body) = request.into_parts();
    let Ok(body) = Limited::new(body, MAX_BODY).collect().await else {
        return Ok(respond(
            StatusCode::PAYLOAD_TOO_LARGE,
            r#"{"error":"too large"}"#,
        ));
    };
    let body = body.to_bytes();
    let (reply, message) = shared.record(parts.uri.path(), parts.headers, &body);
    Ok(match reply {
        Reply::Accept => accepted(message),
        Reply::AcceptAfter(delay) => {
            tokio::time::sleep(delay).await;
            accepted(message)
        }
        Reply::Status(code) => {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            respond(status, r#"{"error":"as the test asked"}"#)
        }
        Reply::Hang => match std::future::pending::<Infallible>().await {},
    })
}

impl Shared {
    /// Records one POST; returns how to answer it and, for a 200, its message number.
    fn record(&self, path: &str, headers: HeaderMap, body: &Bytes) -> (Reply, u64) {
        let key = headers
            .get(IDEMPOTENCY_KEY)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let everything = self.recording == Recording::Everything;
        // Parsed before the lock, so concurrent POSTs do not queue behind a parse.
        let json = everything
            .then(|| serde_json::from_slice(body).ok())
            .flatten();
        let mut log = self.log.lock().expect("webhook sink log");
        let reply = log.reply;
        let is_accepted = matches!(reply, Reply::Accept | Reply::AcceptAfter(_));
        if is_accepted {
            log.accepted += 1;
        }
        let message = log.accepted;
        if let Some(key) = key
            .as_ref()
            .filter(|_| is_accepted && self.recording != Recording::Count)
        {
            *log.accepted_by_key.entry(key.clone()).or_default() += 1;
        }
        if everything {
            log.received.push(Received {
                path: path.to_owned(),
                json,
                body_bytes: body.len(),
                headers,
                idempotency_key: key,
                reply,
                received_at: SystemTime::now(),
            });
        }
        // Counted under the lock, so a test that saw the count also sees the record.
        self.posts.send_modify(|n| *n += 1);
        (reply, message)
    }
}

fn accepted(message: u64) -> Response<Full<Bytes>> {
    respond(
        StatusCode::OK,
        &format!(r#"{{"message_id":"sink-{message}"}}"#),
    )
}

fn respond(status: StatusCode, json: &str) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(json.to_owned())));
    *response.status_mut() = status;
    response.headers_mut().insert(
        CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json"),
    );
    response
}

#[cfg(test)]
mod tests;
