//! The services the suite runs, in start order. The services call each other both ways (tiering
//! and the profile tell the reminder service; the reminder service reads both), so every
//! address must be known before any member is built: a listener given port 0 is first given a
//! free port of its own, and `settings.services` points at it.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener};

use crate::Settings;
use futures::future::BoxFuture;
use vipcare_cache::Cache;
use vipcare_proto::service_names;

use crate::SuiteError;

/// One service of the suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Member {
    Profile,
    Tiering,
    Reminder,
    Complaint,
    Survey,
    Gateway,
}

impl Member {
    /// Services first, the gateway last: it is the only one that calls the others.
    pub const START_ORDER: &'static [Member] = &[
        Member::Profile,
        Member::Tiering,
        Member::Reminder,
        Member::Complaint,
        Member::Survey,
        Member::Gateway,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Member::Profile => "profile",
            Member::Tiering => "tiering",
            Member::Reminder => "reminder",
            Member::Complaint => "complaint",
            Member::Survey => "survey",
            Member::Gateway => "gateway",
        }
    }

    /// The gRPC service whose health says the member is ready.
    pub fn health_service(self) -> &'static str {
        match self {
            Member::Profile => service_names::PROFILE,
            Member::Tiering => service_names::TIERING,
            Member::Reminder => service_names::REMINDER,
            Member::Complaint => service_names::COMPLAINT,
            Member::Survey => service_names::SURVEY,
            Member::Gateway => service_names::CHANNEL,
        }
    }

    /// Where the member listens, and the peer setting others reach it by (none for the
    /// gateway: nothing inside the suite calls it).
    fn addresses(self, settings: &mut Settings) -> (&mut String, Option<&mut String>) {
        match self {
            Member::Profile => (
                &mut settings.profile.listen,
                Some(&mut settings.services.profile),
            ),
            Member::Tiering => (
                &mut settings.tiering.listen,
                Some(&mut settings.services.tiering),
            ),
            Member::Reminder => (
                &mut settings.reminder.listen,
                Some(&mut settings.services.reminder),
            ),
            Member::Complaint => (
                &mut settings.complaint.listen,
                Some(&mut settings.services.complaint),
            ),
            Member::Survey => (
                &mut settings.survey.listen,
                Some(&mut settings.services.survey),
            ),
            Member::Gateway => (&mut settings.gateway.listen, None),
        }
    }

    /// Checks what only the member itself judges, starting nothing. Everything else (listen
    /// addresses, peers, the database, the internal secret) `Settings::validate` has checked.
    fn check(self, settings: &Settings) -> Result<(), SuiteError> {
        match self {
            Member::Profile
            | Member::Tiering
            | Member::Reminder
            | Member::Complaint
            | Member::Survey => Ok(()),
            // Scopes and keys used twice are the gateway's to judge.
            Member::Gateway => {
                vipcare_gateway::edge::Clients::from_settings(&settings.gateway.clients)?;
                Ok(())
            }
        }
    }

    /// Builds the member: binds its port and opens what it needs, without serving yet.
    async fn build(self, settings: &Settings, cache: &Cache) -> Result<Built, SuiteError> {
        let service = self.name();
        match self {
            Member::Profile => {
                let app = vipcare_profile::App::build(&settings.profile(), cache.clone())
                    .await
                    .map_err(|err| SuiteError::Start {
                        service,
                        reason: err.to_string(),
                    })?;
                let addr = app.local_addr();
                Ok(Built::new(self, addr, move |stop| {
                    Box::pin(async move { app.run(stop).await.map_err(|e| e.to_string()) })
                }))
            }
            Member::Tiering => {
                let app = vipcare_tiering::App::build(&settings.tiering(), cache.clone())
                    .await
                    .map_err(|err| SuiteError::Start {
                        service,
                        reason: err.to_string(),
                    })?;
                let addr = app.local_addr();
                Ok(Built::new(self, addr, move |stop| {
                    Box::pin(async move { app.run(stop).await.map_err(|e| e.to_string()) })
                }))
            }
            Member::Reminder => {
                let app = vipcare_reminder::App::build(&settings.reminder(), cache.clone())
                    .await
                    .map_err(|err| SuiteError::Start {
                        service,
                        reason: err.to_string(),
                    })?;
                let addr = app.local_addr();
                Ok(Built::new(self, addr, move |stop| {
                    Box::pin(async move { app.run(stop).await.map_err(|e| e.to_string()) })
                }))
            }
            Member::Complaint => {
                let app = vipcare_complaint::App::build(&settings.complaint(), cache.clone())
                    .await
                    .map_err(|err| SuiteError::Start {
                        service,
                        reason: err.to_string(),
                    })?;
                let addr = app.local_addr();
                Ok(Built::new(self, addr, move |stop| {
                    Box::pin(async move { app.run(stop).await.map_err(|e| e.to_string()) })
                }))
            }
            Member::Survey => {
                let app = vipcare_survey::App::build(&settings.survey(), cache.clone())
                    .await
                    .map_err(|err| SuiteError::Start {
                        service,
                        reason: err.to_string(),
                    })?;
                let addr = app.local_addr();
                Ok(Built::new(self, addr, move |stop| {
                    Box::pin(async move { app.run(stop).await.map_err(|e| e.to_string()) })
                }))
            }
            Member::Gateway => {
                let app = vipcare_gateway::App::build(&settings.gateway(), cache.clone()).await?;
                let addr = app.local_addr();
                Ok(Built::new(self, addr, move |stop| {
                    Box::pin(async move { app.run(stop).await.map_err(|e| e.to_string()) })
                }))
            }
        }
    }
}

/// The future a member serves with; it ends when the member stops.
pub(crate) type Serving = BoxFuture<'static, Result<(), String>>;
/// Resolves when the member should stop accepting work and drain.
pub(crate) type StopSignal = BoxFuture<'static, ()>;

/// A member bound to its port, not yet serving.
pub(crate) struct Built {
    pub member: Member,
    pub addr: SocketAddr,
    pub run: Box<dyn FnOnce(StopSignal) -> Serving + Send>,
}

impl Built {
    fn new(
        member: Member,
        addr: SocketAddr,
        run: impl FnOnce(StopSignal) -> Serving + Send + 'static,
    ) -> Built {
        Built {
            member,
            addr,
            run: Box::new(run),
        }
    }
}

/// Checks every member's own settings before any is built.
pub(crate) fn check_all(settings: &Settings) -> Result<(), SuiteError> {
    Member::START_ORDER
        .iter()
        .try_for_each(|member| member.check(settings))
}

/// Builds every member in start order against one cache, once every listener has a port.
pub(crate) async fn build_all(
    mut settings: Settings,
    cache: &Cache,
) -> Result<Vec<Built>, SuiteError> {
    settle_ports(&mut settings)?;
    let mut built = Vec::with_capacity(Member::START_ORDER.len());
    for &member in Member::START_ORDER {
        let one = member.build(&settings, cache).await?;
        tracing::info!(service = member.name(), addr = %one.addr, "bound");
        built.push(one);
    }
    Ok(built)
}

/// Gives each listener set to port 0 a free port (the OS's choice, taken and let go at once)
/// and points its peer setting at it, so members built first reach members built later.
fn settle_ports(settings: &mut Settings) -> Result<(), SuiteError> {
    for &member in Member::START_ORDER {
        let (listen, peer) = member.addresses(settings);
        // Checked by Settings::validate before anything starts.
        let Ok(addr) = listen.parse::<SocketAddr>() else {
            continue;
        };
        let addr = if addr.port() == 0 {
            let free = TcpListener::bind(addr)
                .and_then(|probe| probe.local_addr())
                .map_err(|err| SuiteError::Start {
                    service: member.name(),
                    reason: format!("no free port on {addr}: {err}"),
                })?;
            *listen = free.to_string();
            free
        } else {
            addr
        };
        if let Some(peer) = peer {
            *peer = format!("http://{}", reachable(addr));
        }
    }
    Ok(())
}

/// An address a client on this host can connect to: a wildcard bind (0.0.0.0, ::) is reached
/// through loopback.
pub fn reachable(addr: SocketAddr) -> SocketAddr {
    match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => (Ipv4Addr::LOCALHOST, addr.port()).into(),
        IpAddr::V6(ip) if ip.is_unspecified() => (Ipv6Addr::LOCALHOST, addr.port()).into(),
        _ => addr,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcard_binds_are_reached_through_loopback() {
        let any: SocketAddr = "0.0.0.0:50051".parse().unwrap();
        assert_eq!(reachable(any), "127.0.0.1:50051".parse().unwrap());
        let any6: SocketAddr = "[::]:50051".parse().unwrap();
        assert_eq!(reachable(any6), "[::1]:50051".parse().unwrap());
        let one: SocketAddr = "10.1.2.3:50061".parse().unwrap();
        assert_eq!(reachable(one), one);
    }

    #[test]
    fn port_zero_becomes_a_free_port_every_member_is_told() {
        let mut settings = Settings::default();
        for member in Member::START_ORDER {
            *member.addresses(&mut settings).0 = "127.0.0.1:0".into();
        }
        settle_ports(&mut settings).unwrap();
        for member in [
            Member::Profile,
            Member::Tiering,
            Member::Reminder,
            Member::Complaint,
            Member::Survey,
        ] {
            let (listen, peer) = member.addresses(&mut settings);
            let listen: SocketAddr = listen.parse().unwrap();
            assert_ne!(listen.port(), 0, "{}", member.name());
            assert_eq!(
                peer.map(|p| p.clone()),
                Some(format!("http://{listen}")),
                "{}",
                member.name()
            );
        }
    }

    #[test]
    fn the_gateway_starts_last() {
        assert_eq!(Member::START_ORDER.last(), Some(&Member::Gateway));
    }
}
