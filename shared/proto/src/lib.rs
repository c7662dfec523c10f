//! The vipcare contracts as Rust: messages, tonic servers and clients for every `vipcare.*.v1`
//! package, and the encoded descriptor set that servers publish through reflection. Partners
//! depend on this crate as the Rust SDK; nothing here knows about storage or the domain.

/// Shared types: channels, touchpoints, dates, quiet hours.
pub mod common {
    pub mod v1 {
        tonic::include_proto!("vipcare.common.v1");
    }
}

/// The customer profile service.
pub mod profile {
    pub mod v1 {
        tonic::include_proto!("vipcare.profile.v1");
    }
}

/// The tiering service: tiers, benefits, hotline priority, churn risk.
pub mod tiering {
    pub mod v1 {
        tonic::include_proto!("vipcare.tiering.v1");
    }
}

/// The gateway's channel API.
pub mod gateway {
    pub mod v1 {
        tonic::include_proto!("vipcare.gateway.v1");
    }
}

/// Every vipcare file (and its imports) encoded as a `FileDescriptorSet`, for server reflection.
pub const FILE_DESCRIPTOR_SET: &[u8] = tonic::include_file_descriptor_set!("vipcare_descriptor");

/// Full gRPC service names, as they appear in request paths and health checks.
pub mod service_names {
    pub const PROFILE: &str = "vipcare.profile.v1.ProfileService";
    pub const TIERING: &str = "vipcare.tiering.v1.TieringService";
    pub const CHANNEL: &str = "vipcare.gateway.v1.ChannelService";
}
