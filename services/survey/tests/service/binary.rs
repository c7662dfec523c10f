//! The `vipcare-survey` binary: it starts from a settings file with its peers away (they are
//! reached lazily; invitations and follow-ups wait in the outbox), reports
//! `vipcare.survey.v1.SurveyService` SERVING, serves until SIGTERM and exits cleanly; a bad
//! setting stops it at start with one line naming the key.

use std::process::Command;

use vipcare_testkit::process::Launch;

const BINARY: &str = env!("CARGO_BIN_EXE_vipcare-survey");
const SECRET: &str = "vipcare-tests-internal-secret-0123456789";

#[tokio::test]
async fn the_binary_serves_until_told_to_stop() {
    let mut binary = Launch::new(BINARY)
        .config(
            "data_dir = \"{dir}/data\"\n[survey]\nlisten = \"127.0.0.1:0\"\n\
             [services]\nprofile = \"http://127.0.0.1:9\"\ntiering = \"http://127.0.0.1:9\"\n\
             reminder = \"http://127.0.0.1:9\"\ncomplaint = \"http://127.0.0.1:9\"\n",
        )
        .env("VIPCARE__INTERNAL__SECRET", SECRET)
        .serving(vipcare_proto::service_names::SURVEY)
        .spawn()
        .await;
    binary.stop_gracefully().await;
}

#[test]
fn a_bad_setting_stops_the_binary_naming_its_key() {
    let out = Command::new(BINARY)
        .env_clear()
        .env("VIPCARE__INTERNAL__SECRET", SECRET)
        .env("VIPCARE__SURVEY__PEAK_WEIGHT", "1.5")
        .env("VIPCARE__DATA_DIR", std::env::temp_dir())
        .output()
        .expect("the binary runs");
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("survey.peak_weight"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
}
