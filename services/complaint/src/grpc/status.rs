//! The one place errors become gRPC statuses, with the details clients act on: field
//! violations for bad input, the resource for NOT_FOUND, the state a complaint is in for a move
//! it forbids, the current version for a lost race. Internal causes are logged here and never
//! sent.

use tonic::{Code, Status};
use tonic_types::{ErrorDetails, StatusExt};
use vipcare_runtime::status;

use crate::error::Error;

impl From<Error> for Status {
    fn from(err: Error) -> Status {
        match err {
            Error::Invalid(violations) => status::invalid(violations),
            Error::NotFound { kind, id } => status::not_found(kind, &id),
            Error::IllegalMove(illegal) => Status::with_error_details(
                Code::FailedPrecondition,
                illegal.to_string(),
                ErrorDetails::with_precondition_failure_violation(
                    format!("COMPLAINT_{}", illegal.from.code()),
                    "complaint",
                    format!(
                        "the complaint is {} and {} is not a move from there",
                        illegal.from.code(),
                        illegal.move_name.code()
                    ),
                ),
            ),
            Error::Precondition { reason, message } => Status::with_error_details(
                Code::FailedPrecondition,
                message.clone(),
                ErrorDetails::with_precondition_failure_violation(reason, "complaint", message),
            ),
            Error::VersionMismatch { expected, current } => status::with_reason(
                Code::Aborted,
                "VERSION_MISMATCH",
                format!(
                    "the complaint is at version {current}, not {expected}: someone else moved \
                     it; read it again and decide"
                ),
            ),
            Error::StaleEtag { given, current } => status::stale(format!(
                "the SLA policy changed since it was read (etag {given}, now {current}); read \
                 it again and retry"
            )),
            Error::Unavailable(reason) => {
                tracing::warn!(%reason, "dependency unavailable");
                status::unavailable(
                    "the complaint service cannot reach its store, the profile or tiering; \
                     retry later with the same request_id",
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
    use crate::domain::{ComplaintState, IllegalMove, MoveName};

    #[test]
    fn every_refused_field_is_named() {
        let status = Status::from(Error::Invalid(vec![
            Invalid::new("required").at("summary"),
            Invalid::new("must be in the future").at("due_at"),
        ]));
        assert_eq!(status.code(), Code::InvalidArgument);
        let fields: Vec<_> = status
            .get_details_bad_request()
            .unwrap()
            .field_violations
            .into_iter()
            .map(|v| v.field)
            .collect();
        assert_eq!(fields, ["summary", "due_at"]);
    }

    #[test]
    fn a_move_the_state_forbids_says_where_the_complaint_is() {
        let status = Status::from(Error::IllegalMove(IllegalMove {
            from: ComplaintState::Closed,
            move_name: MoveName::Transfer,
        }));
        assert_eq!(status.code(), Code::FailedPrecondition);
        let failure = status.get_details_precondition_failure().unwrap();
        assert_eq!(failure.violations[0].r#type, "COMPLAINT_CLOSED");
    }

    #[test]
    fn lost_races_are_aborted_with_their_reason() {
        let status = Status::from(Error::VersionMismatch {
            expected: 3,
            current: 4,
        });
        assert_eq!(status.code(), Code::Aborted);
        assert_eq!(
            status.get_details_error_info().unwrap().reason,
            "VERSION_MISMATCH"
        );
        let stale = Status::from(Error::StaleEtag {
            given: "\"1\"".into(),
            current: "\"2\"".into(),
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
