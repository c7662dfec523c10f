//! The one place errors become gRPC statuses, with the details clients act on: field
//! violations for bad input, the resource for NOT_FOUND, the precondition for erased customers.

use tonic::{Code, Status};
use tonic_types::{ErrorDetails, StatusExt};

use vipcare_runtime::status;

use crate::error::Error;

impl From<Error> for Status {
    fn from(err: Error) -> Status {
        match err {
            Error::Invalid(v) => Status::with_error_details(
                Code::InvalidArgument,
                format!("invalid {}: {}", v.field, v.reason),
                ErrorDetails::with_bad_request_violation(v.field, v.reason),
            ),
            Error::NotFound { kind, id } => Status::with_error_details(
                Code::NotFound,
                format!("{kind} {id} not found"),
                ErrorDetails::with_resource_info(kind, id, "", "not found"),
            ),
            Error::MsisdnNotFound => Status::with_error_details(
                Code::NotFound,
                "no customer has this msisdn",
                ErrorDetails::with_resource_info("customer", "", "", "no customer has this msisdn"),
            ),
            Error::MsisdnTaken => Status::with_error_details(
                Code::AlreadyExists,
                "msisdn already belongs to another customer",
                ErrorDetails::with_resource_info("customer", "", "", "msisdn is taken"),
            ),
            Error::StaleEtag { given, current } => status::stale(format!(
                "the customer changed since it was read (etag {given:?}, now {current:?}); \
                 read it again and retry"
            )),
            Error::Erased(id) => Status::with_error_details(
                Code::FailedPrecondition,
                format!("customer {id} has been erased"),
                ErrorDetails::with_precondition_failure_violation(
                    "ERASED",
                    format!("customer/{id}"),
                    "the customer's personal data was erased",
                ),
            ),
            Error::Unavailable(reason) => {
                tracing::warn!(%reason, "database unavailable");
                status::unavailable("the profile store is unavailable; retry later")
            }
            Error::Internal(reason) => {
                tracing::error!(%reason, "internal error");
                status::internal()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Invalid;

    #[test]
    fn invalid_input_names_the_field() {
        let status = Status::from(Error::from(Invalid::new("bad").at("customer.msisdn")));
        assert_eq!(status.code(), Code::InvalidArgument);
        let bad = status.get_details_bad_request().unwrap();
        assert_eq!(bad.field_violations[0].field, "customer.msisdn");
    }

    #[test]
    fn internal_errors_are_opaque() {
        let status = Status::from(Error::Internal("relation \"x\" does not exist".into()));
        assert_eq!(status.code(), Code::Internal);
        assert_eq!(status.message(), "internal error");
        let status = Status::from(Error::Unavailable("connection refused 10.0.0.5".into()));
        assert_eq!(status.code(), Code::Unavailable);
        assert!(!status.message().contains("10.0.0.5"));
    }

    #[test]
    fn an_unknown_msisdn_is_not_repeated() {
        let status = Status::from(Error::MsisdnNotFound);
        assert_eq!(status.code(), Code::NotFound);
        let info = status.get_details_resource_info().unwrap();
        assert_eq!(info.resource_type, "customer");
        assert!(info.resource_name.is_empty());
    }

    #[test]
    fn not_found_carries_the_resource() {
        let status = Status::from(Error::customer_not_found("abc"));
        assert_eq!(status.code(), Code::NotFound);
        let info = status.get_details_resource_info().unwrap();
        assert_eq!(
            (info.resource_type.as_str(), info.resource_name.as_str()),
            ("customer", "abc")
        );
    }
}
