//! Where a gRPC method path leads: the gateway's own ChannelService or one of the peer services.
//! Paths have the form `/vipcare.<svc>.v1.<Service>/<Method>`.

use vipcare_runtime::settings::PeerSettings;

/// A service the gateway forwards to. Each has an address in `services.<name>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Peer {
    Profile,
    Tiering,
    Reminder,
    Complaint,
    Survey,
}

impl Peer {
    pub const ALL: [Peer; 5] = [
        Peer::Profile,
        Peer::Tiering,
        Peer::Reminder,
        Peer::Complaint,
        Peer::Survey,
    ];

    /// The `<svc>` segment of the proto package, also the settings key.
    pub fn name(self) -> &'static str {
        match self {
            Peer::Profile => "profile",
            Peer::Tiering => "tiering",
            Peer::Reminder => "reminder",
            Peer::Complaint => "complaint",
            Peer::Survey => "survey",
        }
    }

    pub fn address(self, peers: &PeerSettings) -> &str {
        match self {
            Peer::Profile => &peers.profile,
            Peer::Tiering => &peers.tiering,
            Peer::Reminder => &peers.reminder,
            Peer::Complaint => &peers.complaint,
            Peer::Survey => &peers.survey,
        }
    }

    fn from_name(name: &str) -> Option<Peer> {
        Peer::ALL.into_iter().find(|peer| peer.name() == name)
    }
}

/// The destination of a request path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Destination {
    /// `vipcare.gateway.v1.*`, served by the gateway itself.
    Gateway,
    Peer(Peer),
}

/// `None` for anything that is not a `/vipcare.<known svc>.v1.<Service>/<Method>` path.
pub fn destination(path: &str) -> Option<Destination> {
    let (service, method) = path.strip_prefix('/')?.split_once('/')?;
    if method.is_empty() || method.contains('/') {
        return None;
    }
    let mut parts = service.split('.');
    let (Some("vipcare"), Some(svc), Some("v1"), Some(name), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return None;
    };
    if name.is_empty() {
        return None;
    }
    match svc {
        "gateway" => Some(Destination::Gateway),
        other => Peer::from_name(other).map(Destination::Peer),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vipcare_paths_lead_to_their_service() {
        assert_eq!(
            destination("/vipcare.profile.v1.ProfileService/GetCustomer"),
            Some(Destination::Peer(Peer::Profile))
        );
        assert_eq!(
            destination("/vipcare.tiering.v1.TieringService/GetCustomerTier"),
            Some(Destination::Peer(Peer::Tiering))
        );
        assert_eq!(
            destination("/vipcare.gateway.v1.ChannelService/GetCustomerView"),
            Some(Destination::Gateway)
        );
    }

    #[test]
    fn other_paths_lead_nowhere() {
        for path in [
            "/vipcare.billing.v1.BillingService/Charge",
            "/vipcare.profile.v2.ProfileService/GetCustomer",
            "/grpc.health.v1.Health/Check",
            "/vipcare.profile.v1.ProfileService/",
            "/vipcare.profile.v1.ProfileService/A/B",
            "/vipcare.profile.v1/GetCustomer",
            "vipcare.profile.v1.ProfileService/GetCustomer",
            "/",
        ] {
            assert_eq!(destination(path), None, "{path}");
        }
    }
}
