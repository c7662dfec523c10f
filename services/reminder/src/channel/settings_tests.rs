use serde_json::json;

use super::*;

fn parse(value: serde_json::Value) -> Result<ChannelsSettings, String> {
    serde_json::from_value(value).map_err(|e| e.to_string())
}

fn webhook(url: &str) -> ChannelSettings {
    ChannelSettings {
        kind: AdapterKind::Webhook,
        url: Some(url.to_owned()),
        timeout_ms: 5000,
        failures_to_open: 5,
        open_seconds: 30,
    }
}

#[test]
fn no_tables_means_every_channel_logs() {
    let settings = parse(json!({})).unwrap();
    assert_eq!(settings, ChannelsSettings::default());
    assert!(
        ContactChannel::ALL
            .iter()
            .all(|c| settings.get(*c).is_none())
    );
    assert_eq!(settings.check(), Ok(()));
}

#[test]
fn a_webhook_table_takes_the_documented_defaults() {
    let settings = parse(json!({
        "sms": {"kind": "webhook", "url": "http://127.0.0.1:9000/sms"},
        "email": {"kind": "log"},
    }))
    .unwrap();
    assert_eq!(
        settings.get(ContactChannel::Sms),
        Some(&webhook("http://127.0.0.1:9000/sms"))
    );
    let sms = settings.sms.as_ref().unwrap();
    assert_eq!(sms.timeout(), Duration::from_secs(5));
    assert_eq!(
        sms.breaker(),
        BreakerPolicy {
            failures_to_open: 5,
            open_for: TimeDelta::seconds(30)
        }
    );
    assert_eq!(
        settings.get(ContactChannel::Email).unwrap().kind,
        AdapterKind::Log
    );
    assert_eq!(settings.check(), Ok(()));
}

#[test]
fn unknown_channels_keys_and_kinds_are_refused() {
    let fax = parse(json!({"fax": {"kind": "log"}})).unwrap_err();
    assert!(fax.contains("fax"), "{fax}");
    let typo = parse(json!({"sms": {"kind": "webhook", "url": "http://a", "timeout": 5}}));
    assert!(typo.unwrap_err().contains("timeout"));
    let kind = parse(json!({"sms": {"kind": "carrier_pigeon"}})).unwrap_err();
    assert!(kind.contains("carrier_pigeon"), "{kind}");
    let missing = parse(json!({"sms": {"url": "http://a"}})).unwrap_err();
    assert!(missing.contains("kind"), "{missing}");
}

fn violation_of(channel: &str, table: serde_json::Value) -> Violation {
    let settings = parse(json!({ channel: table })).unwrap();
    settings.check().unwrap_err()
}

#[test]
fn the_check_names_the_full_key_of_the_bad_value() {
    let cases = [
        ("sms", json!({"kind": "webhook"}), "url"),
        ("sms", json!({"kind": "webhook", "url": ""}), "url"),
        (
            "app_push",
            json!({"kind": "webhook", "url": "not a url"}),
            "url",
        ),
        (
            "email",
            json!({"kind": "webhook", "url": "ftp://mail/x"}),
            "url",
        ),
        (
            "email",
            json!({"kind": "webhook", "url": "https://mail/x"}),
            "url",
        ),
        (
            "voice_call",
            json!({"kind": "log", "url": "http://a/"}),
            "url",
        ),
        (
            "sms",
            json!({"kind": "webhook", "url": "http://a/", "timeout_ms": 0}),
            "timeout_ms",
        ),
        (
            "sms",
            json!({"kind": "webhook", "url": "http://a/", "timeout_ms": 60_001}),
            "timeout_ms",
        ),
        (
            "account_manager",
            json!({"kind": "log", "failures_to_open": 0}),
            "failures_to_open",
        ),
        (
            "sms",
            json!({"kind": "log", "open_seconds": 0}),
            "open_seconds",
        ),
        (
            "sms",
            json!({"kind": "log", "open_seconds": 3601}),
            "open_seconds",
        ),
    ];
    for (channel, table, key) in cases {
        let violation = violation_of(channel, table.clone());
        assert_eq!(
            violation.field,
            format!("reminder.channels.{channel}.{key}"),
            "{table}"
        );
        assert!(!violation.reason.is_empty());
    }
}

#[test]
fn reasons_say_what_to_do() {
    let https = violation_of("sms", json!({"kind": "webhook", "url": "https://p/x"}));
    assert!(https.reason.contains("https is not supported"), "{https}");
    let missing = violation_of("sms", json!({"kind": "webhook"}));
    assert!(missing.reason.contains("required"), "{missing}");
}

#[test]
fn an_unchecked_huge_cool_down_saturates_instead_of_panicking() {
    let mut settings = webhook("http://a/");
    settings.open_seconds = u64::MAX;
    assert_eq!(settings.breaker().open_for, TimeDelta::MAX);
}
