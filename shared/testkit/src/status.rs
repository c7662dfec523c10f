//! What a refused call told its caller, as the service tests and the end-to-end flows assert
//! it: the code, the field a violation names, the refusal of a failed precondition. The
//! contract says every refusal carries these details, so each helper fails when one is missing.

use std::fmt::Debug;

use tonic::{Code, Status};
use tonic_types::StatusExt;

/// Asserts INVALID_ARGUMENT with field violations on exactly `field` and nothing else.
#[track_caller]
pub fn assert_invalid(label: &str, result: Result<impl Debug, Status>, field: &str) {
    let status = result.expect_err(&format!("[{label}] expected INVALID_ARGUMENT for {field}"));
    assert_eq!(
        status.code(),
        Code::InvalidArgument,
        "[{label}] {field}: {status:?}"
    );
    assert_eq!(violated_fields(&status), [field], "[{label}] {status:?}");
}

/// The code of a call that must have failed.
#[track_caller]
pub fn code<T: Debug>(result: Result<T, Status>) -> Code {
    match result {
        Ok(value) => panic!("expected an error, got {value:?}"),
        Err(status) => status.code(),
    }
}

/// The fields named by the BadRequest violations of a status, in order; panics without them.
#[track_caller]
pub fn violated_fields(status: &Status) -> Vec<String> {
    let bad_request = status
        .get_details_bad_request()
        .unwrap_or_else(|| panic!("no BadRequest detail in {status:?}"));
    bad_request
        .field_violations
        .into_iter()
        .map(|v| v.field)
        .collect()
}

/// The field named by the first violation of an INVALID_ARGUMENT status.
#[track_caller]
pub fn violated_field(status: &Status) -> String {
    assert_eq!(
        status.code(),
        Code::InvalidArgument,
        "expected INVALID_ARGUMENT, got {status:?}"
    );
    violated_fields(status)
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("BadRequest with no violation: {status:?}"))
}

/// The type of a FAILED_PRECONDITION refusal, e.g. "QUOTA_EXHAUSTED".
#[track_caller]
pub fn refusal<T: Debug>(result: Result<T, Status>) -> String {
    let status = result.expect_err("expected a refusal");
    assert_eq!(status.code(), Code::FailedPrecondition, "{status:?}");
    let failure = status
        .get_details_precondition_failure()
        .unwrap_or_else(|| panic!("no PreconditionFailure detail in {status:?}"));
    failure
        .violations
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("PreconditionFailure with no violation: {status:?}"))
        .r#type
}

#[cfg(test)]
mod tests {
    use tonic_types::{ErrorDetails, FieldViolation};

    use super::*;

    fn invalid(fields: &[&str]) -> Status {
        let violations = fields
            .iter()
            .map(|f| FieldViolation::new(*f, "bad"))
            .collect::<Vec<_>>();
        Status::with_error_details(
            Code::InvalidArgument,
            "bad request",
            ErrorDetails::with_bad_request(violations),
        )
    }

    #[test]
    fn the_violated_field_is_read_from_the_details() {
        assert_invalid("t", Err::<(), _>(invalid(&["msisdn"])), "msisdn");
        assert_eq!(violated_field(&invalid(&["period", "spend_fen"])), "period");
        assert_eq!(code(Err::<(), _>(Status::not_found("x"))), Code::NotFound);
    }

    #[test]
    #[should_panic(expected = "msisdn")]
    fn another_field_fails_the_assertion() {
        assert_invalid("t", Err::<(), _>(invalid(&["name"])), "msisdn");
    }

    #[test]
    #[should_panic(expected = "no BadRequest detail")]
    fn invalid_argument_without_details_fails_the_assertion() {
        assert_invalid("t", Err::<(), _>(Status::invalid_argument("bad")), "msisdn");
    }

    #[test]
    #[should_panic(expected = "expected INVALID_ARGUMENT")]
    fn success_fails_the_assertion() {
        assert_invalid("t", Ok::<_, Status>(()), "msisdn");
    }

    #[test]
    fn a_refusal_names_its_type() {
        let status = Status::with_error_details(
            Code::FailedPrecondition,
            "no",
            ErrorDetails::with_precondition_failure(vec![tonic_types::PreconditionViolation::new(
                "QUOTA_EXHAUSTED",
                "airport_lounge",
                "used up",
            )]),
        );
        assert_eq!(refusal(Err::<(), _>(status)), "QUOTA_EXHAUSTED");
    }
}
