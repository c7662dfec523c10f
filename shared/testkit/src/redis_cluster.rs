//! A Redis Cluster for one test: three primaries on 127.0.0.1, started from the machine's own
//! `redis-server` (Debian's, as `.ci/run` installs it) in a temporary directory, the 16,384
//! slots split between them and the nodes introduced to each other, then waited for until every
//! node reports the cluster OK. Dropping it kills the nodes.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

const REQUIRE_VAR: &str = "VIPCARE_TEST_REQUIRE_SERVICES";
const NODES: u16 = 3;
const SLOTS: u16 = 16_384;
/// A cluster node also listens on its port + 10,000 (the cluster bus).
const BUS_OFFSET: u16 = 10_000;

/// Three running primaries that form one cluster.
#[derive(Debug)]
pub struct RedisCluster {
    nodes: Vec<(u16, Child)>,
    _dir: TempDir,
}

impl RedisCluster {
    /// The cluster, or `None` when this machine has no `redis-server` to run (with
    /// `VIPCARE_TEST_REQUIRE_SERVICES=1` that fails the test instead).
    pub async fn start() -> Option<RedisCluster> {
        let require = std::env::var(REQUIRE_VAR).is_ok_and(|v| v == "1");
        let found = Command::new("redis-server")
            .arg("--version")
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !found {
            assert!(
                !require,
                "{REQUIRE_VAR}=1 but there is no redis-server for the cluster"
            );
            eprintln!("skipping the Redis Cluster: no redis-server on this machine");
            return None;
        }
        let dir = tempfile::tempdir().expect("a directory for the cluster's nodes");
        let mut nodes = Vec::new();
        for _ in 0..NODES {
            nodes.push(start_node(&dir).await);
        }
        let cluster = RedisCluster { nodes, _dir: dir };
        cluster.form().await;
        Some(cluster)
    }

    /// What `cache.redis_url` names: every node, comma-separated.
    pub fn url(&self) -> String {
        let urls: Vec<String> = self
            .nodes
            .iter()
            .map(|(port, _)| format!("redis://127.0.0.1:{port}"))
            .collect();
        urls.join(",")
    }

    /// Kills node `i` (0, 1 or 2), as a crashed server: a third of the slots lose their owner.
    pub fn kill_node(&mut self, i: usize) {
        let (_, child) = &mut self.nodes[i];
        let _ = child.kill();
        let _ = child.wait();
    }

    /// Each node's slots, then the introductions, then the wait for every node to agree.
    async fn form(&self) {
        let per_node = SLOTS / NODES + 1;
        for (i, (port, _)) in self.nodes.iter().enumerate() {
            let first = i as u16 * per_node;
            let last = (first + per_node - 1).min(SLOTS - 1);
            command(
                *port,
                &[
                    "CLUSTER",
                    "ADDSLOTSRANGE",
                    &first.to_string(),
                    &last.to_string(),
                ],
            )
            .await;
        }
        let (first, _) = &self.nodes[0];
        for (port, _) in &self.nodes[1..] {
            command(*first, &["CLUSTER", "MEET", "127.0.0.1", &port.to_string()]).await;
        }
        let until = Instant::now() + Duration::from_secs(30);
        loop {
            let mut agreed = true;
            for (port, _) in &self.nodes {
                let info = command(*port, &["CLUSTER", "INFO"]).await;
                agreed &= info.contains("cluster_state:ok")
                    && info.contains(&format!("cluster_known_nodes:{NODES}"));
            }
            if agreed {
                return;
            }
            assert!(
                Instant::now() < until,
                "the Redis Cluster did not form within 30 s"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for RedisCluster {
    fn drop(&mut self) {
        for (_, child) in &mut self.nodes {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// One cluster-enabled `redis-server` on a port whose bus port is free too; another test may
/// take a port between the look and the start, so a node that does not come up is started
/// again elsewhere.
async fn start_node(dir: &TempDir) -> (u16, Child) {
    for _ in 0..20 {
        let Some(port) = free_port_pair() else {
            continue;
        };
        let mut child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--cluster-enabled", "yes"])
            .args(["--cluster-config-file", &format!("nodes-{port}.conf")])
            .args(["--cluster-node-timeout", "2000"])
            .args(["--save", "", "--appendonly", "no", "--protected-mode", "no"])
            .arg("--dir")
            .arg(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server starts");
        let until = Instant::now() + Duration::from_secs(10);
        while Instant::now() < until {
            if let Ok(Some(_)) = child.try_wait() {
                break;
            }
            if ping(port).await {
                return (port, child);
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let _ = child.kill();
        let _ = child.wait();
    }
    panic!("no Redis Cluster node came up after 20 tries");
}

/// A port below 55,535 that is free, with its bus port free too.
fn free_port_pair() -> Option<u16> {
    let port = TcpListener::bind("127.0.0.1:0")
        .ok()?
        .local_addr()
        .ok()?
        .port();
    let bus = port.checked_add(BUS_OFFSET)?;
    TcpListener::bind(("127.0.0.1", bus)).ok()?;
    Some(port)
}

async fn ping(port: u16) -> bool {
    let Ok(client) = redis::Client::open(format!("redis://127.0.0.1:{port}")) else {
        return false;
    };
    match client.get_multiplexed_async_connection().await {
        Ok(mut conn) => redis::cmd("PING")
            .query_async::<String>(&mut conn)
            .await
            .is_ok(),
        Err(_) => false,
    }
}

/// One command to one node, its answer as text; a refusal fails the test.
async fn command(port: u16, args: &[&str]) -> String {
    let client = redis::Client::open(format!("redis://127.0.0.1:{port}")).expect("a node URL");
    let mut conn = client
        .get_multiplexed_async_connection()
        .await
        .unwrap_or_else(|e| panic!("cluster node {port}: {e}"));
    let mut cmd = redis::cmd(args[0]);
    for arg in &args[1..] {
        cmd.arg(*arg);
    }
    match cmd.query_async::<redis::Value>(&mut conn).await {
        Ok(redis::Value::BulkString(bytes)) => String::from_utf8_lossy(&bytes).into_owned(),
        Ok(redis::Value::VerbatimString { text, .. }) => text,
        Ok(other) => format!("{other:?}"),
        Err(e) => panic!("cluster node {port}: {args:?}: {e}"),
    }
}
