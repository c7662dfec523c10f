//! The request_id flow for gathered calls, against real databases: one look-up answers every
//! repeat and refuses every reused key; one claim takes the fresh and the expired keys and
//! leaves the live ones (a key a concurrent transaction holds too, once it commits); a claim
//! given back frees its key; and both flows, one call's and a batch's, read each other's keys.

use std::time::Duration;

use vipcare_storage::idempotency::{
    Idempotency, KeyReused, Outcome, Recalled, RequestKey, claim_many, unclaim_many,
};
use vipcare_storage::sea_orm::{ConnectionTrait, TransactionTrait};
use vipcare_storage::{Backend, Database, StorageError, statement};
use vipcare_testkit::TestEnv;

use super::{DAY, Failure, open, wait_until_blocked};

const METHOD: &str = "vipcare.test.v1.TestService/Answer";

fn key(client: &str, request_id: &str, request: &str) -> RequestKey {
    RequestKey::new(client, METHOD, request_id, request.as_bytes())
        .unwrap()
        .expect("a non-empty request_id makes a key")
}

/// Claims `claims` in a transaction of their own and commits it.
async fn claim(db: &Database, flow: &Idempotency, claims: &[(&RequestKey, &str)]) -> Vec<bool> {
    let claims: Vec<(&RequestKey, Vec<u8>)> = claims
        .iter()
        .map(|(k, answer)| (*k, answer.as_bytes().to_vec()))
        .collect();
    let txn = db.conn().begin().await.unwrap();
    let claimed = claim_many(&txn, flow, &claims).await.unwrap();
    txn.commit().await.unwrap();
    claimed
}

#[tokio::test]
async fn one_look_up_answers_repeats_and_refuses_reused_keys() {
    for env in TestEnv::all().await {
        let db = open(&env).await;
        let flow = Idempotency::new(&db, DAY);
        let (a, b) = (key("hall", "r-1", "alice"), key("hall", "r-2", "bob"));
        assert_eq!(
            claim(&db, &flow, &[(&a, "A"), (&b, "B")]).await,
            [true, true]
        );
        let other_client = key("web", "r-1", "carol");
        let reused = key("hall", "r-2", "not bob");
        let fresh = key("hall", "r-3", "dave");
        let recalled = flow
            .recall_many(&[&a, &other_client, &reused, &fresh])
            .await
            .unwrap();
        assert_eq!(
            recalled,
            [
                Recalled::Answered(b"A".to_vec()),
                Recalled::Unused,
                Recalled::Reused(KeyReused),
                Recalled::Unused,
            ],
            "{}",
            env.label
        );
        assert_eq!(flow.recall_many(&[]).await.unwrap(), [], "{}", env.label);
    }
}

#[tokio::test]
async fn a_claim_takes_fresh_and_expired_keys_and_leaves_live_ones() {
    for env in TestEnv::all().await {
        let db = open(&env).await;
        let flow = Idempotency::new(&db, DAY);
        let (live, old, new) = (
            key("hall", "live", "1"),
            key("hall", "old", "2"),
            key("hall", "new", "3"),
        );
        assert_eq!(
            claim(&db, &flow, &[(&live, "L"), (&old, "O")]).await,
            [true, true]
        );
        // Age one key past the retention period.
        let aged_ms = i64::try_from((DAY + Duration::from_secs(60)).as_millis()).unwrap();
        db.conn()
            .execute_raw(statement(
                db.conn(),
                "UPDATE request_keys SET created_ms = created_ms - $1 WHERE request_id = 'old'",
                [aged_ms.into()],
            ))
            .await
            .unwrap();
        let claimed = claim(&db, &flow, &[(&live, "L2"), (&old, "O2"), (&new, "N")]).await;
        assert_eq!(claimed, [false, true, true], "{}", env.label);
        let recalled = flow.recall_many(&[&live, &old, &new]).await.unwrap();
        assert_eq!(
            recalled,
            [
                Recalled::Answered(b"L".to_vec()),
                Recalled::Answered(b"O2".to_vec()),
                Recalled::Answered(b"N".to_vec()),
            ],
            "the live key keeps its first answer ({})",
            env.label
        );
    }
}

#[tokio::test]
async fn a_claim_given_back_frees_its_key_and_a_rolled_back_one_never_was() {
    for env in TestEnv::all().await {
        let db = open(&env).await;
        let flow = Idempotency::new(&db, DAY);
        let (kept, given, rolled) = (
            key("hall", "kept", "1"),
            key("hall", "given", "2"),
            key("hall", "rolled", "3"),
        );
        let txn = db.conn().begin().await.unwrap();
        let claims = [(&kept, b"K".to_vec()), (&given, b"G".to_vec())];
        assert_eq!(
            claim_many(&txn, &flow, &claims).await.unwrap(),
            [true, true]
        );
        unclaim_many(&txn, &[&given]).await.unwrap();
        txn.commit().await.unwrap();
        let txn = db.conn().begin().await.unwrap();
        claim_many(&txn, &flow, &[(&rolled, b"R".to_vec())])
            .await
            .unwrap();
        txn.rollback().await.unwrap();
        let recalled = flow.recall_many(&[&kept, &given, &rolled]).await.unwrap();
        assert_eq!(
            recalled,
            [
                Recalled::Answered(b"K".to_vec()),
                Recalled::Unused,
                Recalled::Unused
            ],
            "{}",
            env.label
        );
    }
}

#[tokio::test]
async fn a_key_a_concurrent_transaction_holds_is_left_to_it_once_it_commits() {
    for env in TestEnv::all().await {
        let db = open(&env).await;
        if db.backend() == Backend::Sqlite {
            // One writer: the second transaction cannot begin before the first ends, which
            // the claim of a committed key above already covers.
            continue;
        }
        let flow = Idempotency::new(&db, DAY);
        let k = key("hall", "r-1", "alice");
        let first = db.conn().begin().await.unwrap();
        assert_eq!(
            claim_many(&first, &flow, &[(&k, b"first".to_vec())])
                .await
                .unwrap(),
            [true]
        );
        let second = tokio::spawn({
            let (db, flow, k) = (db.clone(), flow.clone(), k.clone());
            async move {
                let txn = db.conn().begin().await?;
                let claimed = claim_many(&txn, &flow, &[(&k, b"second".to_vec())]).await?;
                txn.commit().await?;
                Ok::<_, StorageError>(claimed)
            }
        });
        wait_until_blocked(&env, &db).await;
        first.commit().await.unwrap();
        assert_eq!(second.await.unwrap().unwrap(), [false], "{}", env.label);
        assert_eq!(
            flow.recall_many(&[&k]).await.unwrap(),
            [Recalled::Answered(b"first".to_vec())]
        );
    }
}

#[tokio::test]
async fn one_calls_flow_and_a_batchs_read_each_others_keys() {
    for env in TestEnv::all().await {
        let db = open(&env).await;
        let flow = Idempotency::new(&db, DAY);
        let alone = key("hall", "alone", "1");
        let gathered = key("hall", "gathered", "2");
        let done = flow
            .run::<_, Failure, _>(Some(&alone), async |_| Ok(((), b"one".to_vec())))
            .await
            .unwrap();
        assert_eq!(done, Outcome::Done(()));
        assert_eq!(
            claim(&db, &flow, &[(&alone, "again"), (&gathered, "many")]).await,
            [false, true],
            "{}",
            env.label
        );
        let replayed = flow
            .run::<_, Failure, _>(Some(&gathered), async |_| Ok(((), b"x".to_vec())))
            .await
            .unwrap();
        assert_eq!(
            replayed,
            Outcome::Replayed(b"many".to_vec()),
            "{}",
            env.label
        );
    }
}
