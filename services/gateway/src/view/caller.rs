//! The hotline's answer to "who is calling?": the masked customer from the profile service, the
//! routing priority and tier from the tiering service, raised by one while the customer has an
//! open complaint (complaint service): a customer waiting on an answer should reach an agent
//! sooner, and the agent should take the call ready for it. The priority only orders the queue,
//! so a call is never refused for want of it: when tiering cannot answer, the caller is routed
//! as a normal one (priority 0, no tier); when the complaint service cannot, with the tier's
//! priority alone. Either way that answer is not cached, so the next call from the number asks
//! again.

use vipcare_proto::gateway::v1::LookupCallerResponse;
use vipcare_proto::profile::v1::Customer;

use super::tiering::Routing;
use crate::error::GatewayError;

/// The highest routing priority.
const TOP_PRIORITY: i32 = 9;

/// A caller answer and whether tiering and the complaint service contributed to it (only
/// complete answers are cached).
#[derive(Debug, Clone, PartialEq)]
pub struct CallerAnswer {
    pub response: LookupCallerResponse,
    pub complete: bool,
}

/// `has_open_complaint`: whether the customer has a complaint neither resolved nor closed.
pub fn answer_caller(
    customer: Customer,
    routing: Result<Routing, GatewayError>,
    has_open_complaint: Result<bool, GatewayError>,
) -> CallerAnswer {
    let routing = match routing {
        Ok(routing) if routing.customer_id == customer.customer_id => Some(routing),
        // The number moved between customers while we asked: one of the two answers is already
        // stale, and a priority must never be shown against someone else's name.
        Ok(routing) => {
            tracing::warn!(
                profile = %customer.customer_id,
                tiering = %routing.customer_id,
                "profile and tiering disagree on whose number this is; routed as normal"
            );
            None
        }
        Err(err) => {
            tracing::warn!(error = %err, "no routing priority; routed as normal");
            None
        }
    };
    let raise = match has_open_complaint {
        Ok(open) => Some(i32::from(open)),
        Err(err) => {
            tracing::warn!(error = %err, "open complaints unknown; routed by the tier alone");
            None
        }
    };
    let complete = routing.is_some() && raise.is_some();
    let (priority, tier) = routing.map_or((0, String::new()), |r| (r.priority, r.tier));
    let priority = (priority + raise.unwrap_or(0)).min(TOP_PRIORITY);
    CallerAnswer {
        response: LookupCallerResponse {
            customer_id: customer.customer_id,
            display_name: customer.name,
            priority,
            account_manager_id: customer.account_manager_id,
            tier,
        },
        complete,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn customer() -> Customer {
        Customer {
            customer_id: "c-1".into(),
            name: "张**".into(),
            account_manager_id: "am-007".into(),
            ..Customer::default()
        }
    }

    fn routing(customer_id: &str) -> Routing {
        Routing {
            priority: 4,
            tier: "GOLD".into(),
            customer_id: customer_id.into(),
        }
    }

    #[test]
    fn the_tier_sets_the_priority_of_a_complete_answer() {
        let answer = answer_caller(customer(), Ok(routing("c-1")), Ok(false));
        assert!(answer.complete);
        let r = answer.response;
        assert_eq!((r.priority, r.tier.as_str()), (4, "GOLD"));
        assert_eq!(r.display_name, "张**");
        assert_eq!(r.account_manager_id, "am-007");
    }

    #[test]
    fn without_tiering_the_caller_is_normal_and_not_cached() {
        let answer = answer_caller(
            customer(),
            Err(GatewayError::Unavailable("tiering")),
            Ok(false),
        );
        assert!(!answer.complete);
        assert_eq!(answer.response.priority, 0);
        assert!(answer.response.tier.is_empty());
        assert_eq!(answer.response.customer_id, "c-1");
    }

    #[test]
    fn a_priority_for_another_customer_is_not_shown() {
        let answer = answer_caller(customer(), Ok(routing("c-2")), Ok(false));
        assert!(!answer.complete);
        assert_eq!(answer.response.priority, 0);
        assert_eq!(answer.response.customer_id, "c-1");
    }

    #[test]
    fn an_open_complaint_raises_the_priority_by_one() {
        let answer = answer_caller(customer(), Ok(routing("c-1")), Ok(true));
        assert!(answer.complete);
        assert_eq!(answer.response.priority, 5);
        assert_eq!(answer.response.tier, "GOLD");
    }

    #[test]
    fn the_raise_stops_at_the_highest_priority() {
        let top = Routing {
            priority: 9,
            ..routing("c-1")
        };
        let answer = answer_caller(customer(), Ok(top), Ok(true));
        assert_eq!(answer.response.priority, 9);
    }

    #[test]
    fn a_normal_caller_with_an_open_complaint_is_raised_without_tiering() {
        let answer = answer_caller(
            customer(),
            Err(GatewayError::DeadlineExceeded("tiering")),
            Ok(true),
        );
        assert!(!answer.complete);
        assert_eq!(answer.response.priority, 1);
    }

    #[test]
    fn without_the_complaint_service_the_tier_alone_routes_and_is_not_cached() {
        let answer = answer_caller(
            customer(),
            Ok(routing("c-1")),
            Err(GatewayError::Unavailable("complaint")),
        );
        assert!(!answer.complete);
        assert_eq!(answer.response.priority, 4);
        assert_eq!(answer.response.tier, "GOLD");
    }
}
