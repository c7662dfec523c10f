//! The closed sets a survey is described by, each with the stable text code the store, the
//! settings and the contract use.

use vipcare_domain::coded_enum;

coded_enum! {
    /// The three stages of a service experience (the Zhongshan study's 接触 / 操作 / 结束), in
    /// the order a customer lives them: the derived `Ord` is that order.
    Stage {
        /// 接触: sincere like a friend.
        Contact = "CONTACT",
        /// 操作: professional like a consultant.
        Operation = "OPERATION",
        /// 结束: caring like family.
        End = "END",
    }
}

coded_enum! {
    /// Where a moment falls on the Martilla–James importance–performance grid.
    Quadrant {
        /// Important, performing below the rest: fix first.
        ConcentrateHere = "CONCENTRATE_HERE",
        /// Important and performing well.
        KeepUpTheGoodWork = "KEEP_UP_THE_GOOD_WORK",
        /// Less important, performing below the rest.
        LowPriority = "LOW_PRIORITY",
        /// Less important yet performing well: effort that might go elsewhere.
        PossibleOverkill = "POSSIBLE_OVERKILL",
    }
}

impl Quadrant {
    /// The quadrant of a moment `important` or not, performing `high` or not.
    pub fn of(important: bool, high: bool) -> Quadrant {
        match (important, high) {
            (true, false) => Quadrant::ConcentrateHere,
            (true, true) => Quadrant::KeepUpTheGoodWork,
            (false, false) => Quadrant::LowPriority,
            (false, true) => Quadrant::PossibleOverkill,
        }
    }
}

coded_enum! {
    /// What a report's rows, or an alert's group, are cut by.
    GroupBy {
        Hall = "HALL",
        Staff = "STAFF",
        Tier = "TIER",
        Channel = "CHANNEL",
    }
}

coded_enum! {
    /// How the customer was invited to, and answered, the survey.
    SurveyChannel {
        Sms = "SMS",
        Web = "WEB",
        Hall = "HALL",
        Hotline = "HOTLINE",
        AccountManager = "ACCOUNT_MANAGER",
    }
}

coded_enum! {
    /// Where the follow-up of a response stands, as the store keeps it.
    FollowUpState {
        /// The response called for none.
        None = "NONE",
        /// Stored with the response, on its way to the complaint service.
        Pending = "PENDING",
        /// The complaint service opened the follow-up complaint.
        Opened = "OPENED",
        /// The complaint service refused it; the reason is kept.
        Refused = "REFUSED",
    }
}

coded_enum! {
    /// The step of a score trend.
    TrendInterval {
        Daily = "DAILY",
        /// Monday to Sunday.
        Weekly = "WEEKLY",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_are_ordered_as_lived() {
        assert!(Stage::Contact < Stage::Operation);
        assert!(Stage::Operation < Stage::End);
    }

    #[test]
    fn quadrants_cross_importance_and_performance() {
        assert_eq!(Quadrant::of(true, false), Quadrant::ConcentrateHere);
        assert_eq!(Quadrant::of(true, true), Quadrant::KeepUpTheGoodWork);
        assert_eq!(Quadrant::of(false, false), Quadrant::LowPriority);
        assert_eq!(Quadrant::of(false, true), Quadrant::PossibleOverkill);
    }

    #[test]
    fn codes_round_trip() {
        for s in Stage::ALL {
            assert_eq!(Stage::from_code(s.code()), Some(*s));
        }
        for q in Quadrant::ALL {
            assert_eq!(Quadrant::from_code(q.code()), Some(*q));
        }
        for g in GroupBy::ALL {
            assert_eq!(GroupBy::from_code(g.code()), Some(*g));
        }
        for c in SurveyChannel::ALL {
            assert_eq!(SurveyChannel::from_code(c.code()), Some(*c));
        }
        for f in FollowUpState::ALL {
            assert_eq!(FollowUpState::from_code(f.code()), Some(*f));
        }
        for t in TrendInterval::ALL {
            assert_eq!(TrendInterval::from_code(t.code()), Some(*t));
        }
        assert_eq!(
            SurveyChannel::from_code("ACCOUNT_MANAGER"),
            Some(SurveyChannel::AccountManager)
        );
        assert_eq!(Stage::from_code("end"), None);
    }
}
