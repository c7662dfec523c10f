//! The one place errors become gRPC statuses, with the details clients act on: field
//! violations for bad input, the resource for NOT_FOUND, the refusal for benefits.

use tonic::{Code, Status};
use tonic_types::{ErrorDetails, StatusExt};

use vipcare_runtime::status;

use crate::error::Error;

impl From<Error> for Status {
    fn from(err: Error) -> Status {
        match err {
            Error::Invalid(violations) => status::invalid(violations),
            Error::NotFound { kind, id } => Status::with_error_details(
                Code::NotFound,
                match &id {
                    Some(id) => format!("{kind} {id} not found"),
                    None => format!("{kind} not found"),
                },
                ErrorDetails::with_resource_info(kind, id.unwrap_or_default(), "", "not found"),
            ),
            Error::StaleEtag { given, current } => status::stale(format!(
                "the policy changed since it was read (etag {given}, now {current}); \
                 read it again and retry"
            )),
            Error::RunInProgress { run_id, period } => Status::with_error_details(
                Code::AlreadyExists,
                format!("run {run_id} of {period} is already running"),
                ErrorDetails::with_resource_info("evaluation_run", run_id, "", "running"),
            ),
            Error::NotEntitled { refusal, message } => Status::with_error_details(
                Code::FailedPrecondition,
                format!("{}: {message}", refusal.code()),
                ErrorDetails::with_precondition_failure_violation(
                    refusal.code(),
                    "benefit",
                    message,
                ),
            ),
            Error::TiersInUse(missing) => {
                let mut details = ErrorDetails::new();
                for m in &missing {
                    details.add_precondition_failure_violation(
                        "TIER_IN_USE",
                        format!("benefit/{}", m.benefit),
                        format!("names tier {}, which this policy drops", m.tier),
                    );
                }
                Status::with_error_details(
                    Code::FailedPrecondition,
                    "the policy drops tiers that active benefits name: change those benefits first",
                    details,
                )
            }
            Error::Forbidden(message) => {
                status::with_reason(Code::PermissionDenied, "FORBIDDEN", message)
            }
            Error::Precondition(message) => {
                status::with_reason(Code::FailedPrecondition, "PRECONDITION", message)
            }
            Error::Unavailable(reason) => {
                tracing::warn!(%reason, "dependency unavailable");
                status::unavailable(
                    "tiering cannot reach its store or the profile service; retry later",
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
    use super::*;
    use crate::domain::{Invalid, Refusal};

    #[test]
    fn every_refused_field_is_named() {
        let status = Status::from(Error::Invalid(vec![
            Invalid::new("bad").at("policy.tiers[1].min_score"),
            Invalid::new("bad").at("policy.weights.tenure"),
        ]));
        assert_eq!(status.code(), Code::InvalidArgument);
        let fields: Vec<_> = status
            .get_details_bad_request()
            .unwrap()
            .field_violations
            .into_iter()
            .map(|v| v.field)
            .collect();
        assert_eq!(
            fields,
            ["policy.tiers[1].min_score", "policy.weights.tenure"]
        );
    }

    #[test]
    fn refusals_carry_their_reason_code() {
        let status = Status::from(Error::NotEntitled {
            refusal: Refusal::QuotaExhausted,
            message: "all 8 uses taken".into(),
        });
        assert_eq!(status.code(), Code::FailedPrecondition);
        assert!(status.message().starts_with("QUOTA_EXHAUSTED"));
        let failure = status.get_details_precondition_failure().unwrap();
        assert_eq!(failure.violations[0].r#type, "QUOTA_EXHAUSTED");
    }

    #[test]
    fn a_customer_named_by_mobile_number_is_not_found_without_it() {
        let status = Status::from(Error::not_found_unnamed("customer"));
        assert_eq!(status.code(), Code::NotFound);
        assert_eq!(status.message(), "customer not found");
        let info = status.get_details_resource_info().unwrap();
        assert_eq!(
            (info.resource_type.as_str(), info.resource_name.as_str()),
            ("customer", "")
        );
        let status = Status::from(Error::not_found("benefit", "airport_lounge"));
        assert_eq!(status.message(), "benefit airport_lounge not found");
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
