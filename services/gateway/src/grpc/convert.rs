//! Requests into the gateway's validated lookups, destructuring every field.

use vipcare_proto::gateway::v1::get_customer_view_request::Lookup;
use vipcare_proto::gateway::v1::{GetCustomerViewRequest, LookupCallerRequest};

use crate::error::GatewayError;
use crate::view::{CustomerId, Msisdn, ViewLookup};

impl TryFrom<GetCustomerViewRequest> for ViewLookup {
    type Error = GatewayError;

    fn try_from(request: GetCustomerViewRequest) -> Result<Self, Self::Error> {
        let GetCustomerViewRequest { lookup } = request;
        match lookup {
            Some(Lookup::CustomerId(id)) => Ok(ViewLookup::Id(CustomerId::parse(&id)?)),
            Some(Lookup::Msisdn(msisdn)) => Ok(ViewLookup::Msisdn(Msisdn::parse(&msisdn)?)),
            None => Err(GatewayError::Invalid {
                field: "lookup",
                reason: "set customer_id or msisdn",
            }),
        }
    }
}

impl TryFrom<LookupCallerRequest> for Msisdn {
    type Error = GatewayError;

    fn try_from(request: LookupCallerRequest) -> Result<Self, Self::Error> {
        let LookupCallerRequest { msisdn } = request;
        Msisdn::parse(&msisdn)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_view_request_names_the_customer_one_way() {
        let by_id = GetCustomerViewRequest {
            lookup: Some(Lookup::CustomerId("c-1".into())),
        };
        assert!(matches!(ViewLookup::try_from(by_id), Ok(ViewLookup::Id(_))));
        let by_number = GetCustomerViewRequest {
            lookup: Some(Lookup::Msisdn("13800138000".into())),
        };
        assert!(matches!(
            ViewLookup::try_from(by_number),
            Ok(ViewLookup::Msisdn(_))
        ));
    }

    #[test]
    fn a_view_request_without_lookup_names_the_field() {
        let err = ViewLookup::try_from(GetCustomerViewRequest { lookup: None }).unwrap_err();
        assert!(matches!(
            err,
            GatewayError::Invalid {
                field: "lookup",
                ..
            }
        ));
    }
}
