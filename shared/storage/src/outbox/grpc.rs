//! Outbox rows delivered as gRPC calls, for any service's [`Deliver`](super::Deliver): the
//! row's payload is the encoded request and goes out as it is (a relay needs none of the
//! receiver's generated types), the row's idempotency key travels in metadata, and the
//! receiver's status decides the row's fate. The service picks the channel and method path.

use std::time::Duration;

use bytes::{Buf, BufMut};
use tonic::client::{Grpc, GrpcService};
use tonic::codec::{Codec, DecodeBuf, Decoder, EncodeBuf, Encoder};
use tonic::codegen::http::uri::PathAndQuery;
use tonic::codegen::{Body, Bytes, StdError};
use tonic::metadata::MetadataValue;
use tonic::{Code, Status};

use super::{DeliveryError, OutboxMessage};

/// Metadata carrying [`OutboxMessage::request_id`]: the receiver's idempotency key, the same
/// on every retry and from every replica, so a repeat does nothing twice.
pub const REQUEST_ID_HEADER: &str = "x-vipcare-request-id";

/// How the receiver ended a row's delivery, when it did.
#[derive(Debug, Clone)]
pub enum Answered {
    /// It took the row: its response message, encoded.
    Accepted(Vec<u8>),
    /// It answered one of the row's settled codes (see [`deliver_unary`]).
    Settled(Status),
}

/// Sends `msg`'s payload as a unary call of `path` (e.g. `/vipcare.x.v1.XService/Method`)
/// over `transport` (a `Channel`, or one wrapped to add headers), waiting at most `timeout`.
/// An answer with one of the `settled` codes means the effect is already as the row wants it
/// (a withdrawal of what is gone), and the row is done.
pub async fn deliver_unary<T>(
    transport: T,
    path: &str,
    msg: &OutboxMessage,
    timeout: Duration,
    settled: &[Code],
) -> Result<Answered, DeliveryError>
where
    T: GrpcService<tonic::body::Body>,
    T::Error: Into<StdError>,
    T::ResponseBody: Body<Data = Bytes> + Send + 'static,
    <T::ResponseBody as Body>::Error: Into<StdError> + Send,
{
    // A bad path is this service's bug: the row waits for the release that fixes it.
    let path = PathAndQuery::try_from(path)
        .map_err(|e| DeliveryError::Retry(format!("method path {path:?}: {e}")))?;
    let mut grpc = Grpc::new(transport);
    grpc.ready().await.map_err(|e| {
        let e: StdError = e.into();
        DeliveryError::Retry(format!("connection not ready: {e}"))
    })?;
    match grpc.unary(request(msg, timeout), path, Passthrough).await {
        Ok(answer) => Ok(Answered::Accepted(answer.into_inner())),
        Err(status) if settled.contains(&status.code()) => Ok(Answered::Settled(status)),
        Err(status) => verdict(&status).map(|()| Answered::Settled(status)),
    }
}

/// One delivery's request: the payload and the metadata it travels with. Every header a
/// relay's call must carry is added here, and only here.
pub fn request(msg: &OutboxMessage, timeout: Duration) -> tonic::Request<Vec<u8>> {
    let mut request = tonic::Request::new(msg.payload.clone());
    request.set_timeout(timeout);
    // Destination names and row ids are ASCII, so the key always makes a valid header.
    if let Ok(key) = MetadataValue::try_from(msg.request_id()) {
        request.metadata_mut().insert(REQUEST_ID_HEADER, key);
    }
    // Made inside the row's delivery span: the receiver continues the row's trace.
    vipcare_trace::inject(request.metadata_mut().as_mut());
    request
}

/// What the receiver's answer means for the row. Only a receiver that read the message and
/// refused it as such parks it: sending the same bytes again would be refused again, so an
/// operator looks (parked rows are kept, never dropped). Everything else is retried with the
/// relay's capped backoff, because it changes without the message changing.
pub fn verdict(status: &Status) -> Result<(), DeliveryError> {
    let why = || format!("{:?}: {}", status.code(), status.message());
    match status.code() {
        Code::Ok => Ok(()),
        // The receiver or the way to it is down, busy, slow or restarting.
        Code::Unavailable
        | Code::DeadlineExceeded
        | Code::ResourceExhausted
        | Code::Aborted
        | Code::Cancelled => Err(DeliveryError::Retry(why())),
        // Nothing serves the method yet: the receiver is not deployed, or is an older version
        // (or a proxy has no route to it). It will once it is rolled out.
        Code::Unimplemented | Code::NotFound => Err(DeliveryError::Retry(why())),
        // Our credential was refused: a secret being rotated or mis-set is fixed by deploying,
        // not by changing the message.
        Code::Unauthenticated | Code::PermissionDenied => Err(DeliveryError::Retry(why())),
        // The receiver failed on its side; fixed or restarted, it takes the same message.
        Code::Internal | Code::Unknown | Code::DataLoss => Err(DeliveryError::Retry(why())),
        // The receiver read the message and refused it for what it says.
        Code::InvalidArgument
        | Code::FailedPrecondition
        | Code::OutOfRange
        | Code::AlreadyExists => Err(DeliveryError::Permanent(why())),
    }
}

/// Sends an already encoded request as it is and hands the answer back as it came, encoded.
#[derive(Debug, Clone, Copy, Default)]
struct Passthrough;

impl Codec for Passthrough {
    type Encode = Vec<u8>;
    type Decode = Vec<u8>;
    type Encoder = Passthrough;
    type Decoder = Passthrough;

    fn encoder(&mut self) -> Passthrough {
        Passthrough
    }

    fn decoder(&mut self) -> Passthrough {
        Passthrough
    }
}

impl Encoder for Passthrough {
    type Item = Vec<u8>;
    type Error = Status;

    fn encode(&mut self, item: Vec<u8>, dst: &mut EncodeBuf<'_>) -> Result<(), Status> {
        dst.put_slice(&item);
        Ok(())
    }
}

impl Decoder for Passthrough {
    type Item = Vec<u8>;
    type Error = Status;

    fn decode(&mut self, src: &mut DecodeBuf<'_>) -> Result<Option<Vec<u8>>, Status> {
        Ok(Some(src.copy_to_bytes(src.remaining()).to_vec()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message() -> OutboxMessage {
        OutboxMessage {
            id: 42,
            destination: "reminder".into(),
            method: "vipcare.x.v1.Event".into(),
            payload: vec![8, 1],
            attempts: 0,
            trace: None,
        }
    }

    #[test]
    fn the_request_carries_the_payload_and_the_rows_key() {
        let request = request(&message(), Duration::from_secs(5));
        assert_eq!(
            request.metadata().get(REQUEST_ID_HEADER).unwrap(),
            "outbox-reminder-42"
        );
        assert!(request.metadata().get("grpc-timeout").is_some());
        assert_eq!(request.get_ref(), &vec![8, 1]);
    }

    #[test]
    fn only_a_refusal_of_the_message_itself_parks_it() {
        let retried = [
            Code::Unavailable,
            Code::DeadlineExceeded,
            Code::ResourceExhausted,
            Code::Aborted,
            Code::Cancelled,
            Code::Unimplemented,
            Code::NotFound,
            Code::Unauthenticated,
            Code::PermissionDenied,
            Code::Internal,
            Code::Unknown,
            Code::DataLoss,
        ];
        for code in retried {
            let verdict = verdict(&Status::new(code, "x"));
            assert!(matches!(verdict, Err(DeliveryError::Retry(_))), "{code:?}");
        }
        for code in [
            Code::InvalidArgument,
            Code::FailedPrecondition,
            Code::OutOfRange,
            Code::AlreadyExists,
        ] {
            let verdict = verdict(&Status::new(code, "x"));
            assert!(
                matches!(verdict, Err(DeliveryError::Permanent(_))),
                "{code:?}"
            );
        }
        assert_eq!(verdict(&Status::new(Code::Ok, "")), Ok(()));
    }
}
