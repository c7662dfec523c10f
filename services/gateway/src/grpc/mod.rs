//! ChannelService: the handlers take the caller the edge identified, convert the request, ask
//! the views and hand back the encoded answer.

use std::sync::Arc;

use tonic::{Request, Response, Status};
use vipcare_proto::gateway::v1::{GetCustomerViewRequest, LookupCallerRequest};

mod codec;
mod convert;
#[cfg(test)]
mod proptests;
mod server;
mod status;

pub use server::ChannelServer;

use crate::edge::Client;
use crate::error::GatewayError;
use crate::view::{CallContext, Encoded, Msisdn, ViewLookup, Views};

#[derive(Debug, Clone)]
pub struct ChannelHandlers {
    views: Arc<Views>,
}

impl ChannelHandlers {
    pub fn new(views: Views) -> Self {
        ChannelHandlers {
            views: Arc::new(views),
        }
    }

    /// GetCustomerView: answers an encoded `GetCustomerViewResponse`.
    pub async fn get_customer_view(
        &self,
        request: Request<GetCustomerViewRequest>,
    ) -> Result<Response<Encoded>, Status> {
        let ctx = context(&request)?;
        let lookup = ViewLookup::try_from(request.into_inner())?;
        let answer = self.views.customer_view(&ctx, lookup).await?;
        Ok(Response::new(answer))
    }

    /// LookupCaller: answers an encoded `LookupCallerResponse`.
    pub async fn lookup_caller(
        &self,
        request: Request<LookupCallerRequest>,
    ) -> Result<Response<Encoded>, Status> {
        let ctx = context(&request)?;
        let msisdn = Msisdn::try_from(request.into_inner())?;
        let answer = self.views.lookup_caller(&ctx, &msisdn).await?;
        Ok(Response::new(answer))
    }
}

/// The caller as the edge authenticated it.
fn context<T>(request: &Request<T>) -> Result<CallContext, GatewayError> {
    let client = request
        .extensions()
        .get::<Arc<Client>>()
        .ok_or(GatewayError::Unauthenticated)?;
    Ok(CallContext::new(client.clone(), request.metadata()))
}
