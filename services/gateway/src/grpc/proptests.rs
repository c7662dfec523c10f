//! Property tests: whatever a client puts in the fields the gateway reads itself (the view and
//! caller look-up requests, the method path, the API key) is either accepted as a value safe
//! for cache keys and service calls, or refused with a status that names the field. Nothing
//! panics, and no refusal repeats the number or id it refused.

use http::{HeaderMap, HeaderValue};
use proptest::prelude::*;
use tonic::{Code, Status};
use tonic_types::StatusExt;
use vipcare_proto::gateway::v1::get_customer_view_request::Lookup;
use vipcare_proto::gateway::v1::{GetCustomerViewRequest, LookupCallerRequest};
use vipcare_testkit::inputs::text;

use crate::edge::Clients;
use crate::error::GatewayError;
use crate::route::{Destination, destination};
use crate::view::{Msisdn, ViewLookup};

fn ids() -> BoxedStrategy<String> {
    text(&[
        "0190a0c4-7b7e-7cc3-9a5e-3f2b1c4d5e6f",
        "c-1",
        "",
        "gateway:view:x",
        "a b",
    ])
}

fn numbers() -> BoxedStrategy<String> {
    text(&[
        "13800138000",
        "19912345678",
        "12800138000",
        "1380013800",
        "",
        "１３８００１３８０００",
    ])
}

/// A refusal as the client receives it: INVALID_ARGUMENT naming `fields`' one, with the same
/// field in its BadRequest details, not repeating `input`.
fn assert_refused(err: GatewayError, fields: &[&str], input: &str) {
    let status = Status::from(err);
    assert_eq!(status.code(), Code::InvalidArgument, "{status:?}");
    let details = status
        .get_details_bad_request()
        .expect("BadRequest details");
    let field = details.field_violations[0].field.as_str();
    assert!(fields.contains(&field), "{field}");
    if input.chars().count() >= 6 {
        assert!(
            !status.message().contains(input),
            "{status:?} repeats the input"
        );
    }
}

/// Whether an accepted id can go into a cache key and a metadata-free service request as is.
fn safe_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

fn mainland_mobile(number: &str) -> bool {
    let b = number.as_bytes();
    b.len() == 11
        && b.iter().all(u8::is_ascii_digit)
        && b.first() == Some(&b'1')
        && b.get(1).is_some_and(|d| (b'3'..=b'9').contains(d))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn a_view_request_is_a_safe_lookup_or_refused_by_field(
        by_id in any::<Option<bool>>(),
        id in ids(),
        number in numbers(),
    ) {
        let (lookup, input) = match by_id {
            None => (None, ""),
            Some(true) => (Some(Lookup::CustomerId(id.clone())), id.as_str()),
            Some(false) => (Some(Lookup::Msisdn(number.clone())), number.as_str()),
        };
        match ViewLookup::try_from(GetCustomerViewRequest { lookup }) {
            Ok(ViewLookup::Id(id)) => prop_assert!(safe_id(id.as_str()), "{id}"),
            Ok(ViewLookup::Msisdn(m)) => prop_assert!(mainland_mobile(m.as_str()), "{m}"),
            Err(err) => assert_refused(err, &["lookup", "customer_id", "msisdn"], input),
        }
    }

    #[test]
    fn a_caller_look_up_is_a_mobile_number_or_refused(number in numbers()) {
        match Msisdn::try_from(LookupCallerRequest { msisdn: number.clone() }) {
            Ok(m) => prop_assert!(mainland_mobile(m.as_str()) && m.as_str() == number),
            Err(err) => assert_refused(err, &["msisdn"], &number),
        }
    }

    #[test]
    fn any_path_leads_to_a_vipcare_service_or_nowhere(
        path in text(&[
            "/vipcare.profile.v1.ProfileService/GetCustomer",
            "/vipcare.gateway.v1.ChannelService/LookupCaller",
            "/vipcare.tiering.v1.TieringService/",
            "/grpc.health.v1.Health/Check",
            "/",
        ]),
    ) {
        if let Some(found) = destination(&path) {
            let (service, method) = path[1..].split_once('/').unwrap_or_default();
            prop_assert!(path.starts_with("/vipcare.") && !method.is_empty() && !method.contains('/'));
            let gateway = service.starts_with("vipcare.gateway.v1.");
            prop_assert_eq!(gateway, found == Destination::Gateway, "{}", path);
        }
    }

    #[test]
    fn any_authorization_header_is_a_client_or_unauthenticated(
        value in prop_oneof![
            any::<Vec<u8>>(),
            text(&["Bearer k", "bearer  k ", "Bearer ", "Basic a2V5", "Bearer"]).prop_map(String::into_bytes),
        ],
    ) {
        let clients = Clients::default();
        let mut headers = HeaderMap::new();
        if let Ok(value) = HeaderValue::from_bytes(&value) {
            headers.insert(http::header::AUTHORIZATION, value);
        }
        prop_assert!(clients.authenticate(&headers).is_err(), "no client is configured");
    }

    #[test]
    fn any_status_a_service_answers_becomes_a_status(code in any::<i32>(), message in any::<String>()) {
        let upstream = Status::new(Code::from_i32(code), message);
        let status = Status::from(GatewayError::from_upstream("profile", upstream.clone()));
        match upstream.code() {
            Code::Unknown | Code::Internal | Code::DataLoss | Code::Ok | Code::Unimplemented
            | Code::Unauthenticated => prop_assert_eq!(status.message(), "internal error"),
            _ => prop_assert_ne!(status.code(), Code::Ok),
        }
    }
}
