//! ChannelService as a tower service, written out instead of generated so its responses can be
//! the pre-encoded bytes from the cache (see `codec`). It does what the generated server does:
//! route by method, decode with the message size limit, run the handler, encode.

use std::convert::Infallible;
use std::future::Future;
use std::task::{Context, Poll};

use futures::future::{BoxFuture, ready};
use prost::Message;
use tonic::body::Body;
use tonic::{Request, Response, Status};
use tower::Service;

use super::ChannelHandlers;
use super::codec::PreEncodedCodec;
use crate::view::Encoded;

const GET_CUSTOMER_VIEW: &str = "/vipcare.gateway.v1.ChannelService/GetCustomerView";
const LOOKUP_CALLER: &str = "/vipcare.gateway.v1.ChannelService/LookupCaller";

#[derive(Debug, Clone)]
pub struct ChannelServer {
    handlers: ChannelHandlers,
    max_message_bytes: usize,
}

impl ChannelServer {
    pub fn new(handlers: ChannelHandlers, max_message_bytes: usize) -> Self {
        ChannelServer {
            handlers,
            max_message_bytes,
        }
    }
}

impl Service<http::Request<Body>> for ChannelServer {
    type Response = http::Response<Body>;
    type Error = Infallible;
    type Future = BoxFuture<'static, Result<http::Response<Body>, Infallible>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: http::Request<Body>) -> Self::Future {
        let handlers = self.handlers.clone();
        let limit = self.max_message_bytes;
        match req.uri().path() {
            GET_CUSTOMER_VIEW => Box::pin(unary(limit, req, move |request| {
                let handlers = handlers.clone();
                async move { handlers.get_customer_view(request).await }
            })),
            LOOKUP_CALLER => Box::pin(unary(limit, req, move |request| {
                let handlers = handlers.clone();
                async move { handlers.lookup_caller(request).await }
            })),
            _ => Box::pin(ready(Ok(
                Status::unimplemented("no such method").into_http()
            ))),
        }
    }
}

/// Decodes one `D`, runs `handler`, writes its encoded answer.
async fn unary<D, F, Fut>(
    limit: usize,
    req: http::Request<Body>,
    handler: F,
) -> Result<http::Response<Body>, Infallible>
where
    D: Message + Default + Send + 'static,
    F: FnMut(Request<D>) -> Fut,
    Fut: Future<Output = Result<Response<Encoded>, Status>>,
{
    let mut grpc = tonic::server::Grpc::new(PreEncodedCodec::<D>::default())
        .apply_max_message_size_config(Some(limit), Some(limit));
    Ok(grpc.unary(tower::service_fn(handler), req).await)
}
