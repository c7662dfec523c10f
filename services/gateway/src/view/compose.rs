//! Putting a CustomerView together from what the services answered. The customer is required;
//! every other section degrades: it is left empty and named in `unavailable_sections`, so an
//! agent still sees the customer while the value service is down.

use std::time::SystemTime;

use vipcare_proto::gateway::v1::CustomerView;
use vipcare_proto::profile::v1::{Customer, ServiceNote, ValueSummary};

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
}

pub fn assemble(sections: Sections, now: SystemTime) -> Result<Composed, GatewayError> {
    let Sections {
        customer,
        value,
        recent_notes,
    } = sections;
    let customer = customer?;
    let mut unavailable_sections = Vec::new();
    let value = section("value", value, &mut unavailable_sections);
    let mut recent_notes =
        section("recent_notes", recent_notes, &mut unavailable_sections).unwrap_or_default();
    recent_notes.truncate(RECENT_NOTES);
    let complete = unavailable_sections.is_empty();
    Ok(Composed {
        view: CustomerView {
            customer: Some(customer),
            value,
            recent_notes,
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
mod tests {
    use super::*;

    fn customer() -> Customer {
        Customer {
            customer_id: "c-1".into(),
            name: "张**".into(),
            ..Customer::default()
        }
    }

    fn note(id: usize) -> ServiceNote {
        ServiceNote {
            note_id: format!("n-{id}"),
            ..ServiceNote::default()
        }
    }

    fn down() -> GatewayError {
        GatewayError::Unavailable("profile")
    }

    #[test]
    fn a_full_answer_makes_a_complete_view_with_at_most_five_notes() {
        let composed = assemble(
            Sections {
                customer: Ok(customer()),
                value: Ok(ValueSummary {
                    arpu_3m_fen: 12_800,
                    ..ValueSummary::default()
                }),
                recent_notes: Ok((0..7).map(note).collect()),
            },
            SystemTime::UNIX_EPOCH,
        )
        .unwrap();
        assert!(composed.complete);
        let view = composed.view;
        assert_eq!(view.customer.unwrap().name, "张**");
        assert_eq!(view.value.unwrap().arpu_3m_fen, 12_800);
        let ids: Vec<_> = view
            .recent_notes
            .iter()
            .map(|n| n.note_id.as_str())
            .collect();
        assert_eq!(ids, ["n-0", "n-1", "n-2", "n-3", "n-4"]);
        assert!(view.unavailable_sections.is_empty());
        assert!(view.compose_time.is_some());
    }

    #[test]
    fn failed_sections_are_named_and_the_view_is_not_complete() {
        let composed = assemble(
            Sections {
                customer: Ok(customer()),
                value: Err(down()),
                recent_notes: Err(down()),
            },
            SystemTime::now(),
        )
        .unwrap();
        assert!(!composed.complete);
        assert_eq!(
            composed.view.unavailable_sections,
            ["value", "recent_notes"]
        );
        assert!(composed.view.value.is_none());
        assert!(composed.view.customer.is_some());
    }

    #[test]
    fn without_the_customer_there_is_no_view() {
        let result = assemble(
            Sections {
                customer: Err(down()),
                value: Ok(ValueSummary::default()),
                recent_notes: Ok(vec![]),
            },
            SystemTime::now(),
        );
        assert!(matches!(result, Err(GatewayError::Unavailable("profile"))));
    }
}
