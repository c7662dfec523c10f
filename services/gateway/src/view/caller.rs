//! The hotline's answer to "who is calling?": the masked customer from the profile service, the
//! routing priority and tier from the tiering service. The priority only orders the queue, so
//! a call is never refused for want of it: when tiering cannot answer, the caller is routed as
//! a normal one (priority 0, no tier) and that answer is not cached, so the next call from the
//! number asks tiering again.

use vipcare_proto::gateway::v1::LookupCallerResponse;
use vipcare_proto::profile::v1::Customer;

use super::tiering::Routing;
use crate::error::GatewayError;

/// A caller answer and whether tiering contributed to it (only complete answers are cached).
#[derive(Debug, Clone, PartialEq)]
pub struct CallerAnswer {
    pub response: LookupCallerResponse,
    pub complete: bool,
}

pub fn answer_caller(customer: Customer, routing: Result<Routing, GatewayError>) -> CallerAnswer {
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
    let complete = routing.is_some();
    let (priority, tier) = routing.map_or((0, String::new()), |r| (r.priority, r.tier));
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
        let answer = answer_caller(customer(), Ok(routing("c-1")));
        assert!(answer.complete);
        let r = answer.response;
        assert_eq!((r.priority, r.tier.as_str()), (4, "GOLD"));
        assert_eq!(r.display_name, "张**");
        assert_eq!(r.account_manager_id, "am-007");
    }

    #[test]
    fn without_tiering_the_caller_is_normal_and_not_cached() {
        let answer = answer_caller(customer(), Err(GatewayError::Unavailable("tiering")));
        assert!(!answer.complete);
        assert_eq!(answer.response.priority, 0);
        assert!(answer.response.tier.is_empty());
        assert_eq!(answer.response.customer_id, "c-1");
    }

    #[test]
    fn a_priority_for_another_customer_is_not_shown() {
        let answer = answer_caller(customer(), Ok(routing("c-2")));
        assert!(!answer.complete);
        assert_eq!(answer.response.priority, 0);
        assert_eq!(answer.response.customer_id, "c-1");
    }
}
