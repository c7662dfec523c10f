use super::*;

#[test]
fn finds_listening_addresses_in_text_and_json_logs() {
    let log = "2025-01-01T00:00:00Z  INFO listening addr=127.0.0.1:40001\n\
               2025-01-01T00:00:00Z  INFO request addr=10.0.0.1:1\n\
               {\"fields\":{\"message\":\"listening\",\"addr\":\"[::1]:40002\"}}\n\
               2025-01-01T00:00:01Z  INFO profile: listening addr=127.0.0.1:40001\n";
    assert_eq!(
        listening_addrs(log),
        vec![
            "127.0.0.1:40001".parse::<SocketAddr>().unwrap(),
            "[::1]:40002".parse().unwrap()
        ]
    );
}

#[test]
fn strips_colour_codes() {
    let coloured = "\u{1b}[2m2025\u{1b}[0m \u{1b}[32m INFO\u{1b}[0m listening \u{1b}[3maddr\u{1b}[0m\u{1b}[2m=\u{1b}[0m127.0.0.1:1";
    assert_eq!(
        strip_ansi(coloured),
        "2025  INFO listening addr=127.0.0.1:1"
    );
}

#[tokio::test]
async fn reports_a_binary_that_exits_early_with_its_log() {
    let launch = Launch::new("/bin/sh")
        .arg("-c")
        .arg("echo starting; echo cannot read settings >&2; exit 3")
        .serving("vipcare.gateway.v1.ChannelService");
    let failure = tokio::spawn(launch.spawn()).await.unwrap_err();
    let message = failure.into_panic();
    let message = message
        .downcast_ref::<String>()
        .expect("a formatted panic message");
    assert!(message.contains("exit status: 3"), "{message}");
    assert!(message.contains("cannot read settings"), "{message}");
}

#[tokio::test]
async fn drop_stops_the_whole_process_group() {
    let binary = Launch::new("/bin/sh")
        .arg("-c")
        .arg("sleep 300 & echo child $!; wait")
        .spawn()
        .await;
    let started = Instant::now();
    let child_pid = loop {
        if let Some(pid) = binary
            .log()
            .lines()
            .find_map(|l| l.strip_prefix("child ").map(str::to_owned))
        {
            break pid;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "no child pid");
        tokio::time::sleep(POLL).await;
    };
    drop(binary);
    // The kill is asynchronous; a dead child is gone or a zombie waiting for init.
    let stat = PathBuf::from(format!("/proc/{child_pid}/stat"));
    let gone = || std::fs::read_to_string(&stat).map_or(true, |s| s.contains(") Z "));
    let dropped = Instant::now();
    while !gone() && dropped.elapsed() < Duration::from_secs(5) {
        tokio::time::sleep(POLL).await;
    }
    assert!(gone(), "the binary's own child {child_pid} outlived it");
}
