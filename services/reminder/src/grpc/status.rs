//! The one place errors become gRPC statuses, with the details clients act on: field
//! violations for bad input, the resource for NOT_FOUND, the state a reminder is in for a move
//! it forbids. Internal causes are logged here and never sent.

use tonic::{Code, Status};
use tonic_types::{ErrorDetails, StatusExt};
use vipcare_runtime::status;

use crate::error::Error;

impl From<Error> for Status {
    fn from(err: Error) -> Status {
        match err {
            Error::Invalid(violations) => status::invalid(violations),
            Error::NotFound { kind, id } => status::not_found(kind, &id),
            Error::StaleEtag { given, current } => status::stale(format!(
                "the rule changed since it was read (etag {given}, now {current}); \
                 read it again and retry"
            )),
            Error::IllegalMove(illegal) => Status::with_error_details(
                Code::FailedPrecondition,
                illegal.to_string(),
                ErrorDetails::with_precondition_failure_violation(
                    format!("REMINDER_{}", illegal.from.code()),
                    "reminder",
                    format!(
                        "the reminder is {} and cannot become {}",
                        illegal.from.code(),
                        illegal.to.code()
                    ),
                ),
            ),
            Error::Conflict(reason) => {
                tracing::debug!(%reason, "concurrent change");
                status::with_reason(
                    Code::Aborted,
                    "CONFLICT",
                    "the reminder changed while the call ran; retry",
                )
            }
            Error::Unavailable(reason) => {
                tracing::warn!(%reason, "dependency unavailable");
                status::unavailable(
                    "the reminder service cannot reach its store, the profile or tiering; \
                     retry later",
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
    use crate::domain::{IllegalMove, Reason, ReminderState};

    #[test]
    fn every_refused_field_is_named() {
        let status = Status::from(Error::Invalid(vec![
            Invalid::new("missing").at("variables.PLAN_NAME"),
            Invalid::new("must be after the send time").at("deadline"),
        ]));
        assert_eq!(status.code(), Code::InvalidArgument);
        let fields: Vec<_> = status
            .get_details_bad_request()
            .unwrap()
            .field_violations
            .into_iter()
            .map(|v| v.field)
            .collect();
        assert_eq!(fields, ["variables.PLAN_NAME", "deadline"]);
    }

    #[test]
    fn not_found_names_the_resource() {
        let status = Status::from(Error::not_found("template", "care.birthday.sms.zh-cn"));
        assert_eq!(status.code(), Code::NotFound);
        let info = status.get_details_resource_info().unwrap();
        assert_eq!(
            (info.resource_type.as_str(), info.resource_name.as_str()),
            ("template", "care.birthday.sms.zh-cn")
        );
    }

    #[test]
    fn a_move_the_state_forbids_says_where_the_reminder_is() {
        let status = Status::from(Error::IllegalMove(IllegalMove {
            from: ReminderState::Sent,
            to: ReminderState::Cancelled,
            reason: Reason::CancelRequested,
        }));
        assert_eq!(status.code(), Code::FailedPrecondition);
        let failure = status.get_details_precondition_failure().unwrap();
        assert_eq!(failure.violations[0].r#type, "REMINDER_SENT");
    }

    #[test]
    fn stale_etags_and_conflicts_are_aborted() {
        let stale = Status::from(Error::StaleEtag {
            given: "\"v1\"".into(),
            current: "\"v2\"".into(),
        });
        assert_eq!(stale.code(), Code::Aborted);
        assert_eq!(stale.get_details_error_info().unwrap().reason, "STALE_ETAG");
        let conflict = Status::from(Error::Conflict("reminder r-1 moved".into()));
        assert_eq!(conflict.code(), Code::Aborted);
        assert!(!conflict.message().contains("r-1"));
    }

    #[test]
    fn internal_and_unavailable_errors_are_opaque() {
        let status = Status::from(Error::Internal("relation \"x\" does not exist".into()));
        assert_eq!(status.message(), "internal error");
        let status = Status::from(Error::Unavailable("connection refused 10.0.0.5".into()));
        assert_eq!(status.code(), Code::Unavailable);
        assert!(!status.message().contains("10.0.0.5"));
        assert!(status.get_details_retry_info().is_some());
    }
}
