//! Undecodable bytes to every method of every service the gateway routes or serves, in a
//! well-formed gRPC frame: each call is refused as it arrives, the connection stays up, and
//! the gateway and the services behind it go on serving.
//!
//! The refusal is INTERNAL, from tonic's prost codec: the gRPC status-code guide lists "error
//! parsing request proto" under INTERNAL, and a request that is not the method's message never
//! reaches a handler that could say which field is wrong. Its message ("failed to decode
//! Protobuf message: …") tells it apart from an INTERNAL a crashed handler would cause (a reset
//! stream reads as INTERNAL too). INVALID_ARGUMENT is accepted as well, for a service that
//! decodes leniently and then validates.

use std::str::FromStr;

use http::uri::PathAndQuery;
use prost::Message;
use prost::bytes::{Buf, BufMut, Bytes};
use prost_types::FileDescriptorSet;
use tonic::codec::{Codec, DecodeBuf, Decoder, EncodeBuf, Encoder};
use tonic::metadata::MetadataValue;
use tonic::transport::Channel;
use tonic::{Code, Status};
use vipcare_gateway::edge::policy::SERVICE_ONLY;
use vipcare_proto::gateway::v1::{GetCustomerViewRequest, get_customer_view_request};
use vipcare_proto::service_names;
use vipcare_testkit::TestEnv;

use crate::support::{ADMIN, Suite};

/// Bytes no protobuf message decodes from: a tag varint that never ends.
const ENDLESS_VARINT: &[u8] = &[0xff; 16];
/// A field 1 varint tag and then nothing: wrong wire type or a value cut off, for any message.
const CUT_OFF: &[u8] = &[0x08];

/// Every method of the services the gateway routes or serves, from the compiled contracts.
fn every_method() -> Vec<String> {
    let set = FileDescriptorSet::decode(vipcare_proto::FILE_DESCRIPTOR_SET)
        .expect("the descriptor set decodes");
    let routed = [
        service_names::PROFILE,
        service_names::TIERING,
        service_names::CHANNEL,
    ];
    let mut paths = Vec::new();
    for file in &set.file {
        for service in &file.service {
            let full = format!("{}.{}", file.package(), service.name());
            if routed.contains(&full.as_str()) {
                paths.extend(
                    service
                        .method
                        .iter()
                        .map(|m| format!("/{full}/{}", m.name())),
                );
            }
        }
    }
    paths
}

/// Sends and receives message bodies as they are.
#[derive(Debug, Clone, Copy, Default)]
struct RawCodec;

impl Codec for RawCodec {
    type Encode = Bytes;
    type Decode = Bytes;
    type Encoder = RawCodec;
    type Decoder = RawCodec;

    fn encoder(&mut self) -> RawCodec {
        RawCodec
    }

    fn decoder(&mut self) -> RawCodec {
        RawCodec
    }
}

impl Encoder for RawCodec {
    type Item = Bytes;
    type Error = Status;

    fn encode(&mut self, item: Bytes, dst: &mut EncodeBuf<'_>) -> Result<(), Status> {
        dst.put_slice(&item);
        Ok(())
    }
}

impl Decoder for RawCodec {
    type Item = Bytes;
    type Error = Status;

    fn decode(&mut self, src: &mut DecodeBuf<'_>) -> Result<Option<Bytes>, Status> {
        Ok(Some(src.copy_to_bytes(src.remaining())))
    }
}

/// Sends `body` as the one request message of `path` (unary and streaming methods alike: on
/// the wire a unary request is a stream of one) and returns the status the call ends with.
async fn send_raw(channel: Channel, path: &str, body: &'static [u8]) -> Status {
    let mut grpc = tonic::client::Grpc::new(channel);
    if let Err(err) = grpc.ready().await {
        return Status::unavailable(format!("channel not ready: {err}"));
    }
    let mut request = tonic::Request::new(tokio_stream::once(Bytes::from_static(body)));
    let bearer = MetadataValue::try_from(format!("Bearer {ADMIN}")).expect("an ASCII key");
    request.metadata_mut().insert("authorization", bearer);
    let path = PathAndQuery::from_str(path).expect("a method path");
    match grpc.streaming(request, path, RawCodec).await {
        Err(status) => status,
        // A stream that was accepted must still end in the refusal, with no message before it.
        Ok(response) => match response.into_inner().message().await {
            Err(status) => status,
            Ok(Some(answer)) => Status::ok(format!("answered {} bytes", answer.len())),
            Ok(None) => Status::ok("answered nothing"),
        },
    }
}

#[tokio::test]
async fn undecodable_requests_are_refused_and_everything_keeps_serving() {
    let methods = every_method();
    assert!(
        methods.len() > 20,
        "the contracts have profile, tiering and channel methods: {methods:?}"
    );
    for env in TestEnv::all().await {
        let label = env.label;
        let suite = Suite::start(&env).await;
        for path in &methods {
            for body in [ENDLESS_VARINT, CUT_OFF] {
                let status = send_raw(suite.channel(), path, body).await;
                if SERVICE_ONLY.contains(&path.as_str()) {
                    // Refused at the door, before anything reads the body.
                    assert_eq!(status.code(), Code::PermissionDenied, "[{label}] {path}");
                    continue;
                }
                let from_codec = status.code() == Code::Internal
                    && status
                        .message()
                        .starts_with("failed to decode Protobuf message");
                assert!(
                    from_codec || status.code() == Code::InvalidArgument,
                    "[{label}] {path} with {body:02x?}: {:?} {:?}",
                    status.code(),
                    status.message()
                );
            }
        }

        // The same gateway, and the services behind it, still answer a real call.
        let customer = suite.create_customer("13800138000", "张三丰").await;
        let view = GetCustomerViewRequest {
            lookup: Some(get_customer_view_request::Lookup::CustomerId(
                customer.customer_id.clone(),
            )),
        };
        let answer = suite
            .views(ADMIN)
            .get_customer_view(view)
            .await
            .unwrap_or_else(|status| panic!("[{label}] view after the garbage: {status:?}"))
            .into_inner()
            .view
            .expect("a view");
        assert_eq!(
            answer.customer.map(|c| c.customer_id),
            Some(customer.customer_id),
            "[{label}]"
        );
        assert!(
            answer.unavailable_sections.is_empty(),
            "[{label}] tiering still answers: {:?}",
            answer.unavailable_sections
        );
    }
}
