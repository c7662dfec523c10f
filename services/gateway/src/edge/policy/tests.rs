use prost::Message;
use prost_types::FileDescriptorSet;
use vipcare_proto::service_names;
use vipcare_runtime::Caller;

use super::*;
use crate::scopes;

/// Every method of `service` as a full path, from the compiled contracts.
fn methods_of(service: &str) -> Vec<String> {
    let set = FileDescriptorSet::decode(vipcare_proto::FILE_DESCRIPTOR_SET).unwrap();
    let mut paths = Vec::new();
    for file in &set.file {
        for svc in &file.service {
            let full = format!("{}.{}", file.package(), svc.name());
            if full == service {
                paths.extend(svc.method.iter().map(|m| format!("/{full}/{}", m.name())));
            }
        }
    }
    assert!(
        !paths.is_empty(),
        "{service} has no methods in the descriptor set"
    );
    paths
}

/// Every service the gateway routes or serves.
const ROUTED: [&str; 6] = [
    service_names::PROFILE,
    service_names::TIERING,
    service_names::REMINDER,
    service_names::COMPLAINT,
    service_names::SURVEY,
    service_names::CHANNEL,
];

fn client(scopes: &[&str]) -> Client {
    Client::new(Caller::new("hall-1", "hall", scopes), 100.0, 100)
}

#[test]
fn every_routed_method_has_an_entry() {
    let listed: Vec<&str> = POLICY.iter().map(|(path, _)| *path).collect();
    for service in ROUTED {
        for path in methods_of(service) {
            let service_only = SERVICE_ONLY.contains(&path.as_str());
            assert!(
                listed.contains(&path.as_str()) != service_only,
                "{path}: a policy entry, or service-only, and not both"
            );
        }
    }
}

#[test]
fn every_entry_is_a_real_method_needing_a_known_scope() {
    let real: Vec<String> = ROUTED.iter().flat_map(|s| methods_of(s)).collect();
    for (path, scope) in POLICY {
        assert!(real.iter().any(|m| m == path), "{path} is not a method");
        assert!(
            scopes::ALL.contains(scope),
            "{path} needs unknown scope {scope}"
        );
        assert_ne!(
            *scope,
            scopes::PII_READ,
            "pii:read unmasks, it opens no method"
        );
    }
}

#[test]
fn a_client_with_the_scope_is_allowed_and_one_without_is_not() {
    let policy = Policy::default();
    let path = "/vipcare.profile.v1.ProfileService/EraseCustomer";
    assert_eq!(
        policy.decide(path, &client(&[scopes::CUSTOMER_ERASE])),
        Decision::Allow
    );
    assert_eq!(
        policy.decide(
            path,
            &client(&[scopes::CUSTOMER_READ, scopes::CUSTOMER_WRITE])
        ),
        Decision::MissingScope(scopes::CUSTOMER_ERASE)
    );
}

#[test]
fn a_partner_verifying_benefits_reaches_nothing_else_of_tiering() {
    let policy = Policy::default();
    let partner = client(&[scopes::BENEFIT_VERIFY]);
    for method in ["CheckEntitlement", "RedeemBenefit"] {
        let path = format!("/vipcare.tiering.v1.TieringService/{method}");
        assert_eq!(policy.decide(&path, &partner), Decision::Allow, "{method}");
    }
    for (method, scope) in [
        ("GetCustomerTier", scopes::TIER_READ),
        ("ListRedemptions", scopes::TIER_READ),
        ("OverrideTier", scopes::TIER_ADMIN),
        ("GetChurnRisk", scopes::CHURN_READ),
        ("GetRoutingPriority", scopes::CALLER_LOOKUP),
    ] {
        let path = format!("/vipcare.tiering.v1.TieringService/{method}");
        assert_eq!(
            policy.decide(&path, &partner),
            Decision::MissingScope(scope),
            "{method}"
        );
    }
}

#[test]
fn methods_without_an_entry_are_denied_even_to_a_client_with_every_scope() {
    let policy = Policy::default();
    let admin = client(scopes::ALL);
    assert_eq!(
        policy.decide(
            "/vipcare.profile.v1.ProfileService/DropAllCustomers",
            &admin
        ),
        Decision::NotListed
    );
    assert_eq!(
        policy.decide("/vipcare.tiering.v1.TieringService/EvaluateTier", &admin),
        Decision::NotListed
    );
    assert_eq!(
        policy.decide("/vipcare.billing.v1.BillingService/Charge", &admin),
        Decision::UnknownService
    );
}

/// Each survey method with the scope the issue gives it.
const SURVEY_METHODS: [(&str, &str); 16] = [
    ("GetScenario", scopes::SURVEY_READ),
    ("ListScenarios", scopes::SURVEY_READ),
    ("GetResponse", scopes::SURVEY_READ),
    ("ListResponses", scopes::SURVEY_READ),
    ("GetSatisfaction", scopes::SURVEY_READ),
    ("GetMomentReport", scopes::SURVEY_READ),
    ("GetScoreTrend", scopes::SURVEY_READ),
    ("ListAlerts", scopes::SURVEY_READ),
    ("ListDetractors", scopes::SURVEY_READ),
    ("GetSurveyPolicy", scopes::SURVEY_READ),
    ("InviteToSurvey", scopes::SURVEY_WRITE),
    ("UpsertScenario", scopes::SURVEY_ADMIN),
    ("BatchGetSatisfaction", scopes::SURVEY_ADMIN),
    ("UpdateSurveyPolicy", scopes::SURVEY_ADMIN),
    ("GetInvitation", scopes::SURVEY_RESPOND),
    ("SubmitResponse", scopes::SURVEY_RESPOND),
];

#[test]
fn every_survey_method_needs_its_own_scope_and_no_other_survey_scope_opens_it() {
    let policy = Policy::default();
    let contract = methods_of(service_names::SURVEY);
    assert_eq!(contract.len(), SURVEY_METHODS.len(), "{contract:?}");
    let survey_scopes = [
        scopes::SURVEY_READ,
        scopes::SURVEY_WRITE,
        scopes::SURVEY_ADMIN,
        scopes::SURVEY_RESPOND,
    ];
    for (method, scope) in SURVEY_METHODS {
        let path = format!("/vipcare.survey.v1.SurveyService/{method}");
        assert!(contract.contains(&path), "{path} is not in the contract");
        assert_eq!(
            policy.decide(&path, &client(&[scope])),
            Decision::Allow,
            "{method}"
        );
        let others: Vec<&str> = survey_scopes
            .iter()
            .copied()
            .filter(|s| *s != scope)
            .collect();
        assert_eq!(
            policy.decide(&path, &client(&others)),
            Decision::MissingScope(scope),
            "{method} with every other survey scope"
        );
    }
}

#[test]
fn the_survey_link_scope_opens_the_customer_calls_and_nothing_else() {
    let policy = Policy::default();
    let link = client(&[scopes::SURVEY_RESPOND]);
    let opened: Vec<&str> = POLICY
        .iter()
        .filter(|(path, _)| policy.decide(path, &link) == Decision::Allow)
        .map(|(path, _)| *path)
        .collect();
    assert_eq!(
        opened,
        [
            "/vipcare.survey.v1.SurveyService/GetInvitation",
            "/vipcare.survey.v1.SurveyService/SubmitResponse",
        ]
    );
    // The keyless path is exactly what the link client's scope opens.
    assert_eq!(opened, crate::edge::survey_link::PATHS);
}
