//! The scope names a client can hold. The policy table requires one of them per method; `pii:read`
//! is required by no method but makes the services return personal data unmasked (and audit it).
//! Later services add their scopes here.

pub const CUSTOMER_READ: &str = "customer:read";
pub const CUSTOMER_WRITE: &str = "customer:write";
pub const CUSTOMER_ERASE: &str = "customer:erase";
pub const CONSUMPTION_WRITE: &str = "consumption:write";
pub const BATCH_READ: &str = "batch:read";
pub const NOTE_WRITE: &str = "note:write";
pub const AUDIT_READ: &str = "audit:read";
pub const CALLER_LOOKUP: &str = "caller:lookup";
pub const PII_READ: &str = "pii:read";
pub const TIER_READ: &str = "tier:read";
/// Changes tiers, the policy and the benefit catalogue: operators' consoles only.
pub const TIER_ADMIN: &str = "tier:admin";
/// Checks and redeems benefits by number: all a partner (a lounge, a merchant) holds.
pub const BENEFIT_VERIFY: &str = "benefit:verify";
pub const CHURN_READ: &str = "churn:read";
/// Reads reminders, rules, templates and delivery statistics.
pub const REMINDER_READ: &str = "reminder:read";
/// Schedules and cancels reminders, and reports delivery receipts (channel providers).
pub const REMINDER_WRITE: &str = "reminder:write";
/// Changes touchpoint rules and templates: operators' consoles only.
pub const REMINDER_ADMIN: &str = "reminder:admin";
/// Sends business events (billing, network, CRM feeds) that become reminders.
pub const EVENT_INGEST: &str = "event:ingest";
/// Reads complaints, their timelines, the SLA policy and the SLA report; watches dashboards.
pub const COMPLAINT_READ: &str = "complaint:read";
/// Opens complaints and moves them through their lifecycle: promises, follow-ups, escalations,
/// compensation proposals (hall, hotline, account managers).
pub const COMPLAINT_WRITE: &str = "complaint:write";
/// Changes the SLA policy and its calendar, approves and rejects compensation: supervisors.
pub const COMPLAINT_ADMIN: &str = "complaint:admin";
/// Reads scenarios, responses, satisfaction, moment reports, score trends, alerts, detractors
/// and the survey policy (dashboards, account managers).
pub const SURVEY_READ: &str = "survey:read";
/// Invites a customer to a survey (sent as a reminder with a one-time token): hall, hotline,
/// account managers.
pub const SURVEY_WRITE: &str = "survey:write";
/// Changes scenarios and the scoring and follow-up policy, and reads satisfaction in bulk
/// (BatchGetSatisfaction, for the tiering run): operators' consoles and services only.
pub const SURVEY_ADMIN: &str = "survey:admin";
/// Opens an invitation and answers it (GetInvitation, SubmitResponse). The built-in
/// `survey-link` client holds it alone, for customers answering from the link without a key,
/// and the survey service takes only the one-time token from that client; a counter that takes
/// the answer for the customer (by customer, scenario and context) holds it with `survey:write`.
pub const SURVEY_RESPOND: &str = "survey:respond";

/// Every scope the gateway knows; a client configured with another name is refused at start.
pub const ALL: &[&str] = &[
    CUSTOMER_READ,
    CUSTOMER_WRITE,
    CUSTOMER_ERASE,
    CONSUMPTION_WRITE,
    BATCH_READ,
    NOTE_WRITE,
    AUDIT_READ,
    CALLER_LOOKUP,
    PII_READ,
    TIER_READ,
    TIER_ADMIN,
    BENEFIT_VERIFY,
    CHURN_READ,
    REMINDER_READ,
    REMINDER_WRITE,
    REMINDER_ADMIN,
    EVENT_INGEST,
    COMPLAINT_READ,
    COMPLAINT_WRITE,
    COMPLAINT_ADMIN,
    SURVEY_READ,
    SURVEY_WRITE,
    SURVEY_ADMIN,
    SURVEY_RESPOND,
];

#[cfg(test)]
mod tests {
    use crate::Settings;

    #[test]
    fn the_example_clients_show_every_scope() {
        let example = include_str!("../../../deploy/config/clients.example.toml");
        let settings = vipcare_runtime::settings::from_toml::<Settings>(example)
            .expect("the example is valid settings");
        let granted: Vec<&str> = settings
            .gateway
            .clients
            .iter()
            .flat_map(|c| c.scopes.iter().map(String::as_str))
            .collect();
        for scope in super::ALL {
            assert!(granted.contains(scope), "no example client has {scope}");
            assert!(
                example.contains(&format!("#   {scope}")),
                "{scope} is not explained"
            );
        }
    }
}
