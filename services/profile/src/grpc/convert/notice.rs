//! The sensitive-query notice an unmasked read owes the customer, as the reminder service
//! takes it: an `IngestEventRequest` whose event id is the audit record's, so a notice relayed
//! twice is one event there.

use prost::Message;
use vipcare_proto::common::v1 as common;
use vipcare_proto::reminder::v1 as reminder;

use super::timestamp;
use crate::domain::AuditRecord;

/// The encoded notice of `record`, for the outbox.
pub fn sensitive_query_notice(record: &AuditRecord) -> Vec<u8> {
    let query = reminder::SensitiveQuery {
        what: record.what_was_read(),
        client: record.client.clone(),
        channel: record
            .channel
            .map_or(common::Channel::Unspecified, common::Channel::from) as i32,
    };
    let event = reminder::Event {
        event_id: format!("profile-audit-{}", record.audit_id),
        customer_id: record.customer_id.to_string(),
        occurred_at: Some(timestamp(record.create_time)),
        kind: Some(reminder::event::Kind::SensitiveQuery(query)),
    };
    reminder::IngestEventRequest { event: Some(event) }.encode_to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Channel, CustomerId};

    #[test]
    fn the_notice_names_the_read_and_who_read_it() {
        let record = AuditRecord::new(
            CustomerId::generate(),
            "hall-1",
            Some(Channel::Hall),
            "GetCustomer",
            &["name", "msisdn"],
            chrono::Utc::now(),
        );
        let decoded =
            reminder::IngestEventRequest::decode(sensitive_query_notice(&record).as_slice())
                .unwrap();
        let event = decoded.event.unwrap();
        assert_eq!(event.event_id, format!("profile-audit-{}", record.audit_id));
        assert_eq!(event.customer_id, record.customer_id.to_string());
        let Some(reminder::event::Kind::SensitiveQuery(query)) = event.kind else {
            panic!("a sensitive query event");
        };
        assert_eq!(query.what, "姓名、手机号码");
        assert_eq!(query.client, "hall-1");
        assert_eq!(query.channel, common::Channel::Hall as i32);
    }
}
