//! Gateway errors as gRPC statuses. Statuses the services meant for the client pass through
//! unchanged; internal causes are logged and never sent.

use tonic::{Code, Status};
use tonic_types::{ErrorDetails, StatusExt};

use vipcare_runtime::status;

use crate::error::GatewayError;

impl From<GatewayError> for Status {
    fn from(err: GatewayError) -> Status {
        match err {
            GatewayError::Invalid { field, reason } => Status::with_error_details(
                Code::InvalidArgument,
                format!("invalid {field}: {reason}"),
                ErrorDetails::with_bad_request_violation(field, reason),
            ),
            GatewayError::Unauthenticated => {
                status::with_reason(Code::Unauthenticated, "API_KEY_MISSING", "missing API key")
            }
            GatewayError::Refused { status, .. } => status,
            GatewayError::Unavailable(service) => {
                status::unavailable(format!("the {service} service is unavailable"))
            }
            GatewayError::DeadlineExceeded(service) => status::with_reason(
                Code::DeadlineExceeded,
                "DEPENDENCY_TIMEOUT",
                format!("the {service} service did not answer in time"),
            ),
            GatewayError::Internal(cause) => {
                tracing::error!(%cause, "internal error");
                status::internal()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_input_names_the_field() {
        let status = Status::from(GatewayError::Invalid {
            field: "msisdn",
            reason: "required",
        });
        assert_eq!(status.code(), Code::InvalidArgument);
        let violations = status.get_details_bad_request().unwrap().field_violations;
        assert_eq!(violations[0].field, "msisdn");
    }

    #[test]
    fn internal_causes_stay_inside() {
        let status = Status::from(GatewayError::Internal("db password is hunter2".into()));
        assert_eq!(status.code(), Code::Internal);
        assert!(!status.message().contains("hunter2"));
    }

    #[test]
    fn a_not_found_from_the_profile_service_reaches_the_client() {
        let upstream = Status::not_found("customer c-1 not found");
        let status = Status::from(GatewayError::from_upstream("profile", upstream));
        assert_eq!(status.code(), Code::NotFound);
        assert_eq!(status.message(), "customer c-1 not found");
    }

    #[test]
    fn a_failing_service_is_unavailable_not_internal_text() {
        let upstream = Status::unavailable("tcp connect error: 127.0.0.1:50061 refused");
        let status = Status::from(GatewayError::from_upstream("profile", upstream));
        assert_eq!(status.code(), Code::Unavailable);
        assert!(!status.message().contains("127.0.0.1"));
    }
}
