//! Submissions arriving together, as a hall's pads and the survey page send them under load
//! (the service handles them in batches): each gets its own score and is stored once; a repeat
//! in the burst gets its first call's score; a request_id reused with another request, an
//! unknown customer, a bad answer and a second submission of one token are refused, each
//! alone, and hold back none of the others.

use std::collections::HashSet;

use futures::future::join_all;
use tonic::Code;
use vipcare_proto::survey::v1 as pb;
use vipcare_testkit::status::violated_fields;

use crate::harness::{
    as_caller, at_hall, by_staff, by_token, code, invitation, scores, staff, suites, survey_link,
};

/// The i-th answer of the burst: its own ARRIVAL score, so each score shows whose it is.
fn answer(customer: &str, i: usize) -> pb::SubmitResponseRequest {
    let arrival = 1 + (i % 5) as i32;
    let mut request = at_hall(
        customer,
        "ON_SITE_VISIT",
        "H01",
        "E1001",
        scores(&[("APPOINTMENT", 5), ("ARRIVAL", arrival)]),
    );
    request.request_id = format!("burst-{i}");
    request
}

#[tokio::test]
async fn a_burst_is_answered_call_by_call_and_stored_once_each() {
    for mut suite in suites().await {
        let label = suite.label;
        let customers = [
            suite.customer("GOLD", "").await,
            suite.customer("", "").await,
            suite.customer("DIAMOND", "").await,
        ];
        let token = suite
            .invite(invitation(&customers[1]))
            .await
            .invitation_token;
        const DISTINCT: usize = 12;
        let mut burst = Vec::new();
        for i in 0..DISTINCT {
            burst.push((staff(), answer(&customers[i % 3], i)));
        }
        // Repeats of the first four, a reuse of request_id burst-5 with another answer, an
        // unknown customer, an unknown moment, and the one token twice.
        for i in 0..4 {
            burst.push((staff(), answer(&customers[i % 3], i)));
        }
        let mut reused = answer(&customers[2], 5);
        reused.moment_scores = scores(&[("APPOINTMENT", 1)]);
        burst.push((staff(), reused));
        let unknown = answer("0190d6a4-0000-7000-8000-000000000000", 100);
        burst.push((staff(), unknown));
        let mut bad = answer(&customers[0], 101);
        bad.moment_scores = scores(&[("NO_SUCH_MOMENT", 3)]);
        burst.push((staff(), bad));
        for score in [5, 4] {
            let request = by_token(&token, scores(&[("ARRIVAL", score)]));
            burst.push((survey_link(), request));
        }
        let sent = burst.iter().map(|(caller, request)| {
            let mut client = suite.surveys.clone();
            let request = as_caller(caller, request.clone());
            async move { client.submit_response(request).await }
        });
        let answers: Vec<Result<pb::JourneyScore, tonic::Status>> = join_all(sent)
            .await
            .into_iter()
            .map(|a| a.map(|r| r.into_inner().score.unwrap()))
            .collect();

        // Each distinct answer its own score, for its own customer, with its own ARRIVAL; the
        // reused request_id refused for whichever of its two calls came second.
        let reuse_pair = [&answers[5], &answers[DISTINCT + 4]];
        assert_eq!(
            reuse_pair.iter().filter(|a| a.is_ok()).count(),
            1,
            "[{label}] one of the two calls with request_id burst-5 acts"
        );
        let refused = reuse_pair.iter().find_map(|a| a.as_ref().err()).unwrap();
        assert_eq!(violated_fields(refused), ["request_id"], "[{label}]");
        let mut ids = HashSet::new();
        for (i, answer) in answers[..DISTINCT].iter().enumerate() {
            if i == 5 && answer.is_err() {
                continue;
            }
            let score = answer
                .as_ref()
                .unwrap_or_else(|s| panic!("[{label}] answer {i}: {s:?}"));
            assert_eq!(score.customer_id, customers[i % 3], "[{label}] answer {i}");
            let arrival = score
                .gaps
                .iter()
                .find(|g| g.moment_code == "ARRIVAL")
                .map(|g| g.score);
            assert_eq!(arrival, Some(1 + (i % 5) as i32), "[{label}] answer {i}");
            assert!(ids.insert(score.response_id.clone()), "[{label}] {i}");
        }
        for i in 0..4 {
            assert_eq!(
                answers[DISTINCT + i].as_ref().unwrap(),
                answers[i].as_ref().unwrap(),
                "[{label}] a repeat gets its first call's score"
            );
        }
        assert_eq!(
            code(answers[DISTINCT + 5].clone()),
            Code::NotFound,
            "[{label}]"
        );
        assert_eq!(
            violated_fields(answers[DISTINCT + 6].as_ref().unwrap_err()),
            ["moment_scores[0].moment_code"],
            "[{label}]"
        );
        let by_token = &answers[DISTINCT + 7..];
        assert_eq!(
            by_token.iter().filter(|a| a.is_ok()).count(),
            1,
            "[{label}] one of the token's two submissions wins"
        );
        let lost = by_token.iter().find_map(|a| a.as_ref().err()).unwrap();
        assert_eq!(lost.code(), Code::FailedPrecondition, "[{label}] {lost:?}");

        // Stored once each: four answers per customer, and the token's for the second.
        for (c, customer) in customers.iter().enumerate() {
            let listed = suite
                .surveys
                .list_responses(by_staff(pb::ListResponsesRequest {
                    customer_id: customer.clone(),
                    page_size: 100,
                    ..Default::default()
                }))
                .await
                .unwrap()
                .into_inner()
                .responses;
            let expected = 4 + usize::from(c == 1);
            assert_eq!(listed.len(), expected, "[{label}] customer {c}");
        }
    }
}
