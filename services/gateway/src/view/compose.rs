//! Putting a CustomerView together from what the services answered. The customer is required;
//! every other section degrades: it is left empty and named in `unavailable_sections`, so an
//! agent still sees the customer while the value, tiering, reminder, complaint or survey
//! service is down.

use std::time::SystemTime;

use vipcare_proto::gateway::v1::{CustomerView, OpenComplaints, UpcomingReminder};
use vipcare_proto::profile::v1::{Customer, ServiceNote, ValueSummary};
use vipcare_proto::survey::v1::Satisfaction;
use vipcare_proto::tiering::v1::ChurnRisk;

use super::reminders::NEXT_REMINDERS;
use super::tiering::TierSection;
use crate::error::GatewayError;

/// At most this many work-log entries are shown.
pub const RECENT_NOTES: usize = 5;

/// A composed view and whether every section could be filled (only complete views are cached).
#[derive(Debug, Clone, PartialEq)]
pub struct Composed {
    pub view: CustomerView,
    pub complete: bool,
}

/// The answers of the services, one per section.
#[derive(Debug)]
pub struct Sections {
    pub customer: Result<Customer, GatewayError>,
    pub value: Result<ValueSummary, GatewayError>,
    pub recent_notes: Result<Vec<ServiceNote>, GatewayError>,
    /// Fills both `tier` and `benefits`: one answer of the tiering service.
    pub tier: Result<TierSection, GatewayError>,
    pub churn_risk: Result<ChurnRisk, GatewayError>,
    /// Soonest first, as the reminder service lists them.
    pub next_reminders: Result<Vec<UpcomingReminder>, GatewayError>,
    /// The section "complaints".
    pub complaints: Result<OpenComplaints, GatewayError>,
    /// The section "satisfaction": `None` when the customer never answered a survey.
    pub satisfaction: Result<Option<Satisfaction>, GatewayError>,
}

pub fn assemble(sections: Sections, now: SystemTime) -> Result<Composed, GatewayError> {
    let Sections {
        customer,
        value,
        recent_notes,
        tier,
        churn_risk,
        next_reminders,
        complaints,
        satisfaction,
    } = sections;
    let customer = customer?;
    let mut unavailable_sections = Vec::new();
    let value = section("value", value, &mut unavailable_sections);
    let mut recent_notes =
        section("recent_notes", recent_notes, &mut unavailable_sections).unwrap_or_default();
    recent_notes.truncate(RECENT_NOTES);
    let (tier, benefits) = match section("tier", tier, &mut unavailable_sections) {
        Some(TierSection { tier, benefits }) => (Some(tier), benefits),
        None => (None, Vec::new()),
    };
    let churn_risk = section("churn_risk", churn_risk, &mut unavailable_sections);
    let mut next_reminders =
        section("next_reminders", next_reminders, &mut unavailable_sections).unwrap_or_default();
    next_reminders.truncate(NEXT_REMINDERS);
    let complaints = section("complaints", complaints, &mut unavailable_sections);
    let satisfaction = section("satisfaction", satisfaction, &mut unavailable_sections).flatten();
    let complete = unavailable_sections.is_empty();
    Ok(Composed {
        view: CustomerView {
            customer: Some(customer),
            value,
            recent_notes,
            tier,
            benefits,
            churn_risk,
            next_reminders,
            complaints,
            satisfaction,
            compose_time: Some(now.into()),
            unavailable_sections,
        },
        complete,
    })
}

fn section<T>(
    name: &str,
    answer: Result<T, GatewayError>,
    unavailable: &mut Vec<String>,
) -> Option<T> {
    match answer {
        Ok(value) => Some(value),
        Err(err) => {
            tracing::warn!(section = name, error = %err, "view section left empty");
            unavailable.push(name.to_owned());
            None
        }
    }
}

#[cfg(test)]
mod tests;
