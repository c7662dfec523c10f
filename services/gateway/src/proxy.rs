//! Forwards a request to the peer service that owns it, streaming both ways with the bodies
//! untouched. One lazily connected channel per peer, made at start and shared by every request,
//! so the hot path never sets up a connection. Deadline (`grpc-timeout`) and trace context
//! (`traceparent`, `tracestate`) travel as the headers they came in; the caller headers are the
//! ones the edge set, signed with the internal credential here, as the services require.

mod resend;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use http::header::{CONNECTION, HOST, TRANSFER_ENCODING, UPGRADE};

use tonic::body::Body;
use tonic::transport::{Channel, Endpoint};
use vipcare_runtime::settings::PeerSettings;
use vipcare_runtime::{InternalChannel, InternalCredential, status};

use crate::edge::reject;
use crate::error::AppError;
use crate::route::Peer;

/// One channel per peer, in `Peer::ALL` order, and the credential every call to them carries.
#[derive(Debug, Clone)]
pub struct Peers {
    channels: Arc<[Channel]>,
    credential: InternalCredential,
}

impl Peers {
    /// Prepares a channel to every peer; nothing connects until the first call.
    pub fn connect_lazy(
        settings: &PeerSettings,
        credential: InternalCredential,
    ) -> Result<Peers, AppError> {
        let channels = Peer::ALL
            .into_iter()
            .map(|peer| {
                let address = peer.address(settings);
                let endpoint = Endpoint::from_shared(address.to_owned()).map_err(|_| {
                    AppError::setting(format!("services.{}", peer.name()), "not a valid URL")
                })?;
                Ok(endpoint
                    // A peer that is down must fail fast, not hold the caller until its deadline.
                    .connect_timeout(Duration::from_secs(2))
                    .tcp_nodelay(true)
                    // Finds dead connections across idle periods (e.g. after a peer restart).
                    .http2_keep_alive_interval(Duration::from_secs(30))
                    .keep_alive_while_idle(true)
                    .connect_lazy())
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        Ok(Peers {
            channels: channels.into(),
            credential,
        })
    }

    /// The peer's channel with every call signed, for generated clients (the views).
    pub fn signed(&self, peer: Peer) -> InternalChannel {
        self.credential.channel(self.channel(peer).clone())
    }

    pub fn channel(&self, peer: Peer) -> &Channel {
        let index = Peer::ALL
            .iter()
            .position(|p| *p == peer)
            .expect("every peer is in Peer::ALL");
        &self.channels[index]
    }
}

/// A trailers-only UNAUTHENTICATED answer: only the internal credential check gives one, as
/// services never see API keys.
fn refused_our_credential(response: &http::Response<Body>) -> bool {
    response
        .headers()
        .get("grpc-status")
        .is_some_and(|code| code.as_bytes() == b"16")
}

/// The forwarding half of the edge.
#[derive(Debug, Clone)]
pub struct Proxy {
    peers: Peers,
    /// Methods whose request is a stream of messages, forwarded as it comes.
    client_streams: Arc<HashSet<String>>,
    /// Largest one-message request read whole (the message and its 5-byte frame header).
    limit: usize,
}

impl Proxy {
    /// `max_message_bytes`: the largest request message the services take.
    pub fn new(peers: Peers, max_message_bytes: usize) -> Self {
        Proxy {
            peers,
            client_streams: Arc::new(resend::client_streams()),
            limit: max_message_bytes.saturating_add(5),
        }
    }

    /// Sends `req` to `peer` and returns its response; an unreachable peer is UNAVAILABLE.
    pub fn forward(
        &self,
        peer: Peer,
        mut req: http::Request<Body>,
    ) -> BoxFuture<'static, Result<http::Response<Body>, std::convert::Infallible>> {
        let headers = req.headers_mut();
        // HTTP/1.1 (gRPC-Web) connection headers have no meaning, or are illegal, on HTTP/2.
        for name in [CONNECTION, HOST, TRANSFER_ENCODING, UPGRADE] {
            headers.remove(name);
        }
        headers.remove("keep-alive");
        // Signed after the edge replaced the caller headers with the client's own.
        self.peers.credential.stamp(headers);
        let channel = self.peers.channel(peer).clone();
        let one_message = !self.client_streams.contains(req.uri().path());
        let limit = self.limit;
        Box::pin(async move {
            // Here, not above: the request's span is entered only while its future runs. The
            // service's span is then a child of the gateway's, in the caller's trace.
            vipcare_trace::inject(req.headers_mut());
            let sent = if one_message {
                resend::send_resendable(channel, req, limit).await
            } else {
                resend::send(channel, req).await
            };
            Ok(match sent {
                Ok(response) if refused_our_credential(&response) => {
                    // The client's key was fine; our own secret does not match the service's.
                    // Telling the client UNAUTHENTICATED would send it after its API key.
                    tracing::error!(
                        peer = peer.name(),
                        "the service refused the gateway's internal credential: \
                         internal.secret differs between the gateway and the service"
                    );
                    reject(status::internal())
                }
                Ok(response) => response,
                Err(resend::Unsent::Request(status)) => reject(status),
                Err(resend::Unsent::Transport(err)) => {
                    tracing::warn!(peer = peer.name(), error = %causes(&err), "peer unreachable");
                    reject(status::unavailable(format!(
                        "the {} service is unavailable",
                        peer.name()
                    )))
                }
            })
        })
    }
}

/// An error and its causes on one line: "transport error" alone does not say what broke.
fn causes(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
