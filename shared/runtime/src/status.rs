//! Statuses every service answers with, always carrying `google.rpc` details a client can act
//! on without parsing the message: an `ErrorInfo` with a stable reason in the `vipcare` domain,
//! and a `RetryInfo` where waiting helps; INVALID_ARGUMENT with every refused field and NOT_FOUND
//! with the resource, the same in every service. Preconditions are added by each service's own
//! error map, which knows them.

use std::collections::HashMap;
use std::time::Duration;

use tonic::{Code, Status};
use tonic_types::{ErrorDetails, FieldViolation, StatusExt};
use vipcare_domain::Violation;

/// The `ErrorInfo.domain` of every vipcare error.
pub const DOMAIN: &str = "vipcare";

/// How long a client should wait before retrying a call that met an unavailable dependency.
pub const RETRY_AFTER: Duration = Duration::from_secs(1);

/// `code` with `message` and an `ErrorInfo` naming `reason` (UPPER_SNAKE_CASE).
pub fn with_reason(code: Code, reason: &str, message: impl Into<String>) -> Status {
    Status::with_error_details(
        code,
        message,
        ErrorDetails::with_error_info(reason, DOMAIN, HashMap::new()),
    )
}

/// UNAVAILABLE: a dependency (database, another service) is down; retry after [`RETRY_AFTER`].
pub fn unavailable(message: impl Into<String>) -> Status {
    let mut details = ErrorDetails::with_retry_info(Some(RETRY_AFTER));
    details.set_error_info("UNAVAILABLE", DOMAIN, HashMap::new());
    Status::with_error_details(Code::Unavailable, message, details)
}

/// INTERNAL: our bug. The cause is logged by the caller; the client only learns that it happened.
pub fn internal() -> Status {
    with_reason(Code::Internal, "INTERNAL", "internal error")
}

/// INVALID_ARGUMENT naming every refused field, in the message and as `BadRequest` field
/// violations a client can show beside each field.
pub fn invalid(violations: Vec<Violation>) -> Status {
    let message = violations
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ");
    let details = ErrorDetails::with_bad_request(
        violations
            .into_iter()
            .map(|v| FieldViolation::new(v.field, v.reason))
            .collect::<Vec<_>>(),
    );
    Status::with_error_details(Code::InvalidArgument, format!("invalid {message}"), details)
}

/// NOT_FOUND for the `kind` of resource called `id`, with a `ResourceInfo`.
pub fn not_found(kind: &str, id: &str) -> Status {
    Status::with_error_details(
        Code::NotFound,
        format!("{kind} {id} not found"),
        ErrorDetails::with_resource_info(kind, id, "", "not found"),
    )
}

/// ABORTED: the resource changed since the client read it (a stale etag): read again, retry.
pub fn stale(message: impl Into<String>) -> Status {
    with_reason(Code::Aborted, "STALE_ETAG", message)
}

#[cfg(test)]
mod tests {
    use vipcare_domain::Invalid;

    use super::*;

    #[test]
    fn invalid_names_every_field_and_not_found_its_resource() {
        let status = invalid(vec![
            Invalid::new("required").at("customer_id"),
            Invalid::new("must be 1 to 5").at("moment_scores[2].score"),
        ]);
        assert_eq!(status.code(), Code::InvalidArgument);
        assert_eq!(
            status.message(),
            "invalid customer_id: required; moment_scores[2].score: must be 1 to 5"
        );
        let fields: Vec<String> = status
            .get_details_bad_request()
            .expect("BadRequest")
            .field_violations
            .into_iter()
            .map(|v| v.field)
            .collect();
        assert_eq!(fields, ["customer_id", "moment_scores[2].score"]);
        let missing = not_found("scenario", "HOME_VISIT");
        assert_eq!(missing.code(), Code::NotFound);
        let info = missing.get_details_resource_info().expect("ResourceInfo");
        assert_eq!(
            (info.resource_type.as_str(), info.resource_name.as_str()),
            ("scenario", "HOME_VISIT")
        );
    }

    #[test]
    fn every_status_carries_a_reason_and_unavailable_a_retry_delay() {
        for (status, reason) in [
            (unavailable("db down"), "UNAVAILABLE"),
            (internal(), "INTERNAL"),
            (stale("changed"), "STALE_ETAG"),
            (
                with_reason(Code::PermissionDenied, "FORBIDDEN", "no"),
                "FORBIDDEN",
            ),
        ] {
            let info = status.get_details_error_info().expect("ErrorInfo");
            assert_eq!(
                (info.reason.as_str(), info.domain.as_str()),
                (reason, DOMAIN)
            );
        }
        let retry = unavailable("db down")
            .get_details_retry_info()
            .expect("RetryInfo");
        assert_eq!(retry.retry_delay, Some(RETRY_AFTER));
    }
}
