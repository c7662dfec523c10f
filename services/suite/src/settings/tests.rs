use super::*;
use vipcare_runtime::settings::SettingsError;

#[test]
fn defaults_are_the_documented_ports_and_embedded_backends() {
    let s = Settings::default();
    assert_eq!(s.gateway.listen, "0.0.0.0:50051");
    assert_eq!(s.profile.listen, "127.0.0.1:50061");
    assert_eq!(s.tiering.listen, "127.0.0.1:50062");
    assert_eq!(s.tiering.evaluation_schedule, "0 2 1 * *");
    assert_eq!(s.survey.listen, "127.0.0.1:50065");
    assert_eq!(s.database.url, None);
    assert_eq!(s.cache.redis_url, None);
    assert_eq!(s.gateway.view_ttl_seconds, 30);
    assert_eq!(s.server.max_message_bytes, 4 * 1024 * 1024);
}

#[test]
fn a_file_overrides_defaults_and_keeps_the_rest() {
    let s = Settings::from_toml(
        r#"
        [database]
        url = "postgres://root@127.0.0.1/test"
        [profile]
        listen = "127.0.0.1:0"
        [[gateway.clients]]
        name = "hall-1"
        channel = "hall"
        api_key_sha256 = "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8"
        scopes = ["customer:read"]
        "#,
    )
    .unwrap();
    assert_eq!(
        s.database.url.as_deref(),
        Some("postgres://root@127.0.0.1/test")
    );
    assert_eq!(s.profile.listen, "127.0.0.1:0");
    assert_eq!(s.database.max_connections, 16);
    assert_eq!(s.gateway.clients[0].rate_per_second, 200.0);
}

fn refused_key(toml: &str) -> String {
    match Settings::from_toml(toml) {
        Err(SettingsError::Invalid { key, .. }) => key,
        other => panic!("expected an invalid setting, got {other:?}"),
    }
}

#[test]
fn bad_settings_name_their_key() {
    assert_eq!(
        refused_key("[profile]\nlisten = \"nowhere\""),
        "profile.listen"
    );
    assert_eq!(
        refused_key("[tiering]\nevaluation_schedule = \"monthly\""),
        "tiering.evaluation_schedule"
    );
    assert_eq!(
        refused_key("[database]\nurl = \"mysql://x\""),
        "database.url"
    );
    assert_eq!(
        refused_key("[cache]\nredis_url = \"http://x\""),
        "cache.redis_url"
    );
    assert_eq!(
        refused_key(
            "[[gateway.clients]]\nname = \"a\"\nchannel = \"fax\"\napi_key_sha256 = \"00\""
        ),
        "gateway.clients[0].channel"
    );
    assert_eq!(
        refused_key(
            "[[gateway.clients]]\nname = \"a\"\nchannel = \"web\"\napi_key_sha256 = \"00\""
        ),
        "gateway.clients[0].api_key_sha256"
    );
}

#[test]
fn a_wrongly_typed_value_is_refused_with_its_key() {
    let err = Settings::from_toml("[server]\nmax_message_bytes = \"lots\"").unwrap_err();
    assert!(err.to_string().contains("max_message_bytes"), "{err}");
}

#[test]
fn empty_urls_mean_embedded() {
    let s = Settings::from_toml("[database]\nurl = \"\"\n[cache]\nredis_url = \" \"").unwrap();
    assert_eq!(s.database.url, None);
    assert_eq!(s.cache.redis_url, None);
}

#[test]
fn the_shipped_sample_configs_are_valid() {
    let samples = [
        (
            "deploy/config/clients.example.toml",
            include_str!("../../../../deploy/config/clients.example.toml"),
        ),
        (
            "deploy/config/postgres-redis.toml",
            include_str!("../../../../deploy/config/postgres-redis.toml"),
        ),
        (
            "k8s/base/vipcare.toml",
            include_str!("../../../../k8s/base/vipcare.toml"),
        ),
    ];
    for (name, text) in samples {
        if let Err(err) = Settings::from_toml(text) {
            panic!("{name}: {err}");
        }
    }
}

fn refusal(toml: &str) -> (String, String) {
    match Settings::from_toml(toml) {
        Err(SettingsError::Invalid { key, reason }) => (key, reason),
        other => panic!("expected an invalid setting, got {other:?}"),
    }
}

#[test]
fn a_mistyped_key_is_refused_under_its_full_name() {
    let (key, reason) = refusal("[databse]\nurl = \"postgres://x/y\"");
    assert_eq!(key, "databse");
    assert!(
        reason.contains("`database`"),
        "names what is known: {reason}"
    );
    assert_eq!(
        refusal("[database]\nurll = \"postgres://x/y\"").0,
        "database.urll"
    );
    assert_eq!(refusal("data_dri = \"/tmp\"").0, "data_dri");
    assert_eq!(refusal("[internal]\nsecrte = \"x\"").0, "internal.secrte");
    assert_eq!(
        refusal(
            "[[gateway.clients]]\nname = \"a\"\nchannel = \"web\"\nscope = [\"customer:read\"]\n\
             api_key_sha256 = \"5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8\""
        )
        .0,
        "gateway.clients[0].scope"
    );
}

#[test]
fn each_member_gets_its_part_of_one_file() {
    let s = Settings::from_toml(
        "[profile]\nlisten = \"127.0.0.1:1\"\n[tiering]\nlisten = \"127.0.0.1:2\"\n\
         [gateway]\nlisten = \"127.0.0.1:3\"\nview_ttl_seconds = 7\n\
         [services]\nprofile = \"http://profile:9\"",
    )
    .unwrap();
    assert_eq!(s.profile().profile.listen, "127.0.0.1:1");
    assert_eq!(s.tiering().tiering.listen, "127.0.0.1:2");
    assert_eq!(s.tiering().services.profile, "http://profile:9");
    assert_eq!(s.gateway().gateway.view_ttl_seconds, 7);
    assert_eq!(s.gateway().services.profile, "http://profile:9");
}

#[test]
fn a_secret_file_is_read_once_and_checking_again_keeps_it() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("secret");
    std::fs::write(&file, "0123456789abcdef0123456789abcdef\n").unwrap();
    let mut s =
        Settings::from_toml(&format!("[internal]\nsecret_file = \"{}\"", file.display())).unwrap();
    s.validate().unwrap();
    assert!(s.profile().internal.credential().is_ok());
}
