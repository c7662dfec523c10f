//! The `vipcare` binary itself: one-line setting errors with exit code 2, and `up --demo`
//! printing calls that work, then stopping cleanly on SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use tonic::transport::Channel;
use vipcare_proto::gateway::v1::channel_service_client::ChannelServiceClient;
use vipcare_proto::gateway::v1::{GetCustomerViewRequest, get_customer_view_request::Lookup};
use vipcare_suite::demo::Credentials;

const BIN: &str = env!("CARGO_BIN_EXE_vipcare");

#[test]
fn a_bad_listen_address_exits_2_with_one_line_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .arg("up")
        .env("VIPCARE__GATEWAY__LISTEN", "nowhere")
        .env("VIPCARE__DATA_DIR", dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<_> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(
        lines[0].starts_with("vipcare: invalid setting gateway.listen: "),
        "{stderr}"
    );
}

/// `vipcare up` with `config` as its settings file and `env` set; its exit code and stderr lines.
fn refused_up(config: &str, env: &[(&str, &str)]) -> (Option<i32>, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("vipcare.toml");
    std::fs::write(&file, config).unwrap();
    let out = Command::new(BIN)
        .arg("up")
        .arg("--config")
        .arg(&file)
        .env("VIPCARE__DATA_DIR", dir.path().join("data"))
        .envs(env.iter().copied())
        .output()
        .unwrap();
    assert!(
        !dir.path().join("data").exists(),
        "nothing may start before the settings are refused"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    (
        out.status.code(),
        stderr.lines().map(str::to_owned).collect(),
    )
}

#[test]
fn a_mistyped_key_exits_2_with_one_line_naming_it() {
    let (code, lines) = refused_up("[databse]\nurl = \"postgres://x/y\"\n", &[]);
    assert_eq!(code, Some(2), "{lines:?}");
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].starts_with("vipcare: invalid setting databse: "),
        "{lines:?}"
    );

    let (code, lines) = refused_up("[database]\nurll = \"postgres://x/y\"\n", &[]);
    assert_eq!((code, lines.len()), (Some(2), 1), "{lines:?}");
    assert!(
        lines[0].starts_with("vipcare: invalid setting database.urll: "),
        "{lines:?}"
    );

    let (code, lines) = refused_up("", &[("VIPCARE__DATABASE__URLL", "postgres://x/y")]);
    assert_eq!((code, lines.len()), (Some(2), 1), "{lines:?}");
    assert!(
        lines[0].starts_with("vipcare: invalid setting database.urll: "),
        "{lines:?}"
    );
}

#[test]
fn a_secret_in_the_settings_file_exits_2() {
    let config = "[internal]\nsecret = \"0123456789abcdef0123456789abcdef\"\n";
    let (code, lines) = refused_up(config, &[]);
    assert_eq!((code, lines.len()), (Some(2), 1), "{lines:?}");
    assert!(
        lines[0].starts_with("vipcare: invalid setting internal.secret: "),
        "{lines:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn up_demo_prints_a_call_that_works_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(BIN)
        .args(["up", "--demo", "--demo-customers", "25"])
        .env("VIPCARE__GATEWAY__LISTEN", "127.0.0.1:0")
        .env("VIPCARE__PROFILE__LISTEN", "127.0.0.1:0")
        .env("VIPCARE__TIERING__LISTEN", "127.0.0.1:0")
        .env("VIPCARE__REMINDER__LISTEN", "127.0.0.1:0")
        .env("VIPCARE__COMPLAINT__LISTEN", "127.0.0.1:0")
        .env("VIPCARE__DATA_DIR", dir.path())
        .env("VIPCARE__TELEMETRY__LOG_LEVEL", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let (lines, printed) = mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = lines.send(line);
        }
    });
    let mut output = Vec::new();
    let call = loop {
        match printed.recv_timeout(Duration::from_secs(120)) {
            Ok(line) if line.contains("ChannelService/GetCustomerView") => break line,
            Ok(line) => output.push(line),
            Err(_) => {
                let _ = child.kill();
                panic!(
                    "no example call printed; output so far:\n{}",
                    output.join("\n")
                );
            }
        }
    };
    let (key, msisdn, addr) = parse_call(&call);
    let channel = Channel::from_shared(format!("http://{addr}"))
        .unwrap()
        .connect()
        .await
        .unwrap();
    let mut client = ChannelServiceClient::with_interceptor(channel, Credentials::bearer(&key));
    let view = client
        .get_customer_view(GetCustomerViewRequest {
            lookup: Some(Lookup::Msisdn(msisdn)),
        })
        .await
        .expect("the printed call works")
        .into_inner();
    let view = view.view.unwrap();
    assert!(view.customer.unwrap().name.contains('*'));
    // The example customer has the demo's day of reminders, some still to come.
    assert!(
        !view.next_reminders.is_empty(),
        "{:?}",
        view.unavailable_sections
    );

    let pid = child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let status = tokio::task::spawn_blocking(move || child.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success(), "exit after SIGTERM: {status}");
}

/// Key, msisdn and address out of the printed grpcurl line.
fn parse_call(call: &str) -> (String, String, String) {
    let between = |text: &str, start: &str, end: &str| {
        let from = text
            .find(start)
            .unwrap_or_else(|| panic!("{start} in {text}"))
            + start.len();
        text[from..][..text[from..].find(end).unwrap()].to_owned()
    };
    let key = between(call, "Bearer ", "'");
    let msisdn = between(call, "\"msisdn\":\"", "\"");
    let addr = between(call, "}' ", " ");
    (key, msisdn, addr)
}
