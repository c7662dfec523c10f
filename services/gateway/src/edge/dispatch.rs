//! The innermost edge service: the gateway's own ChannelService, or the proxy to a peer.

use std::task::{Context, Poll};

use futures::future::{BoxFuture, Either, Ready, ready};
use tonic::Status;
use tonic::body::Body;
use tower::Service;

use super::{Reply, reject};
use crate::proxy::Proxy;
use crate::route::{self, Destination};

#[derive(Debug, Clone)]
pub struct Dispatch<C> {
    channel: C,
    proxy: Proxy,
}

impl<C> Dispatch<C> {
    pub fn new(channel: C, proxy: Proxy) -> Self {
        Dispatch { channel, proxy }
    }
}

impl<C> Service<http::Request<Body>> for Dispatch<C>
where
    C: Service<
            http::Request<Body>,
            Response = http::Response<Body>,
            Error = std::convert::Infallible,
        >,
{
    type Response = http::Response<Body>;
    type Error = std::convert::Infallible;
    type Future = Either<C::Future, Either<BoxFuture<'static, Reply>, Ready<Reply>>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Reply<()>> {
        self.channel.poll_ready(cx)
    }

    fn call(&mut self, req: http::Request<Body>) -> Self::Future {
        match route::destination(req.uri().path()) {
            Some(Destination::Gateway) => Either::Left(self.channel.call(req)),
            Some(Destination::Peer(peer)) => {
                Either::Right(Either::Left(self.proxy.forward(peer, req)))
            }
            // The policy table only lets routable paths through; this is a second lock.
            None => Either::Right(Either::Right(ready(Ok(reject(Status::unimplemented(
                "no such service",
            )))))),
        }
    }
}
