//! The account manager's work log (needs, problems, progress, care) and the audit trail of
//! unmasked reads. Both are append-only and listed newest first.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::identity::{bidi_refused, is_bidi_format};
use super::{CustomerId, Invalid, Violation, bounded_text, coded_enum};

coded_enum! {
    /// Kinds of work-log entry.
    NoteKind { Need = "need", Problem = "problem", Progress = "progress", Care = "care" }
}

coded_enum! {
    /// The channel a calling client belongs to, as the gateway names it.
    Channel {
        Hall = "hall",
        Hotline = "hotline",
        Web = "web",
        AccountManager = "account_manager",
        Partner = "partner",
        Admin = "admin",
    }
}

/// One work-log entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceNote {
    /// UUIDv7: text order is time order.
    pub note_id: String,
    pub customer_id: CustomerId,
    pub kind: NoteKind,
    pub text: String,
    pub author: String,
    /// `None` when neither the request nor the caller named one.
    pub channel: Option<Channel>,
    pub create_time: DateTime<Utc>,
}

impl ServiceNote {
    pub const MAX_TEXT_CHARS: usize = 2000;

    /// Text 1–2,000 characters (line breaks and tabs allowed, other control and bidirectional
    /// formatting characters not), author 1–64 characters.
    pub fn new(
        customer_id: CustomerId,
        kind: NoteKind,
        text: &str,
        author: &str,
        channel: Option<Channel>,
        now: DateTime<Utc>,
    ) -> Result<ServiceNote, Violation> {
        if text.trim().is_empty() {
            return Err(Invalid::new("required").at("text"));
        }
        if text.chars().count() > Self::MAX_TEXT_CHARS {
            return Err(Invalid::new("must be at most 2000 characters").at("text"));
        }
        if text
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        {
            return Err(Invalid::new("must not contain control characters").at("text"));
        }
        // Shown on the agent's screen in the customer view: no text that reorders itself.
        if text.chars().any(is_bidi_format) {
            return Err(bidi_refused().at("text"));
        }
        if author.trim().is_empty() {
            return Err(Invalid::new("required").at("author"));
        }
        let author = bounded_text(author, 64).map_err(|e| e.at("author"))?;
        Ok(ServiceNote {
            note_id: Uuid::now_v7().to_string(),
            customer_id,
            kind,
            text: text.to_owned(),
            author,
            channel,
            create_time: now,
        })
    }
}

/// Who saw or changed a customer's personal data, and which fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    /// UUIDv7: text order is time order.
    pub audit_id: String,
    pub customer_id: CustomerId,
    pub client: String,
    pub channel: Option<Channel>,
    /// The RPC, e.g. "GetCustomer".
    pub action: String,
    pub fields: Vec<String>,
    /// Why, when the caller gave a reason (erasure).
    pub reason: String,
    pub create_time: DateTime<Utc>,
}

impl AuditRecord {
    pub fn new(
        customer_id: CustomerId,
        client: &str,
        channel: Option<Channel>,
        action: &str,
        fields: &[&str],
        now: DateTime<Utc>,
    ) -> AuditRecord {
        AuditRecord {
            audit_id: Uuid::now_v7().to_string(),
            customer_id,
            client: client.to_owned(),
            channel,
            action: action.to_owned(),
            fields: fields.iter().map(|f| (*f).to_owned()).collect(),
            reason: String::new(),
            create_time: now,
        }
    }
}

/// The reads a customer is told of: staff looked at their personal data unmasked. Writes
/// echo back what the caller sent, and erasure leaves nobody to tell.
const QUERIES: &[&str] = &["GetCustomer", "ListCustomers"];

impl AuditRecord {
    /// Whether the customer gets a sensitive-query notice for this record.
    pub fn tells_customer(&self) -> bool {
        QUERIES.contains(&self.action.as_str())
    }

    /// What was read, in the customer's words ("姓名、手机号码").
    pub fn what_was_read(&self) -> String {
        let words: Vec<&str> = self
            .fields
            .iter()
            .map(|field| match field.as_str() {
                "name" => "姓名",
                "msisdn" => "手机号码",
                "birth_date" => "出生日期",
                "id_document" => "证件信息",
                "service_notes" => "服务记录",
                _ => "个人资料",
            })
            .collect();
        words.join("、")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_queries_are_told_in_plain_words() {
        let id = CustomerId::generate();
        let now = Utc::now();
        let read = AuditRecord::new(
            id.clone(),
            "hall-1",
            Some(Channel::Hall),
            "GetCustomer",
            &["name", "msisdn", "id_document"],
            now,
        );
        assert!(read.tells_customer());
        assert_eq!(read.what_was_read(), "姓名、手机号码、证件信息");
        let write = AuditRecord::new(id, "hall-1", None, "UpdateCustomer", &["name"], now);
        assert!(!write.tells_customer());
    }

    #[test]
    fn notes_are_bounded_and_need_an_author() {
        let id = CustomerId::generate();
        let now = Utc::now();
        let note = |text: &str, author: &str| {
            ServiceNote::new(id.clone(), NoteKind::Need, text, author, None, now)
        };
        assert!(note("想要机场贵宾厅服务\n下周回访", "am-7").is_ok());
        assert!(note(&"字".repeat(2000), "am-7").is_ok());
        assert_eq!(note(&"字".repeat(2001), "am-7").unwrap_err().field, "text");
        assert_eq!(note("  ", "am-7").unwrap_err().field, "text");
        assert_eq!(note("ok", "").unwrap_err().field, "author");
        assert_eq!(note("退订\u{202E}成功", "am-7").unwrap_err().field, "text");
        assert_eq!(note("ok", "am\u{2067}-7").unwrap_err().field, "author");
        assert!(note("列表:\t一\r\n二", "am-7").is_ok());
    }

    #[test]
    fn note_ids_sort_by_time() {
        let id = CustomerId::generate();
        let a = ServiceNote::new(id.clone(), NoteKind::Care, "a", "x", None, Utc::now()).unwrap();
        let b = ServiceNote::new(id, NoteKind::Care, "b", "x", None, Utc::now()).unwrap();
        assert!(a.note_id < b.note_id);
    }

    #[test]
    fn channels_round_trip_their_codes() {
        for c in Channel::ALL {
            assert_eq!(Channel::from_code(c.code()), Some(*c));
        }
        assert_eq!(Channel::from_code("fax"), None);
    }
}
