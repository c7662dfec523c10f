//! The handling rules the operator sets in `[complaint]` rather than in the SLA policy: who is
//! told when a complaint escalates, how often customers hear of progress, and how much
//! compensation is granted without a second pair of eyes.

use std::collections::BTreeMap;

use crate::domain::{CompensationLimits, Level, ProgressIntervals};

/// The rules in force, read once at start-up.
#[derive(Debug, Clone)]
pub struct Rules {
    /// At most this much is approved at proposal, per tier.
    pub limits: CompensationLimits,
    /// How often the customer of an open complaint hears how it goes, per tier.
    pub progress: ProgressIntervals,
    /// Each staff member's supervisor, by staff id.
    pub supervisors: BTreeMap<String, String>,
    /// Whoever answers for complaints no supervisor is known for (the hall's duty manager).
    pub duty_manager: String,
}

impl Default for Rules {
    fn default() -> Rules {
        Rules {
            limits: CompensationLimits::default(),
            progress: ProgressIntervals::default(),
            supervisors: BTreeMap::new(),
            duty_manager: DUTY_MANAGER.to_owned(),
        }
    }
}

/// The default of `complaint.duty_manager`.
pub const DUTY_MANAGER: &str = "DUTY-MANAGER";

impl Rules {
    /// Who gets the staff task of an escalation at `level` of a complaint `handler` works on:
    /// level 1 the handler's supervisor, level 2 one step higher (the supervisor's supervisor);
    /// the duty manager wherever the chain is not known.
    pub fn escalation_to(&self, level: Level, handler: &str) -> &str {
        let above = |staff: &str| -> Option<&str> {
            self.supervisors
                .get(staff)
                .map(String::as_str)
                .filter(|s| !s.is_empty())
        };
        let first = above(handler);
        let target = match level {
            Level::Level1 => first,
            Level::Level2 => first.and_then(above),
        };
        target.unwrap_or(&self.duty_manager)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escalations_climb_the_chain_and_fall_back_to_the_duty_manager() {
        let mut rules = Rules::default();
        rules.supervisors.insert("E1001".into(), "S200".into());
        rules.supervisors.insert("S200".into(), "M30".into());
        assert_eq!(rules.escalation_to(Level::Level1, "E1001"), "S200");
        assert_eq!(rules.escalation_to(Level::Level2, "E1001"), "M30");
        assert_eq!(rules.escalation_to(Level::Level2, "S200"), DUTY_MANAGER);
        assert_eq!(rules.escalation_to(Level::Level1, "E9999"), DUTY_MANAGER);
    }
}
