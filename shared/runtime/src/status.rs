//! Statuses every service answers with, always carrying `google.rpc` details a client can act
//! on without parsing the message: an `ErrorInfo` with a stable reason in the `vipcare` domain,
//! and a `RetryInfo` where waiting helps. Field violations, resources and preconditions are
//! added by each service's own error map, which knows them.

use std::collections::HashMap;
use std::time::Duration;

use tonic::{Code, Status};
use tonic_types::{ErrorDetails, StatusExt};

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

/// ABORTED: the resource changed since the client read it (a stale etag): read again, retry.
pub fn stale(message: impl Into<String>) -> Status {
    with_reason(Code::Aborted, "STALE_ETAG", message)
}

#[cfg(test)]
mod tests {
    use super::*;

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
