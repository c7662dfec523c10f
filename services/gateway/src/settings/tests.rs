use super::*;

fn load(toml: &str) -> Result<Settings, SettingsError> {
    settings::from_toml::<Settings>(toml)
}

fn refusal(toml: &str) -> (String, String) {
    match load(toml) {
        Err(SettingsError::Invalid { key, reason }) => (key, reason),
        other => panic!("expected an invalid setting, got {other:?}"),
    }
}

const DIGEST: &str = "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8";

#[test]
fn defaults_listen_publicly_with_no_clients_and_no_origins() {
    let s = load("").unwrap();
    assert_eq!(s.gateway.listen, "0.0.0.0:50051");
    assert_eq!(s.gateway.view_ttl_seconds, 30);
    assert!(s.gateway.clients.is_empty());
    assert!(s.gateway.cors_origins.is_empty());
}

#[test]
fn a_client_takes_default_rates() {
    let s = load(&format!(
        "[[gateway.clients]]\nname = \"hall-1\"\nchannel = \"hall\"\napi_key_sha256 = \"{DIGEST}\""
    ))
    .unwrap();
    assert_eq!(s.gateway.clients[0].rate_per_second, 200.0);
    assert_eq!(s.gateway.clients[0].burst, 400);
}

#[test]
fn bad_clients_name_their_key() {
    let client = |extra: &str| {
        format!(
            "[[gateway.clients]]\nname = \"a\"\nchannel = \"web\"\napi_key_sha256 = \"{DIGEST}\"\n{extra}"
        )
    };
    assert_eq!(
        refusal(&client("scope = [\"customer:read\"]")).0,
        "gateway.clients[0].scope"
    );
    assert_eq!(refusal(&client("burst = 0")).0, "gateway.clients[0].burst");
    assert_eq!(
        refusal(&client("rate_per_second = -1.0")).0,
        "gateway.clients[0].rate_per_second"
    );
    assert_eq!(
        refusal("[[gateway.clients]]\nname = \"a\"\nchannel = \"web\"").0,
        "gateway.clients[0].api_key_sha256"
    );
    assert_eq!(
        refusal(&format!(
            "[[gateway.clients]]\nname = \"a\"\nchannel = \"fax\"\napi_key_sha256 = \"{DIGEST}\""
        ))
        .0,
        "gateway.clients[0].channel"
    );
    let twice = format!("{}\n{}", client(""), client(""));
    assert_eq!(refusal(&twice).0, "gateway.clients[1].name");
}

#[test]
fn cors_origins_must_be_origins() {
    let ok =
        load("[gateway]\ncors_origins = [\"https://hall.example.cn\", \"http://localhost:8080\"]")
            .unwrap();
    assert_eq!(ok.gateway.cors_origins.len(), 2);
    for bad in [
        "*",
        "hall.example.cn",
        "https://hall.example.cn/",
        "https://hall.example.cn/app",
        "https://Hall.example.cn",
        "ftp://hall.example.cn",
        "https://user@hall.example.cn",
    ] {
        let toml = format!("[gateway]\ncors_origins = [\"https://ok.example.cn\", \"{bad}\"]");
        assert_eq!(refusal(&toml).0, "gateway.cors_origins[1]", "{bad}");
    }
}

#[test]
fn the_gateway_checks_its_own_sections_only() {
    assert_eq!(
        refusal("[gateway]\nlisten = \"nowhere\"").0,
        "gateway.listen"
    );
    assert_eq!(
        refusal("[gateway]\nlistn = \"0.0.0.0:1\"").0,
        "gateway.listn"
    );
    // [database] is the services' to judge: the gateway has none.
    assert!(load("[database]\nurl = \"\"").is_ok());
}

#[test]
fn the_survey_link_is_open_by_default_and_checked() {
    let s = load("").unwrap();
    assert_eq!(s.gateway.survey_link_per_second, 50.0);
    assert_eq!(s.gateway.survey_link_burst, 100);
    let off = load("[gateway]\nsurvey_link_per_second = 0").unwrap();
    assert_eq!(off.gateway.survey_link_per_second, 0.0);
    for bad in ["-1.0", "inf", "nan"] {
        assert_eq!(
            refusal(&format!("[gateway]\nsurvey_link_per_second = {bad}")).0,
            "gateway.survey_link_per_second",
            "{bad}"
        );
    }
    assert_eq!(
        refusal("[gateway]\nsurvey_link_burst = 0").0,
        "gateway.survey_link_burst"
    );
}

#[test]
fn no_configured_client_may_pass_for_the_survey_link() {
    let (key, reason) = refusal(&format!(
        "[[gateway.clients]]\nname = \"survey-link\"\nchannel = \"web\"\napi_key_sha256 = \"{DIGEST}\""
    ));
    assert_eq!(key, "gateway.clients[0].name");
    assert!(reason.contains("survey link"), "{reason}");
}
