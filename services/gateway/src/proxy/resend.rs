//! Sending a call again when the connection it was given to closed before sending it. A replica
//! that shuts down (a rolling restart, a scale-in) says GOAWAY and closes its connections once
//! what it was answering is done; a call handed to such a connection in that instant never
//! leaves the gateway, and hyper fails it as canceled ("connection closed"). Nothing reached
//! the service, so sending it again on a new connection (to a replica that is up) is safe for
//! any method, reads and writes alike, and the caller never sees the restart.
//!
//! Only a call whose request is one message can be sent again: its body is read whole first
//! (it is bounded by `server.max_message_bytes` anyway). A client stream (an import of a
//! billing feed) is forwarded as it comes and is not sent again.

use std::collections::HashSet;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use prost::Message;
use prost_types::FileDescriptorSet;
use tonic::Status;
use tonic::body::Body;
use tonic::transport::Channel;
use tower::{Service, ServiceExt};

/// The paths (`/package.Service/Method`) of every client-streaming method in the contracts.
pub(super) fn client_streams() -> HashSet<String> {
    let set = FileDescriptorSet::decode(vipcare_proto::FILE_DESCRIPTOR_SET)
        .expect("the compiled-in descriptor set decodes");
    let mut paths = HashSet::new();
    for file in &set.file {
        for service in &file.service {
            for method in service.method.iter().filter(|m| m.client_streaming()) {
                paths.insert(format!(
                    "/{}.{}/{}",
                    file.package(),
                    service.name(),
                    method.name()
                ));
            }
        }
    }
    paths
}

/// Why a call got no answer from the service.
pub(super) enum Unsent {
    /// The caller's request did not arrive whole (or was too large): the answer for it.
    Request(Status),
    /// The service could not be reached.
    Transport(tonic::transport::Error),
}

/// `req` over `channel`, once.
pub(super) async fn send(
    mut channel: Channel,
    req: http::Request<Body>,
) -> Result<http::Response<Body>, Unsent> {
    let ready = channel.ready().await.map_err(Unsent::Transport)?;
    ready.call(req).await.map_err(Unsent::Transport)
}

/// A one-message `req`, read whole, then sent; sent once more when the first connection closed
/// before sending it.
pub(super) async fn send_resendable(
    channel: Channel,
    req: http::Request<Body>,
    limit: usize,
) -> Result<http::Response<Body>, Unsent> {
    let (parts, body) = req.into_parts();
    let bytes: Bytes = match Limited::new(body, limit).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(err) if err.is::<http_body_util::LengthLimitError>() => {
            return Err(Unsent::Request(Status::resource_exhausted(
                "the request is larger than the gateway forwards (server.max_message_bytes)",
            )));
        }
        Err(_) => {
            return Err(Unsent::Request(Status::cancelled(
                "the request did not arrive whole",
            )));
        }
    };
    let again = || {
        let mut req = http::Request::new(Body::new(Full::new(bytes.clone())));
        *req.method_mut() = parts.method.clone();
        *req.uri_mut() = parts.uri.clone();
        *req.version_mut() = parts.version;
        *req.headers_mut() = parts.headers.clone();
        req
    };
    match send(channel.clone(), again()).await {
        Err(Unsent::Transport(err)) if never_sent(&err) => {
            tracing::debug!("the connection closed before the call went: sent again");
            send(channel, again()).await
        }
        answered => answered,
    }
}

/// Whether hyper gave the call up before writing it: the connection was closing.
fn never_sent(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause = Some(err);
    while let Some(err) = cause {
        if err
            .downcast_ref::<hyper::Error>()
            .is_some_and(hyper::Error::is_canceled)
        {
            return true;
        }
        cause = err.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_client_streams_are_forwarded_as_they_come() {
        let streams = client_streams();
        assert!(streams.contains("/vipcare.profile.v1.ProfileService/ImportConsumption"));
        assert!(!streams.contains("/vipcare.profile.v1.ProfileService/GetCustomer"));
        assert!(!streams.contains("/vipcare.profile.v1.ProfileService/UpdateCustomer"));
    }
}
