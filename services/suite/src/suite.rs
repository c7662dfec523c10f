//! The running suite: every member serving on its own port, one shared cache, one supervisor.
//! A member that fails (or stops by itself) takes the suite down with it rather than leaving a
//! half-working process behind a healthy-looking gateway. Shutdown drains in reverse start
//! order, so the gateway finishes its in-flight calls while the services behind it still answer.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;
use vipcare_cache::Cache;
use vipcare_runtime::InternalCredential;
use vipcare_runtime::internal::InternalSecret;

use crate::members::{self, Member, reachable};
use crate::{Settings, SuiteError, ready};

/// How long a bound member may take to report SERVING.
const READY_LIMIT: Duration = Duration::from_secs(30);

/// Every member of the suite, serving.
pub struct Suite {
    addrs: Vec<(Member, SocketAddr)>,
    /// What the members sign and check internal calls with.
    credential: InternalCredential,
    /// Set once the suite is stopping, whoever asked.
    stopping: Arc<watch::Sender<bool>>,
    supervisor: JoinHandle<Result<(), SuiteError>>,
}

impl std::fmt::Debug for Suite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Suite").field("addrs", &self.addrs).finish()
    }
}

/// One member's task and its own stop signal.
struct Running {
    member: Member,
    stop: watch::Sender<bool>,
    task: JoinHandle<Result<(), String>>,
    ended: bool,
}

impl Suite {
    /// Builds every member in start order on one cache, serves them, and returns once each
    /// reports SERVING. `settings.services` is pointed at the members' real addresses, so port 0
    /// works for every listener. Without `internal.secret` the members share a random one that
    /// nobody outside this process knows ([`Suite::internal_credential`] signs with it).
    ///
    /// The whole configuration is checked before anything binds a port or touches a database:
    /// callers adjust settings after loading them (demo keys, ports), and each member has
    /// checks of its own, so a mistake in the gateway's part stops the suite before the profile
    /// service has migrated.
    pub async fn start(mut settings: Settings) -> Result<Suite, SuiteError> {
        if settings.internal.secret.is_none() {
            settings.internal.secret = Some(InternalSecret::generate());
        }
        settings.validate()?;
        members::check_all(&settings)?;
        let credential = settings.internal.credential()?;
        let cache = Cache::connect(&settings.cache).await?;
        tracing::info!(cache = cache.backend_name(), "cache ready");
        let built = members::build_all(settings, &cache).await?;
        let addrs = built
            .iter()
            .map(|b| (b.member, reachable(b.addr)))
            .collect();
        let running = built
            .into_iter()
            .map(|b| {
                let (stop, signal) = watch::channel(false);
                let task = tokio::spawn((b.run)(Box::pin(raised(signal))));
                Running {
                    member: b.member,
                    stop,
                    task,
                    ended: false,
                }
            })
            .collect();
        let stopping = Arc::new(watch::channel(false).0);
        let supervisor = tokio::spawn(supervise(running, stopping.clone()));
        let suite = Suite {
            addrs,
            credential,
            stopping,
            supervisor,
        };
        suite.wait_ready().await
    }

    async fn wait_ready(self) -> Result<Suite, SuiteError> {
        let all_serving = async {
            for &(member, addr) in &self.addrs {
                if !ready::serving(addr, member.health_service(), READY_LIMIT).await {
                    return Err(member);
                }
            }
            Ok(())
        };
        let outcome = tokio::select! {
            outcome = all_serving => Some(outcome),
            // A member that fails while starting ends the wait at once, with its own error.
            () = self.stopped() => None,
        };
        match outcome {
            Some(Ok(())) => Ok(self),
            Some(Err(member)) => {
                let _ = self.shutdown().await;
                Err(SuiteError::NotReady {
                    service: member.name(),
                })
            }
            None => Err(self.shutdown().await.err().unwrap_or(SuiteError::Stopped {
                service: "suite",
                reason: "stopped while starting".into(),
            })),
        }
    }

    /// Where `member` can be reached from this host (wildcard binds as loopback).
    pub fn addr(&self, member: Member) -> Option<SocketAddr> {
        self.addrs
            .iter()
            .find(|(m, _)| *m == member)
            .map(|(_, addr)| *addr)
    }

    pub fn gateway_addr(&self) -> SocketAddr {
        self.addr(Member::Gateway)
            .expect("the gateway is a member of every suite")
    }

    pub fn profile_addr(&self) -> SocketAddr {
        self.addr(Member::Profile)
            .expect("the profile service is a member of every suite")
    }

    pub fn tiering_addr(&self) -> SocketAddr {
        self.addr(Member::Tiering)
            .expect("the tiering service is a member of every suite")
    }

    pub fn reminder_addr(&self) -> SocketAddr {
        self.addr(Member::Reminder)
            .expect("the reminder service is a member of every suite")
    }

    pub fn complaint_addr(&self) -> SocketAddr {
        self.addr(Member::Complaint)
            .expect("the complaint service is a member of every suite")
    }

    pub fn survey_addr(&self) -> SocketAddr {
        self.addr(Member::Survey)
            .expect("the survey service is a member of every suite")
    }

    /// Signs calls straight to a member (the demo loader, tests), as the gateway signs its own.
    pub fn internal_credential(&self) -> &InternalCredential {
        &self.credential
    }

    /// Resolves once the suite is stopping: asked to, or because a member ended.
    pub async fn stopped(&self) {
        let mut rx = self.stopping.subscribe();
        let _ = rx.wait_for(|stopping| *stopping).await;
    }

    /// Stops every member (gateway first) and waits for them to drain. The error is the first
    /// member failure, if the suite stopped because of one.
    pub async fn shutdown(self) -> Result<(), SuiteError> {
        self.stopping.send_replace(true);
        match self.supervisor.await {
            Ok(outcome) => outcome,
            Err(err) => Err(SuiteError::Stopped {
                service: "suite",
                reason: err.to_string(),
            }),
        }
    }
}

/// Resolves when `signal` turns true, or when its sender is gone (nobody can stop us then).
async fn raised(mut signal: watch::Receiver<bool>) {
    let _ = signal.wait_for(|raised| *raised).await;
}

/// Waits for a stop request or a member ending, then drains the members in reverse order.
async fn supervise(
    mut running: Vec<Running>,
    stopping: Arc<watch::Sender<bool>>,
) -> Result<(), SuiteError> {
    let mut outcome = Ok(());
    let ended = {
        let any_ended = futures::future::select_all(running.iter_mut().map(|r| &mut r.task));
        tokio::select! {
            () = raised(stopping.subscribe()) => None,
            (joined, index, _) = any_ended => Some((index, joined)),
        }
    };
    if let Some((index, joined)) = ended {
        let member = &mut running[index];
        member.ended = true;
        let reason = match joined {
            Ok(Ok(())) => "stopped by itself".to_owned(),
            Ok(Err(reason)) => reason,
            Err(err) => err.to_string(),
        };
        tracing::error!(service = member.member.name(), %reason, "service ended; stopping the suite");
        outcome = Err(SuiteError::Stopped {
            service: member.member.name(),
            reason,
        });
        stopping.send_replace(true);
    }
    for member in running.iter_mut().rev().filter(|r| !r.ended) {
        member.stop.send_replace(true);
        let failure = match (&mut member.task).await {
            Ok(Ok(())) => continue,
            Ok(Err(reason)) => reason,
            Err(err) => err.to_string(),
        };
        tracing::error!(service = member.member.name(), reason = %failure, "service failed while stopping");
        if outcome.is_ok() {
            outcome = Err(SuiteError::Stopped {
                service: member.member.name(),
                reason: failure,
            });
        }
    }
    tracing::info!("suite stopped");
    outcome
}
