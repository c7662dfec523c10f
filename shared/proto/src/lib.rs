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

/// The reminder service: touchpoint rules, templates, reminders, events and delivery statistics.
pub mod reminder {
    pub mod v1 {
        tonic::include_proto!("vipcare.reminder.v1");
    }
}

/// The complaint service: complaints owned by their first contact, SLA clocks on business
/// hours, promises, follow-ups, escalation and the compensation ledger.
pub mod complaint {
    pub mod v1 {
        tonic::include_proto!("vipcare.complaint.v1");
    }
}

/// The survey service: scenarios of key moments, invitations, responses scored by the peak-end
/// rule, baselines, reports and follow-ups of unhappy customers.
pub mod survey {
    pub mod v1 {
        tonic::include_proto!("vipcare.survey.v1");
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
    pub const REMINDER: &str = "vipcare.reminder.v1.ReminderService";
    pub const COMPLAINT: &str = "vipcare.complaint.v1.ComplaintService";
    pub const SURVEY: &str = "vipcare.survey.v1.SurveyService";
    pub const CHANNEL: &str = "vipcare.gateway.v1.ChannelService";
}

#[cfg(test)]
mod tests {
    use prost::Message;
    use prost_types::{FileDescriptorSet, field_descriptor_proto::Label};

    use crate::reminder::v1::NotifyTierChangeRequest;
    use crate::tiering::v1::{TierChange, TierChangeEvent};

    /// Field number, type, label and type name of every field of a message in the descriptor set.
    fn shape(name: &str) -> Vec<(i32, i32, i32, String)> {
        let set = FileDescriptorSet::decode(super::FILE_DESCRIPTOR_SET).unwrap();
        let (package, message) = name.rsplit_once('.').unwrap();
        let file = set
            .file
            .iter()
            .find(|f| f.package() == package && f.message_type.iter().any(|m| m.name() == message))
            .unwrap();
        let mut fields: Vec<_> = file
            .message_type
            .iter()
            .find(|m| m.name() == message)
            .unwrap()
            .field
            .iter()
            .map(|f| {
                (
                    f.number(),
                    f.r#type.unwrap_or_default(),
                    f.label.unwrap_or(Label::Optional as i32),
                    f.type_name().to_owned(),
                )
            })
            .collect();
        fields.sort();
        fields
    }

    /// Tiering's relay sends `TierChangeEvent` bytes to NotifyTierChange as they are.
    #[test]
    fn notify_tier_change_request_is_wire_identical_to_the_tier_change_event() {
        assert_eq!(
            shape("vipcare.reminder.v1.NotifyTierChangeRequest"),
            shape("vipcare.tiering.v1.TierChangeEvent")
        );
        let event = TierChangeEvent {
            change: Some(TierChange {
                customer_id: "c-1".into(),
                old_tier: "SILVER".into(),
                new_tier: "GOLD".into(),
                reason: "6-month ARPU rose".into(),
                ..Default::default()
            }),
            old_display_name: "银卡".into(),
            new_display_name: "金卡".into(),
        };
        let request = NotifyTierChangeRequest::decode(event.encode_to_vec().as_slice()).unwrap();
        assert_eq!(request.change, event.change);
        assert_eq!(request.new_display_name, "金卡");
        assert_eq!(request.encode_to_vec(), event.encode_to_vec());
    }
}
