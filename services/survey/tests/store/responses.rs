//! Responses: read back with the score they were given, listed newest first in pages that
//! neither repeat nor skip, each customer's latest satisfaction kept from the newest response,
//! and detractors listed with their follow-up as it moves.

use vipcare_survey::store::listing::{self, DetractorFilter, ResponseFilter};
use vipcare_survey::store::{FollowUpState, StoreError, responses, satisfaction};

use crate::harness::{Answer, answered, minutes, now, stores};

#[tokio::test]
async fn a_response_reads_back_with_its_score_and_follow_up() {
    for store in stores().await {
        let (label, db) = (store.label, &store.db);
        let happy = answered(db, "r-1", Answer::new("c-1")).await;
        let mut partial = Answer::new("c-2").unhappy();
        partial.scores.retain(|(code, _)| *code != "LEAVING_HALL");
        partial.nps = None;
        partial.hall = None;
        let partial = answered(db, "r-2", partial).await;
        let unhappy = answered(db, "r-3", Answer::new("c-3").unhappy()).await;
        for stored in [&happy, &partial, &unhappy] {
            let read = responses::get(db.conn(), &stored.response_id)
                .await
                .unwrap();
            assert_eq!(&read, stored, "{label}");
        }
        assert!(
            partial.score.peak_end.is_err(),
            "{label}: no end, no peak-end"
        );
        assert_eq!(unhappy.follow_up.state, FollowUpState::Pending, "{label}");
        assert!(matches!(
            responses::get(db.conn(), "r-9").await,
            Err(StoreError::NotFound { .. })
        ));
    }
}

#[tokio::test]
async fn pages_neither_repeat_nor_skip_while_responses_arrive() {
    for store in stores().await {
        let (label, db) = (store.label, &store.db);
        // Pairs share a millisecond: the id breaks the tie.
        for n in 0..20 {
            let mut answer = Answer::new(&format!("c-{}", n % 3)).at(now() + minutes(n / 2));
            answer.hall = Some(format!("hall-{}", n % 2));
            answered(db, &format!("r-{n:02}"), answer).await;
        }
        let filter = ResponseFilter::default();
        let mut seen = Vec::new();
        let mut token = String::new();
        loop {
            let page = listing::list(db.conn(), &filter, &token, 6).await.unwrap();
            seen.extend(page.responses.iter().map(|r| r.response_id.clone()));
            if seen.len() == 6 {
                // A newer response lands mid-listing: it is not in the pages that follow.
                answered(db, "r-new", Answer::new("c-9").at(now() + minutes(60))).await;
            }
            if page.next_page_token.is_empty() {
                break;
            }
            token = page.next_page_token;
        }
        let mut expected: Vec<String> = (0..20).map(|n| format!("r-{n:02}")).collect();
        expected.reverse();
        assert_eq!(seen, expected, "{label}: newest first, each once");

        let hall = ResponseFilter {
            hall_id: Some("hall-1".into()),
            customer_id: Some("c-1".into()),
            ..ResponseFilter::default()
        };
        let page = listing::list(db.conn(), &hall, "", 50).await.unwrap();
        let ids: Vec<&str> = page
            .responses
            .iter()
            .map(|r| r.response_id.as_str())
            .collect();
        assert_eq!(ids, ["r-19", "r-13", "r-07", "r-01"], "{label}");
        let first = listing::list(db.conn(), &filter, "", 2).await.unwrap();
        let mixed = listing::list(db.conn(), &hall, &first.next_page_token, 2).await;
        assert!(
            matches!(mixed, Err(StoreError::Invalid(_))),
            "{label}: a token of other filters"
        );
    }
}

#[tokio::test]
async fn satisfaction_keeps_the_newest_figures() {
    for store in stores().await {
        let (label, db) = (store.label, &store.db);
        assert!(matches!(
            satisfaction::get(db.conn(), "c-1").await,
            Err(StoreError::NotFound { .. })
        ));
        let newest = answered(db, "r-2", Answer::new("c-1").at(now() + minutes(10))).await;
        // Submitted late, given earlier: it changes nothing.
        answered(db, "r-1", Answer::new("c-1").unhappy()).await;
        let mut no_end = Answer::new("c-1").at(now() + minutes(20));
        no_end.scores.retain(|(code, _)| *code != "LEAVING_HALL");
        no_end.nps = Some(7);
        answered(db, "r-3", no_end).await;
        let s = satisfaction::get(db.conn(), "c-1").await.unwrap();
        let peak_end = newest.score.peak_end.as_ref().unwrap().value;
        assert_eq!(
            s.peak_end,
            Some((peak_end, now() + minutes(10))),
            "{label}: the latest response with an end"
        );
        assert_eq!(s.nps, Some((7, now() + minutes(20))), "{label}");
        assert_eq!(
            (s.response_id.as_str(), s.submit_time),
            ("r-3", now() + minutes(20)),
            "{label}"
        );
        answered(db, "r-4", Answer::new("c-2").unhappy()).await;
        let many = satisfaction::get_many(db.conn(), &["c-2", "c-1", "c-never"])
            .await
            .unwrap();
        let who: Vec<&str> = many.iter().map(|s| s.customer_id.as_str()).collect();
        assert_eq!(who, ["c-1", "c-2"], "{label}: the never-answered left out");
        assert_eq!(many[1].nps.map(|(n, _)| n), Some(3), "{label}");
        let too_many: Vec<String> = (0..1001).map(|n| format!("c-{n}")).collect();
        let too_many: Vec<&str> = too_many.iter().map(String::as_str).collect();
        assert!(matches!(
            satisfaction::get_many(db.conn(), &too_many).await,
            Err(StoreError::Invalid(_))
        ));
    }
}

#[tokio::test]
async fn detractors_are_listed_with_their_follow_up_state() {
    for store in stores().await {
        let (label, db) = (store.label, &store.db);
        for n in 0..6 {
            let answer = Answer::new(&format!("c-{n}")).at(now() + minutes(n));
            let answer = if n % 2 == 0 { answer.unhappy() } else { answer };
            answered(db, &format!("r-{n}"), answer).await;
        }
        let all = DetractorFilter::default();
        let listed = listing::detractors(db.conn(), &all, "", 50).await.unwrap();
        let ids: Vec<&str> = listed
            .responses
            .iter()
            .map(|r| r.response_id.as_str())
            .collect();
        assert_eq!(ids, ["r-4", "r-2", "r-0"], "{label}");
        let worst = listed.responses[0].follow_up.detraction.as_ref().unwrap();
        assert_eq!(worst.worst_moment, "BUSINESS_HANDLING", "{label}");
        assert_eq!(
            listed.responses[0].follow_up.owner.as_deref(),
            Some("staff-1")
        );

        let opened = FollowUpState::Opened {
            complaint_id: "cmp-9".into(),
        };
        let refused = FollowUpState::Refused {
            reason: "customer erased".into(),
        };
        assert!(
            responses::set_follow_up(db.conn(), "r-4", &opened)
                .await
                .unwrap()
        );
        assert!(
            !responses::set_follow_up(db.conn(), "r-4", &refused)
                .await
                .unwrap()
        );
        assert!(
            !responses::set_follow_up(db.conn(), "r-1", &opened)
                .await
                .unwrap()
        );
        assert!(
            responses::set_follow_up(db.conn(), "r-0", &refused)
                .await
                .unwrap()
        );
        let by_state = |state| DetractorFilter {
            state: Some(state),
            ..DetractorFilter::default()
        };
        let mut states = Vec::new();
        for state in [FollowUpState::Pending, opened.clone(), refused.clone()] {
            let page = listing::detractors(db.conn(), &by_state(state.kind()), "", 50)
                .await
                .unwrap();
            for r in page.responses {
                states.push((r.response_id, r.follow_up.state));
            }
        }
        states.sort_by(|a, b| a.0.cmp(&b.0));
        let expected = vec![
            ("r-0".to_owned(), refused),
            ("r-2".to_owned(), FollowUpState::Pending),
            ("r-4".to_owned(), opened),
        ];
        assert_eq!(states, expected, "{label}");
        let paged = listing::detractors(db.conn(), &all, "", 2).await.unwrap();
        let rest = listing::detractors(db.conn(), &all, &paged.next_page_token, 2)
            .await
            .unwrap();
        assert_eq!(rest.responses.len(), 1, "{label}");
        assert_eq!(rest.responses[0].response_id, "r-0", "{label}");
    }
}
