//! The one place errors become gRPC statuses, with the details clients act on: field
//! violations for bad input, the resource for NOT_FOUND, the rule broken for a used or expired
//! token and for survey fatigue, the current version for a lost race. Internal causes are
//! logged here and never sent.

use tonic::{Code, Status};
use tonic_types::{ErrorDetails, StatusExt};
use vipcare_runtime::status;

use crate::error::Error;

impl From<Error> for Status {
    fn from(err: Error) -> Status {
        match err {
            Error::Invalid(violations) => status::invalid(violations),
            Error::NotFound { kind, id } => status::not_found(kind, &id),
            Error::Precondition { reason, message } => Status::with_error_details(
                Code::FailedPrecondition,
                message.clone(),
                ErrorDetails::with_precondition_failure_violation(reason, "survey", message),
            ),
            Error::PermissionDenied(message) => {
                status::with_reason(Code::PermissionDenied, "PERMISSION_DENIED", message)
            }
            Error::VersionMismatch { expected, current } => status::with_reason(
                Code::Aborted,
                "VERSION_MISMATCH",
                format!(
                    "the scenario is at version {current}, not {expected}: someone else changed \
                     it; read it again and decide"
                ),
            ),
            Error::StaleEtag { given, current } => status::stale(format!(
                "the survey policy changed since it was read (etag {given}, now {current}); read \
                 it again and retry"
            )),
            Error::Unavailable(reason) => {
                tracing::warn!(%reason, "dependency unavailable");
                status::unavailable(
                    "the survey service cannot reach its store, the profile or tiering; retry \
                     later with the same request_id",
                )
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
    use vipcare_domain::Invalid;

    use super::*;
    use crate::error::{SURVEY_FATIGUE, TOKEN_USED};

    #[test]
    fn every_refused_field_is_named() {
        let status = Status::from(Error::Invalid(vec![
            Invalid::new("must be 1 to 5").at("moment_scores[1].score"),
            Invalid::new("must be 0 to 10").at("nps"),
        ]));
        assert_eq!(status.code(), Code::InvalidArgument);
        let fields: Vec<_> = status
            .get_details_bad_request()
            .unwrap()
            .field_violations
            .into_iter()
            .map(|v| v.field)
            .collect();
        assert_eq!(fields, ["moment_scores[1].score", "nps"]);
    }

    #[test]
    fn preconditions_name_the_rule_broken() {
        for reason in [SURVEY_FATIGUE, TOKEN_USED] {
            let status = Status::from(Error::Precondition {
                reason,
                message: "next invitation from 2026-06-29".into(),
            });
            assert_eq!(status.code(), Code::FailedPrecondition);
            let failure = status.get_details_precondition_failure().unwrap();
            assert_eq!(failure.violations[0].r#type, reason);
            assert!(status.message().contains("2026-06-29"));
        }
        let status = Status::from(Error::PermissionDenied("use the token".into()));
        assert_eq!(status.code(), Code::PermissionDenied);
    }

    #[test]
    fn lost_races_are_aborted_with_their_reason() {
        let status = Status::from(Error::VersionMismatch {
            expected: 1,
            current: 2,
        });
        assert_eq!(status.code(), Code::Aborted);
        assert_eq!(
            status.get_details_error_info().unwrap().reason,
            "VERSION_MISMATCH"
        );
        let stale = Status::from(Error::StaleEtag {
            given: "\"v1\"".into(),
            current: "\"v2\"".into(),
        });
        assert_eq!(stale.code(), Code::Aborted);
    }

    #[test]
    fn internal_and_unavailable_errors_are_opaque() {
        let status = Status::from(Error::Internal("relation \"x\" does not exist".into()));
        assert_eq!(status.message(), "internal error");
        let status = Status::from(Error::Unavailable("connection refused 10.0.0.5".into()));
        assert_eq!(status.code(), Code::Unavailable);
        assert!(!status.message().contains("10.0.0.5"));
    }
}
