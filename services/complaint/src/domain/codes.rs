//! The closed sets a complaint is described by, each with the stable text code the store, the
//! settings and the contract use.

use vipcare_domain::coded_enum;

coded_enum! {
    /// Where the customer raised the complaint.
    Channel {
        Hall = "HALL",
        Hotline = "HOTLINE",
        Web = "WEB",
        OnSite = "ON_SITE",
        AccountManager = "ACCOUNT_MANAGER",
        Sms = "SMS",
        Partner = "PARTNER",
    }
}

coded_enum! {
    /// What the complaint is about.
    Category {
        Billing = "BILLING",
        Network = "NETWORK",
        ServiceAttitude = "SERVICE_ATTITUDE",
        Product = "PRODUCT",
        Price = "PRICE",
        Benefit = "BENEFIT",
        Reminder = "REMINDER",
        Policy = "POLICY",
        Other = "OTHER",
    }
}

coded_enum! {
    /// How serious it is, in rising order.
    Severity {
        Low = "LOW",
        Medium = "MEDIUM",
        High = "HIGH",
        Critical = "CRITICAL",
    }
}

impl Severity {
    /// One step more serious (a repeat, a reopen); CRITICAL stays CRITICAL.
    pub fn raised(self) -> Severity {
        match self {
            Severity::Low => Severity::Medium,
            Severity::Medium => Severity::High,
            Severity::High | Severity::Critical => Severity::Critical,
        }
    }
}

coded_enum! {
    /// Which gap of the service caused it, found on resolution (DOMAIN.md, section 4).
    RootCauseGap {
        /// The staff did not know.
        Knowledge = "KNOWLEDGE",
        /// No standard, or a wrong one.
        Standard = "STANDARD",
        /// The standard was not carried out.
        Delivery = "DELIVERY",
        /// The customer was told wrongly, late or not at all.
        Communication = "COMMUNICATION",
    }
}

coded_enum! {
    /// Where a complaint is in its life.
    ComplaintState {
        Open = "OPEN",
        Acknowledged = "ACKNOWLEDGED",
        InProgress = "IN_PROGRESS",
        /// Waiting for the customer: the SLA clocks are paused.
        WaitingCustomer = "WAITING_CUSTOMER",
        Resolved = "RESOLVED",
        Closed = "CLOSED",
        /// Resolved or closed, then reopened: worked on again with its clocks restarted.
        Reopened = "REOPENED",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_rises_one_step_and_stops_at_critical() {
        assert_eq!(Severity::Low.raised(), Severity::Medium);
        assert_eq!(Severity::High.raised(), Severity::Critical);
        assert_eq!(Severity::Critical.raised(), Severity::Critical);
        assert!(Severity::Low < Severity::Critical);
    }

    #[test]
    fn codes_round_trip() {
        for c in Category::ALL {
            assert_eq!(Category::from_code(c.code()), Some(*c));
        }
        for s in ComplaintState::ALL {
            assert_eq!(ComplaintState::from_code(s.code()), Some(*s));
        }
        assert_eq!(Channel::from_code("ON_SITE"), Some(Channel::OnSite));
        assert_eq!(Channel::from_code("on_site"), None);
    }
}
