//! vipcare as a cluster runs it: two replicas of every service and two gateways, each its own
//! process of its own binary (`vipcare-profile`, …, `vipcare-gateway`), on one PostgreSQL and
//! one Redis, every service reached through a [`Balancer`] as through a Kubernetes Service. Only
//! on PostgreSQL: embedded SQLite belongs to one process.

use std::net::SocketAddr;

use futures::future::join_all;
use tonic::transport::{Channel, Endpoint};
use vipcare_proto::complaint::v1::complaint_service_client::ComplaintServiceClient;
use vipcare_proto::gateway::v1::channel_service_client::ChannelServiceClient;
use vipcare_proto::profile::v1::profile_service_client::ProfileServiceClient;
use vipcare_proto::service_names;
use vipcare_proto::tiering::v1::tiering_service_client::TieringServiceClient;
use vipcare_testkit::balancer::Balancer;
use vipcare_testkit::{Launch, SpawnedBinary, TestEnv, workspace_binary};

use crate::api_client::ApiClient;
use crate::suite::{ChannelApi, ComplaintApi, ProfileApi, TieringApi};

/// The secret of the test environments (`[internal]` of every env), so a test can sign a call
/// straight to one replica with `TestEnv::internal_channel`.
const SECRET: &str = "vipcare-tests-internal-secret-0123456789";

/// Each service: its settings section, binary and gRPC service name.
pub const SERVICES: [(&str, &str); 5] = [
    ("profile", service_names::PROFILE),
    ("tiering", service_names::TIERING),
    ("reminder", service_names::REMINDER),
    ("complaint", service_names::COMPLAINT),
    ("survey", service_names::SURVEY),
];

/// How many processes of each.
pub const REPLICAS: usize = 2;

struct Replicas {
    section: &'static str,
    service: &'static str,
    balancer: Balancer,
    processes: Vec<SpawnedBinary>,
    /// How each was started, to start it again.
    launches: Vec<Launch>,
}

/// The running deployment; dropping it stops every process.
pub struct Deployment {
    pub label: &'static str,
    services: Vec<Replicas>,
    gateways: Vec<(SpawnedBinary, Channel)>,
}

impl std::fmt::Debug for Deployment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Deployment")
            .field("label", &self.label)
            .finish()
    }
}

impl Deployment {
    /// Starts every replica (all at once, as a rollout does) and the gateways once the services
    /// answer; `extra` TOML goes to every process (e.g. `[reminder.channels.sms]`). `None`
    /// unless `env` is on PostgreSQL.
    pub async fn start(env: &TestEnv, extra: &str) -> Option<Deployment> {
        Deployment::start_with(env, extra, |_, _| Vec::new()).await
    }

    /// As [`Deployment::start`], with environment variables for replica `i` of each service
    /// (`section`, `i`) on top: a setting one replica has and the other has not.
    pub async fn start_with(
        env: &TestEnv,
        extra: &str,
        vars: impl Fn(&str, usize) -> Vec<(String, String)>,
    ) -> Option<Deployment> {
        let url = env.database_url()?;
        let mut balancers = Vec::new();
        for _ in SERVICES {
            balancers.push(Balancer::start().await.expect("a balancer listens"));
        }
        let mut toml = format!(
            "data_dir = \"{{dir}}/data\"\n\
             [database]\nurl = \"{url}\"\nmax_connections = 4\n\
             [cache]\nredis_url = \"{}\"\nkey_prefix = \"{}\"\n\
             [telemetry]\nlog_level = \"info\"\nlog_format = \"text\"\nmetrics_listen = \"127.0.0.1:0\"\n\
             [tiering]\nlisten = \"127.0.0.1:0\"\nevaluation_schedule = \"\"\n\
             [gateway]\nlisten = \"127.0.0.1:0\"\n[services]\n",
            env.cache_settings()
                .redis_url
                .as_deref()
                .unwrap_or_default(),
            env.cache_settings().key_prefix,
        );
        for ((section, _), balancer) in SERVICES.iter().zip(&balancers) {
            toml.push_str(&format!("{section} = \"http://{}\"\n", balancer.addr()));
        }
        for (section, _) in SERVICES.iter().filter(|(s, _)| *s != "tiering") {
            toml.push_str(&format!("[{section}]\nlisten = \"127.0.0.1:0\"\n"));
        }
        for client in ApiClient::CONFIGURED {
            toml.push_str(&client.settings_toml());
        }
        toml.push_str(extra);

        let launch = |package: &str, service: &str, vars: Vec<(String, String)>| {
            let mut launch = Launch::new(workspace_binary(package, package))
                .config(toml.clone())
                .env("VIPCARE__INTERNAL__SECRET", SECRET)
                .serving(service);
            for (key, value) in vars {
                launch = launch.env(key, value);
            }
            launch
        };
        let mut launches = Vec::new();
        for (section, service) in SERVICES {
            for i in 0..REPLICAS {
                launches.push(launch(
                    &format!("vipcare-{section}"),
                    service,
                    vars(section, i),
                ));
            }
        }
        let mut started = join_all(launches.iter().cloned().map(Launch::spawn))
            .await
            .into_iter();
        let mut launches = launches.into_iter();
        let mut services = Vec::new();
        for ((section, service), balancer) in SERVICES.into_iter().zip(balancers) {
            let processes: Vec<SpawnedBinary> = started.by_ref().take(REPLICAS).collect();
            for p in &processes {
                balancer.add(p.addr(service));
            }
            services.push(Replicas {
                section,
                service,
                balancer,
                processes,
                launches: launches.by_ref().take(REPLICAS).collect(),
            });
        }
        let gateways = (0..REPLICAS).map(|i| {
            launch(
                "vipcare-gateway",
                service_names::CHANNEL,
                vars("gateway", i),
            )
            .spawn()
        });
        let gateways = join_all(gateways).await;
        let mut connected = Vec::new();
        for gateway in gateways {
            let addr = gateway.addr(service_names::CHANNEL);
            let channel = Endpoint::from_shared(format!("http://{addr}"))
                .expect("a socket address is a valid endpoint")
                .timeout(std::time::Duration::from_secs(15))
                .connect()
                .await
                .expect("the gateway accepts");
            connected.push((gateway, channel));
        }
        Some(Deployment {
            label: env.label,
            services,
            gateways: connected,
        })
    }

    fn replicas(&self, section: &str) -> &Replicas {
        self.services
            .iter()
            .find(|r| r.section == section)
            .unwrap_or_else(|| panic!("no service {section}"))
    }

    /// Where replica `i` of `section` serves gRPC, for a signed call straight to it.
    pub fn replica_addr(&self, section: &str, i: usize) -> SocketAddr {
        let replicas = self.replicas(section);
        replicas.processes[i].addr(replicas.service)
    }

    /// Where replica `i` of `section` serves `/metrics`.
    pub fn replica_metrics(&self, section: &str, i: usize) -> SocketAddr {
        let log = self.replicas(section).processes[i].log();
        crate::metrics::metrics_addr(&log)
            .unwrap_or_else(|| panic!("no metrics endpoint in the log of {section} {i}"))
    }

    /// Where the balancer in front of `section` listens.
    pub fn service_addr(&self, section: &str) -> SocketAddr {
        self.replicas(section).balancer.addr()
    }

    /// SIGKILL to replica `i` of `section`, as a crash or an OOM kill ends it.
    pub fn kill(&mut self, section: &str, i: usize) {
        let replicas = self
            .services
            .iter_mut()
            .find(|r| r.section == section)
            .unwrap_or_else(|| panic!("no service {section}"));
        replicas.processes[i].kill();
    }

    /// Replaces replica `i` of `section` as a rolling update does: a new process is started and
    /// joins the balancer once SERVING, the old one leaves the balancer and gets SIGTERM, and
    /// must exit 0 in time.
    pub async fn restart(&mut self, section: &str, i: usize) {
        let replicas = self
            .services
            .iter_mut()
            .find(|r| r.section == section)
            .unwrap_or_else(|| panic!("no service {section}"));
        let new = replicas.launches[i].clone().spawn().await;
        replicas.balancer.add(new.addr(replicas.service));
        let mut old = std::mem::replace(&mut replicas.processes[i], new);
        replicas.balancer.remove(old.addr(replicas.service));
        old.stop_gracefully().await;
    }

    /// SIGTERM to replica `i` of `section`; asserts it exits 0 in time.
    pub async fn stop(&mut self, section: &str, i: usize) {
        let replicas = self
            .services
            .iter_mut()
            .find(|r| r.section == section)
            .unwrap_or_else(|| panic!("no service {section}"));
        replicas.processes[i].stop_gracefully().await;
    }

    /// Gateway `g`'s ChannelService as `client`.
    pub fn channel_api(&self, g: usize, client: ApiClient) -> ChannelApi {
        ChannelServiceClient::with_interceptor(self.gateways[g].1.clone(), client.credentials())
    }

    /// The profile API through gateway `g`.
    pub fn profile(&self, g: usize, client: ApiClient) -> ProfileApi {
        ProfileServiceClient::with_interceptor(self.gateways[g].1.clone(), client.credentials())
    }

    /// The tiering API through gateway `g`.
    pub fn tiering(&self, g: usize, client: ApiClient) -> TieringApi {
        TieringServiceClient::with_interceptor(self.gateways[g].1.clone(), client.credentials())
    }

    /// The complaint API through gateway `g`.
    pub fn complaint(&self, g: usize, client: ApiClient) -> ComplaintApi {
        ComplaintServiceClient::with_interceptor(self.gateways[g].1.clone(), client.credentials())
    }

    /// Every process's log, for a failure message.
    pub fn logs(&self) -> String {
        let mut all = String::new();
        for r in &self.services {
            for (i, p) in r.processes.iter().enumerate() {
                all.push_str(&format!("==== {} {i}\n{}\n", r.section, p.log()));
            }
        }
        for (i, (g, _)) in self.gateways.iter().enumerate() {
            all.push_str(&format!("==== gateway {i}\n{}\n", g.log()));
        }
        all
    }

    /// SIGTERM to every process still running; each must exit 0.
    pub async fn stop_gracefully(mut self) {
        for (gateway, _) in &mut self.gateways {
            gateway.stop_gracefully().await;
        }
        for r in &mut self.services {
            join_all(
                r.processes
                    .iter_mut()
                    .filter(|p| p.is_running())
                    .map(|p| p.stop_gracefully()),
            )
            .await;
        }
    }
}
