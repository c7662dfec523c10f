//! Replicas as Kubernetes starts them: four of every service's own binary at once on one fresh
//! PostgreSQL database (a first rollout, a scale-up) each migrate, serve and stop cleanly. Only
//! PostgreSQL is shared by replicas; embedded SQLite belongs to one process.

use futures::future::join_all;
use vipcare_proto::service_names;
use vipcare_testkit::TestEnv;
use vipcare_testkit::process::{Launch, workspace_binary};

const REPLICAS: usize = 4;
const SECRET: &str = "vipcare-tests-internal-secret-0123456789";

/// Every service with a store: its package (and binary) and the gRPC service it serves.
const STORED: [(&str, &str, &str); 5] = [
    ("vipcare-profile", "profile", service_names::PROFILE),
    ("vipcare-tiering", "tiering", service_names::TIERING),
    ("vipcare-reminder", "reminder", service_names::REMINDER),
    ("vipcare-complaint", "complaint", service_names::COMPLAINT),
    ("vipcare-survey", "survey", service_names::SURVEY),
];

#[tokio::test]
async fn four_replicas_of_every_service_start_at_once_on_a_fresh_database() {
    for env in TestEnv::all().await {
        let Some(url) = env.database_url() else {
            continue;
        };
        let redis = env.cache_settings().redis_url.clone().unwrap_or_default();
        let prefix = env.cache_settings().key_prefix.clone();
        let mut launches = Vec::new();
        for (package, section, service) in STORED {
            let binary = workspace_binary(package, package);
            for _ in 0..REPLICAS {
                // Peers are reached lazily: none is needed to start. Few connections each, so
                // twenty replicas stay well inside the server's limit.
                let config = format!(
                    "data_dir = \"{{dir}}/data\"\n[{section}]\nlisten = \"127.0.0.1:0\"\n\
                     [database]\nurl = \"{url}\"\nmax_connections = 2\n\
                     [cache]\nredis_url = \"{redis}\"\nkey_prefix = \"{prefix}\"\n\
                     [services]\nprofile = \"http://127.0.0.1:9\"\ntiering = \"http://127.0.0.1:9\"\n\
                     reminder = \"http://127.0.0.1:9\"\ncomplaint = \"http://127.0.0.1:9\"\n\
                     survey = \"http://127.0.0.1:9\"\n"
                );
                launches.push(
                    Launch::new(&binary)
                        .config(config)
                        .env("VIPCARE__INTERNAL__SECRET", SECRET)
                        .serving(service)
                        .spawn(),
                );
            }
        }
        // All spawned in the same instant; each panics with its log unless it reaches SERVING.
        let mut replicas = join_all(launches).await;
        assert_eq!(replicas.len(), STORED.len() * REPLICAS, "[{}]", env.label);
        join_all(replicas.iter_mut().map(|replica| replica.stop_gracefully())).await;
    }
}
