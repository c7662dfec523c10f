//! Relations between customers: family and group colleagues are mutual, referrals and
//! secondary lines point one way. Family relations count toward household ARPU, and a family
//! member or referral may leave together with the customer, so tiering and churn warning
//! weigh them.

use chrono::{DateTime, Utc};

use super::{CustomerId, Invalid, Violation, coded_enum};

coded_enum! {
    /// How two customers are related.
    RelationKind {
        Family = "family",
        GroupColleague = "group_colleague",
        Referral = "referral",
        SecondaryLine = "secondary_line",
    }
}

impl RelationKind {
    /// Mutual kinds are stored in both directions.
    pub fn is_mutual(self) -> bool {
        matches!(self, RelationKind::Family | RelationKind::GroupColleague)
    }
}

/// A relation from one customer to another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relation {
    pub customer_id: CustomerId,
    pub related_customer_id: CustomerId,
    pub kind: RelationKind,
    pub create_time: DateTime<Utc>,
}

impl Relation {
    /// A customer cannot be related to itself.
    pub fn new(
        customer_id: CustomerId,
        related_customer_id: CustomerId,
        kind: RelationKind,
        now: DateTime<Utc>,
    ) -> Result<Relation, Violation> {
        if customer_id == related_customer_id {
            return Err(Invalid::new("must differ from customer_id").at("related_customer_id"));
        }
        Ok(Relation {
            customer_id,
            related_customer_id,
            kind,
            create_time: now,
        })
    }

    /// The same relation seen from the other side, for mutual kinds.
    pub fn reverse(&self) -> Option<Relation> {
        self.kind.is_mutual().then(|| Relation {
            customer_id: self.related_customer_id.clone(),
            related_customer_id: self.customer_id.clone(),
            kind: self.kind,
            create_time: self.create_time,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mutual_kinds_reverse_directed_do_not() {
        let (a, b) = (CustomerId::generate(), CustomerId::generate());
        let family = Relation::new(a.clone(), b.clone(), RelationKind::Family, Utc::now()).unwrap();
        let back = family.reverse().unwrap();
        assert_eq!(
            (back.customer_id, back.related_customer_id),
            (b.clone(), a.clone())
        );
        let referral = Relation::new(a, b, RelationKind::Referral, Utc::now()).unwrap();
        assert_eq!(referral.reverse(), None);
    }

    #[test]
    fn no_self_relations() {
        let a = CustomerId::generate();
        let err = Relation::new(a.clone(), a, RelationKind::Family, Utc::now()).unwrap_err();
        assert_eq!(err.field, "related_customer_id");
    }
}
