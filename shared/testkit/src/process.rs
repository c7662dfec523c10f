//! Spawning vipcare binaries for end-to-end tests: the real executable in its own process group,
//! its output kept for the failure report, its services found by their health checks.
//!
//! Every listener is configured on port 0 and logs `listening addr=…`; the launcher probes each
//! logged address until the services the test waits for answer SERVING. No port is guessed, so
//! parallel tests never collide, and no readiness sleep is needed.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;
use tempfile::TempDir;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;

mod binary;

pub use binary::workspace_binary;

/// How long a binary gets to report its services SERVING.
const START_TIMEOUT: Duration = Duration::from_secs(60);
/// How long `stop_gracefully` waits for a clean exit.
const STOP_TIMEOUT: Duration = Duration::from_secs(10);
/// How long Drop waits after SIGTERM before SIGKILL.
const DROP_GRACE: Duration = Duration::from_secs(3);
/// Between two looks at the log and the health checks while starting.
const POLL: Duration = Duration::from_millis(25);

/// What to run and what "started" means for it.
#[derive(Debug, Clone)]
pub struct Launch {
    program: PathBuf,
    args: Vec<String>,
    config: Option<String>,
    env: Vec<(String, String)>,
    serving: Vec<String>,
}

impl Launch {
    /// Runs `program` (see [`workspace_binary`] to find one of ours).
    pub fn new(program: impl Into<PathBuf>) -> Launch {
        Launch {
            program: program.into(),
            args: Vec::new(),
            config: None,
            env: Vec::new(),
            serving: Vec::new(),
        }
    }

    pub fn arg(mut self, arg: impl Into<String>) -> Launch {
        self.args.push(arg.into());
        self
    }

    /// Settings (TOML) written to a file in the binary's own temporary directory and passed as
    /// `--config FILE` after the other arguments. `{dir}` in the text becomes that directory, so
    /// `data_dir = "{dir}/data"` keeps embedded databases inside it.
    pub fn config(mut self, toml: impl Into<String>) -> Launch {
        self.config = Some(toml.into());
        self
    }

    /// An environment variable for the child. The parent's `VIPCARE_*` variables and `RUST_LOG`
    /// are never passed on, so the test's own environment cannot change what the binary does.
    pub fn env(mut self, key: impl Into<String>, value: impl Into<String>) -> Launch {
        self.env.push((key.into(), value.into()));
        self
    }

    /// A gRPC service name (as in health checks) that must report SERVING before the binary
    /// counts as started; [`SpawnedBinary::addr`] then tells where it listens.
    pub fn serving(mut self, service: impl Into<String>) -> Launch {
        self.serving.push(service.into());
        self
    }

    /// Starts the binary and waits until every [`Launch::serving`] service is SERVING. Panics
    /// with the binary's log if it exits or does not get there within a minute.
    pub async fn spawn(self) -> SpawnedBinary {
        let dir = tempfile::tempdir().expect("temporary directory for the binary");
        let mut command = Command::new(&self.program);
        command.args(&self.args);
        if let Some(toml) = &self.config {
            let path = dir.path().join("config.toml");
            let text = toml.replace("{dir}", &dir.path().display().to_string());
            std::fs::write(&path, text).expect("write the binary's config file");
            command.arg("--config").arg(&path);
        }
        for (key, _) in std::env::vars_os() {
            let name = key.to_string_lossy();
            if name.starts_with("VIPCARE_") || name == "RUST_LOG" {
                command.env_remove(&key);
            }
        }
        command
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .env("NO_COLOR", "1")
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        // Its own process group, so Drop can stop whatever it starts as well.
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let mut child = command
            .spawn()
            .unwrap_or_else(|err| panic!("cannot start {}: {err}", self.program.display()));
        let log = Arc::new(Mutex::new(String::new()));
        let (done, readers) = channel();
        collect(
            child.stdout.take().expect("piped stdout"),
            log.clone(),
            done.clone(),
        );
        collect(
            child.stderr.take().expect("piped stderr"),
            log.clone(),
            done,
        );
        let mut binary = SpawnedBinary {
            program: self.program,
            child,
            log,
            readers,
            addrs: HashMap::new(),
            dir,
            stopped: false,
        };
        binary.await_serving(&self.serving).await;
        binary
    }
}

/// A running binary. Dropping it stops the process group (SIGTERM, then SIGKILL after a grace
/// period) and, when the test is panicking, prints the binary's log to stderr.
pub struct SpawnedBinary {
    program: PathBuf,
    child: Child,
    log: Arc<Mutex<String>>,
    /// One message per output stream that reached its end.
    readers: Receiver<()>,
    addrs: HashMap<String, SocketAddr>,
    dir: TempDir,
    stopped: bool,
}

impl std::fmt::Debug for SpawnedBinary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SpawnedBinary")
            .field("program", &self.program)
            .field("pid", &self.child.id())
            .field("addrs", &self.addrs)
            .finish()
    }
}

impl SpawnedBinary {
    /// Where `service` (one of the names given to [`Launch::serving`]) listens.
    pub fn addr(&self, service: &str) -> SocketAddr {
        *self
            .addrs
            .get(service)
            .unwrap_or_else(|| panic!("{service} was not among the services waited for"))
    }

    /// The binary's stdout and stderr so far, line by line as they arrived.
    pub fn log(&self) -> String {
        self.log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The binary's own temporary directory (config file, embedded data).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Sends SIGTERM and asserts that the binary exits with status 0 within 10 seconds.
    pub async fn stop_gracefully(&mut self) {
        self.signal(Signal::SIGTERM);
        let deadline = Instant::now() + STOP_TIMEOUT;
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("wait for the binary") {
                break status;
            }
            if Instant::now() >= deadline {
                self.signal(Signal::SIGKILL);
                panic!(
                    "{} did not exit within {STOP_TIMEOUT:?} of SIGTERM\n{}",
                    self.program.display(),
                    self.report()
                );
            }
            tokio::time::sleep(POLL).await;
        };
        self.stopped = true;
        self.join_readers();
        assert!(
            status.success(),
            "{} exited with {status} after SIGTERM, expected 0\n{}",
            self.program.display(),
            self.report()
        );
    }

    /// Whether the binary has not been stopped or killed by the test.
    pub fn is_running(&self) -> bool {
        !self.stopped
    }

    /// SIGKILL to the binary and whatever it started, as a crash or an OOM kill would end it:
    /// no shutdown code runs, nothing in its memory survives. Returns once it is gone.
    pub fn kill(&mut self) {
        self.signal(Signal::SIGKILL);
        let _ = self.child.wait();
        self.stopped = true;
        self.join_readers();
    }

    async fn await_serving(&mut self, services: &[String]) {
        let deadline = Instant::now() + START_TIMEOUT;
        let mut probed_out: Vec<SocketAddr> = Vec::new();
        while self.addrs.len() < services.len() {
            if let Some(status) = self.child.try_wait().expect("wait for the binary") {
                self.stopped = true;
                self.join_readers();
                panic!(
                    "{} exited with {status} before serving\n{}",
                    self.program.display(),
                    self.report()
                );
            }
            for addr in listening_addrs(&self.log()) {
                if probed_out.contains(&addr) {
                    continue;
                }
                let mut all_answered = true;
                let missing: Vec<String> = services
                    .iter()
                    .filter(|s| !self.addrs.contains_key(*s))
                    .cloned()
                    .collect();
                for service in missing {
                    match probe(addr, &service).await {
                        Probe::Serving => {
                            self.addrs.insert(service, addr);
                        }
                        Probe::NotHere => {}
                        Probe::NotYet => all_answered = false,
                    }
                }
                // An address that gave a final answer for every service is not probed again.
                if all_answered {
                    probed_out.push(addr);
                }
            }
            if self.addrs.len() == services.len() {
                break;
            }
            if Instant::now() >= deadline {
                let missing: Vec<_> = services
                    .iter()
                    .filter(|s| !self.addrs.contains_key(*s))
                    .collect();
                panic!(
                    "{} did not report {missing:?} SERVING within {START_TIMEOUT:?}\n{}",
                    self.program.display(),
                    self.report()
                );
            }
            tokio::time::sleep(POLL).await;
        }
    }

    fn signal(&self, signal: Signal) {
        let Ok(pid) = i32::try_from(self.child.id()) else {
            return;
        };
        // ESRCH (already gone) is fine: there is nothing left to stop.
        let _ = killpg(Pid::from_raw(pid), signal);
    }

    /// Waits for the rest of the output, briefly: a process that escaped the group could hold
    /// the pipes open forever.
    fn join_readers(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(2);
        while let Ok(()) = self
            .readers
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
        {}
    }

    fn report(&self) -> String {
        format!(
            "----- log of {} (pid {}) -----\n{}----- end of log -----",
            self.program.display(),
            self.child.id(),
            self.log()
        )
    }

    fn stop_on_drop(&mut self) -> Option<ExitStatus> {
        self.signal(Signal::SIGTERM);
        let deadline = Instant::now() + DROP_GRACE;
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => break Some(status),
                Ok(None) if Instant::now() < deadline => std::thread::sleep(POLL),
                _ => {
                    self.signal(Signal::SIGKILL);
                    break self.child.wait().ok();
                }
            }
        }
    }
}

impl Drop for SpawnedBinary {
    fn drop(&mut self) {
        if !self.stopped {
            self.stop_on_drop();
        }
        // Whatever the binary started in its group goes too.
        self.signal(Signal::SIGKILL);
        self.join_readers();
        if std::thread::panicking() {
            eprintln!("{}", self.report());
        }
    }
}

/// Appends every line of `stream` to `log` until the binary closes it, then reports on `done`.
fn collect(stream: impl Read + Send + 'static, log: Arc<Mutex<String>>, done: Sender<()>) {
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stream);
        let mut line = Vec::new();
        while matches!(reader.read_until(b'\n', &mut line), Ok(n) if n > 0) {
            let text = strip_ansi(&String::from_utf8_lossy(&line));
            let mut log = log.lock().unwrap_or_else(PoisonError::into_inner);
            log.push_str(&text);
            if !text.ends_with('\n') {
                log.push('\n');
            }
            line.clear();
        }
        let _ = done.send(());
    });
}

/// Terminal colour codes, in case the binary colours its log despite NO_COLOR.
fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // CSI: ESC [ parameters final-byte (a letter).
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Addresses from `listening addr=…` lines (text logs) or `"addr":"…"` (JSON logs), in order.
fn listening_addrs(log: &str) -> Vec<SocketAddr> {
    let mut addrs = Vec::new();
    for line in log.lines().filter(|l| l.contains("listening")) {
        let value = line
            .split_once("addr=")
            .map(|(_, rest)| rest)
            .or_else(|| line.split_once("\"addr\":\"").map(|(_, rest)| rest));
        let parsed = value.and_then(|rest| {
            rest.split(|c: char| c.is_whitespace() || c == '"' || c == ',')
                .next()
                .and_then(|a| a.parse::<SocketAddr>().ok())
        });
        if let Some(addr) = parsed
            && !addrs.contains(&addr)
        {
            addrs.push(addr);
        }
    }
    addrs
}

enum Probe {
    Serving,
    /// The server answered and does not serve this service.
    NotHere,
    /// No answer yet, or not SERVING yet.
    NotYet,
}

async fn probe(addr: SocketAddr, service: &str) -> Probe {
    let endpoint = tonic::transport::Endpoint::from_shared(format!("http://{addr}"))
        .expect("a socket address is a valid endpoint")
        .connect_timeout(Duration::from_secs(1))
        .timeout(Duration::from_secs(2));
    let Ok(channel) = endpoint.connect().await else {
        return Probe::NotYet;
    };
    let request = HealthCheckRequest {
        service: service.to_owned(),
    };
    match HealthClient::new(channel).check(request).await {
        Ok(response) if response.get_ref().status == ServingStatus::Serving as i32 => {
            Probe::Serving
        }
        Ok(_) => Probe::NotYet,
        Err(status) if status.code() == tonic::Code::NotFound => Probe::NotHere,
        Err(_) => Probe::NotYet,
    }
}

#[cfg(test)]
mod tests;
