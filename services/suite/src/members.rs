//! The services the suite runs, in start order. Each is built (its port bound) before the next,
//! and its real address is written into `settings.services` first, so members built later —
//! the gateway above all — reach it even when it was given port 0. Later issues add reminder,
//! complaint and survey here: a variant, its build arm and its peer setting.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

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
    Gateway,
}

impl Member {
    /// Services first, the gateway last: it is the only one that calls the others.
    pub const START_ORDER: &'static [Member] = &[Member::Profile, Member::Tiering, Member::Gateway];

    pub fn name(self) -> &'static str {
        match self {
            Member::Profile => "profile",
            Member::Tiering => "tiering",
            Member::Gateway => "gateway",
        }
    }

    /// The gRPC service whose health says the member is ready.
    pub fn health_service(self) -> &'static str {
        match self {
            Member::Profile => service_names::PROFILE,
            Member::Tiering => service_names::TIERING,
            Member::Gateway => service_names::CHANNEL,
        }
    }

    /// Points the members built after this one at its bound address.
    fn announce(self, addr: SocketAddr, settings: &mut Settings) {
        let url = format!("http://{}", reachable(addr));
        match self {
            Member::Profile => settings.services.profile = url,
            Member::Tiering => settings.services.tiering = url,
            // Nothing inside the suite calls the gateway.
            Member::Gateway => {}
        }
    }

    /// Checks what only the member itself judges, starting nothing. Everything else (listen
    /// addresses, peers, the database, the internal secret) `Settings::validate` has checked.
    fn check(self, settings: &Settings) -> Result<(), SuiteError> {
        match self {
            Member::Profile | Member::Tiering => Ok(()),
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

/// Builds every member in start order against one cache. `settings.services` is rewritten
/// with the members' real addresses as they are bound.
pub(crate) async fn build_all(
    mut settings: Settings,
    cache: &Cache,
) -> Result<Vec<Built>, SuiteError> {
    let mut built = Vec::with_capacity(Member::START_ORDER.len());
    for &member in Member::START_ORDER {
        let one = member.build(&settings, cache).await?;
        tracing::info!(service = member.name(), addr = %one.addr, "bound");
        member.announce(one.addr, &mut settings);
        built.push(one);
    }
    Ok(built)
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
    fn the_profile_is_announced_to_the_members_after_it() {
        let mut settings = Settings::default();
        Member::Profile.announce("127.0.0.1:41234".parse().unwrap(), &mut settings);
        assert_eq!(settings.services.profile, "http://127.0.0.1:41234");
    }

    #[test]
    fn the_gateway_starts_last() {
        assert_eq!(Member::START_ORDER.last(), Some(&Member::Gateway));
    }
}
