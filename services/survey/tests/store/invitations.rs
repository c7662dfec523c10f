//! Invitations: found by the hash of their token (never by the token, which is not kept),
//! the customer's last invitation for the fatigue rule, and answered once: of two
//! submissions of one token, one marks it.

use vipcare_survey::domain::{SurveyChannel, SurveyContext, invitation::EXPIRY};
use vipcare_survey::store::StoreError;
use vipcare_survey::store::invitations::{self, StoredInvitation};

use crate::harness::{minutes, now, stores};

fn invitation(id: &str, customer: &str, minutes_in: i64) -> StoredInvitation {
    let at = now() + minutes(minutes_in);
    StoredInvitation {
        invitation_id: id.to_owned(),
        customer_id: customer.to_owned(),
        scenario_code: "HALL_VISIT".to_owned(),
        scenario_version: 1,
        context: SurveyContext {
            complaint_id: Some("cmp-1".into()),
            hall_id: Some("hall-1".into()),
            ..SurveyContext::default()
        },
        channel: SurveyChannel::Sms,
        create_time: at,
        expire_time: at + EXPIRY,
        answered: None,
    }
}

#[tokio::test]
async fn an_invitation_is_found_by_its_token_hash_and_answered_once() {
    for store in stores().await {
        let (label, db) = (store.label, &store.db);
        let token = invitations::new_token();
        let sent = invitation("inv-1", "c-1", 0);
        invitations::insert(db.conn(), &sent, &invitations::token_hash(&token))
            .await
            .unwrap();
        let found = invitations::by_token_hash(db.conn(), &invitations::token_hash(&token))
            .await
            .unwrap();
        assert_eq!(found, sent, "{label}");
        let by_token = invitations::by_token_hash(db.conn(), &token).await;
        assert!(
            matches!(by_token, Err(StoreError::NotFound { .. })),
            "{label}: the token itself is not what is kept"
        );

        let at = now() + minutes(30);
        let first = invitations::mark_answered(db.conn(), "inv-1", "r-1", at).await;
        let second = invitations::mark_answered(db.conn(), "inv-1", "r-2", at).await;
        assert_eq!((first.unwrap(), second.unwrap()), (true, false), "{label}");
        let found = invitations::by_token_hash(db.conn(), &invitations::token_hash(&token))
            .await
            .unwrap();
        assert_eq!(found.answered, Some((at, "r-1".to_owned())), "{label}");
    }
}

#[tokio::test]
async fn the_last_invitation_of_a_customer_is_the_latest_sent() {
    for store in stores().await {
        let (label, db) = (store.label, &store.db);
        assert_eq!(
            invitations::last_invited(db.conn(), "c-1").await.unwrap(),
            None,
            "{label}"
        );
        for (id, customer, at) in [("i-1", "c-1", 0), ("i-2", "c-1", 90), ("i-3", "c-2", 200)] {
            let token = invitations::new_token();
            let hash = invitations::token_hash(&token);
            invitations::insert(db.conn(), &invitation(id, customer, at), &hash)
                .await
                .unwrap();
        }
        assert_eq!(
            invitations::last_invited(db.conn(), "c-1").await.unwrap(),
            Some(now() + minutes(90)),
            "{label}"
        );
    }
}
