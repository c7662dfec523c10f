//! Household value: a customer's household ARPU adds the 3-month ARPU of the FAMILY members
//! who are ACTIVE; suspended, closed and erased members add nothing.

use vipcare_proto::profile::v1 as pb;

use crate::consumption::import;
use crate::harness::*;
use crate::summaries::{months, summary};

#[tokio::test]
async fn only_active_family_members_count_in_the_household() {
    for mut svc in services().await {
        let label = svc.label;
        let mut people = Vec::new();
        for (i, status) in [
            pb::CustomerStatus::Active,
            pb::CustomerStatus::Active,
            pb::CustomerStatus::Suspended,
            pb::CustomerStatus::Closed,
            pb::CustomerStatus::Active,
        ]
        .into_iter()
        .enumerate()
        {
            let mut c = customer(&format!("1380000{i:04}"), "王小明");
            c.status = status as i32;
            people.push(create(&mut svc, c).await.customer_id);
        }
        let (head, members) = (&people[0], &people[1..]);
        let mut rows = months(
            head,
            &[("2024-12", 9_000), ("2024-11", 9_000), ("2024-10", 9_000)],
        );
        for member in members {
            rows.extend(months(
                member,
                &[("2024-12", 3_000), ("2024-11", 3_000), ("2024-10", 3_000)],
            ));
        }
        assert_eq!(import(&mut svc, rows).await.accepted, 15, "[{label}]");
        for member in members {
            let request = pb::AddRelationRequest {
                customer_id: head.clone(),
                related_customer_id: member.clone(),
                kind: pb::RelationKind::Family as i32,
            };
            svc.client.add_relation(request).await.unwrap();
        }
        let erase = pb::EraseCustomerRequest {
            customer_id: members[3].clone(),
            ..Default::default()
        };
        svc.client
            .erase_customer(as_caller(&clerk(), erase))
            .await
            .unwrap();

        let s = summary(&mut svc, head, "").await.unwrap();
        assert_eq!(
            (s.household_arpu_fen, s.family_members),
            (12_000, 1),
            "[{label}] own 9,000 + the active member's 3,000; suspended, closed and erased add nothing"
        );
        // The members' own summaries keep their numbers.
        let suspended = summary(&mut svc, &members[1], "").await.unwrap();
        assert_eq!(
            (suspended.arpu_3m_fen, suspended.household_arpu_fen),
            (3_000, 12_000),
            "[{label}] the head is active"
        );
    }
}
