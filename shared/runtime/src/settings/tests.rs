use serde::Deserialize;

use super::*;

/// What a binary reading only runtime's sections would declare.
#[derive(Debug, Deserialize)]
struct Runtime {
    telemetry: TelemetrySettings,
    server: ServerSettings,
    services: PeerSettings,
    internal: InternalSettings,
}

impl Sections for Runtime {
    const DEFAULTS: &'static [&'static str] = &[DEFAULTS];

    fn check(&mut self) -> Result<(), SettingsError> {
        self.telemetry.check()?;
        self.server.check()?;
        self.services.check()?;
        self.internal.check()
    }
}

fn refusal(toml: &str) -> (String, String) {
    match from_toml::<Runtime>(toml) {
        Err(SettingsError::Invalid { key, reason }) => (key, reason),
        other => panic!("expected an invalid setting, got {other:?}"),
    }
}

#[test]
fn defaults_then_layers_later_ones_winning() {
    let s = from_toml_layers::<Runtime>(&[
        "[server]\nmax_message_bytes = 2048",
        "[server]\ndefault_deadline_ms = 5",
    ])
    .unwrap();
    assert_eq!(s.server.max_message_bytes, 2048);
    assert_eq!(s.server.default_deadline_ms, 5);
    assert_eq!(s.server.max_concurrent_requests, 2048);
    assert_eq!(s.services.profile, "http://127.0.0.1:50061");
    assert_eq!(s.telemetry.otlp_endpoint, None);
}

#[test]
fn sections_another_binary_reads_are_let_through() {
    // One file serves every binary: this one reads no [gateway] and must not trip over it.
    let s = from_toml::<Runtime>("[gateway]\nlisten = \"0.0.0.0:1\"\n[database]\nurl = \"\"");
    assert!(s.is_ok(), "{s:?}");
}

#[test]
fn a_mistyped_name_is_refused_at_every_level() {
    let (key, reason) = refusal("[databse]\nurl = \"postgres://x/y\"");
    assert_eq!(key, "databse");
    assert!(
        reason.contains("`database`"),
        "names what is known: {reason}"
    );
    assert_eq!(refusal("data_dri = \"/tmp\"").0, "data_dri");
    assert_eq!(refusal("[internal]\nsecrte = \"x\"").0, "internal.secrte");
    assert_eq!(refusal("[server]\nmax_msg = 1").0, "server.max_msg");
}

#[test]
fn bad_values_name_their_key() {
    assert_eq!(
        refusal("[server]\nmax_message_bytes = \"lots\"").0,
        "server.max_message_bytes"
    );
    assert_eq!(
        refusal("[server]\nmax_concurrent_requests = 0").0,
        "server.max_concurrent_requests"
    );
    assert_eq!(
        refusal("[telemetry]\nlog_format = \"xml\"").0,
        "telemetry.log_format"
    );
}

#[test]
fn peer_addresses_need_a_host() {
    assert_eq!(
        refusal("[services]\nprofile = \"http://\"").0,
        "services.profile"
    );
    assert_eq!(
        refusal("[services]\ntiering = \"http://bad host:1\"").0,
        "services.tiering"
    );
}

#[test]
fn listen_addresses_are_host_and_port() {
    assert!(check_listen("profile.listen", "127.0.0.1:0").is_ok());
    match check_listen("profile.listen", "nowhere") {
        Err(SettingsError::Invalid { key, .. }) => assert_eq!(key, "profile.listen"),
        other => panic!("expected profile.listen refused, got {other:?}"),
    }
}

const SECRET: &str = "0123456789abcdef0123456789abcdef";

#[test]
fn the_internal_secret_is_required_for_a_credential_and_checked() {
    let unset = from_toml::<Runtime>("").unwrap();
    match unset.internal.credential() {
        Err(SettingsError::Invalid { key, .. }) => assert_eq!(key, "internal.secret"),
        other => panic!("expected internal.secret to be required, got {other:?}"),
    }
    let set = from_toml::<Runtime>(&format!("[internal]\nsecret = \"{SECRET}\"")).unwrap();
    assert!(set.internal.credential().is_ok());
    assert!(
        !format!("{set:?}").contains(SECRET),
        "Debug shows no secret"
    );
    assert_eq!(
        refusal("[internal]\nsecret = \"short\"").0,
        "internal.secret"
    );
}

#[test]
fn the_secret_comes_from_its_own_file_not_the_settings_file() {
    let dir = tempfile::tempdir().unwrap();
    let secret_file = dir.path().join("internal-secret");
    std::fs::write(&secret_file, format!("{SECRET}\n")).unwrap();
    let settings_file = dir.path().join("vipcare.toml");
    let read_from = format!("[internal]\nsecret_file = \"{}\"\n", secret_file.display());
    std::fs::write(&settings_file, &read_from).unwrap();
    let loaded = load::<Runtime>(Some(&settings_file)).unwrap();
    assert_eq!(
        loaded.internal.secret.as_ref().map(|s| s.expose()),
        Some(SECRET)
    );

    std::fs::write(
        &settings_file,
        format!("[internal]\nsecret = \"{SECRET}\"\n"),
    )
    .unwrap();
    match load::<Runtime>(Some(&settings_file)) {
        Err(SettingsError::Invalid { key, .. }) => assert_eq!(key, "internal.secret"),
        other => panic!("a secret in the settings file must be refused, got {other:?}"),
    }

    let missing = "[internal]\nsecret_file = \"/nonexistent/vipcare-secret\"";
    assert_eq!(refusal(missing).0, "internal.secret_file");
    std::fs::write(&secret_file, "short\n").unwrap();
    assert_eq!(refusal(&read_from).0, "internal.secret_file");
}
