//! SubmitResponse calls gathered into batches ([`Batcher`]), the way a database gathers
//! commits: a lone call is handled at once, alone; under load a batch is every call that arrived
//! while the previous one was written. A batch goes through the same steps a call went through
//! alone, each step once for all of its calls:
//!
//! 1. the request_ids looked up (one statement): a repeat gets its first answer, a reused key
//!    its refusal, before anything else is read or checked;
//! 2. what the rest need read ([`prepare`](super::prepare)): the policy, the scenarios, the
//!    invitations of tokens, and who the customers are (one BatchGetCustomers and one
//!    BatchGetCustomerTiers); each call checked and scored on its own, its refusal its own;
//! 3. written ([`write`](super::write)) in one transaction per round — calls that would meet in
//!    one statement (one request_id or one invitation twice) go in successive rounds — with a
//!    batch that fails written again call by call, so one call's fault fails no other;
//! 4. after the commits, the stale customer views bumped and the follow-ups' relay woken once,
//!    and the calls whose request_id a concurrent call held answered from its record.
//!
//! Every call is answered only after all of that, as it would be alone: nothing is answered
//! before it is committed and its view settled.

use std::sync::Arc;

use prost::Message;
use tokio::sync::Notify;
use vipcare_domain::Clock;
use vipcare_proto::survey::v1 as pb;
use vipcare_runtime::batching::{self, Batcher};
use vipcare_storage::Database;
use vipcare_storage::idempotency::{Idempotency, Recalled, RequestKey};
use vipcare_storage::invalidation::StaleViews;

use super::prepare::{self, Prepared};
use super::write::{self, Written};
use crate::baselines::BaselineCache;
use crate::domain::SurveyPolicy;
use crate::error::Error;
use crate::grpc::convert::response::Submission;
use crate::settings::SurveySettings;
use crate::store;
use crate::upstream::Directory;

/// Calls handled in one batch at most, and batches handled at once. One at a time: measured
/// with `vipcare-bench surveys` on PostgreSQL, 1 in flight answered 986/s at 32 requests in
/// flight against 859/s with 2 and 635/s with 4 (and 1,605/s at 128 against 1,541/s with 2):
/// a second batch takes the stragglers that arrive while the first is written, one by one, each
/// paying a whole batch's round trips, and waits on the first's satisfaction rows.
const PER_BATCH: usize = 250;
const IN_FLIGHT: usize = 1;

type Answer = pb::SubmitResponseResponse;

/// One call: its key, whether its caller may answer for a customer it names, its request.
#[derive(Debug)]
pub struct Call {
    pub key: Option<RequestKey>,
    pub may_write: bool,
    pub submission: Submission,
}

/// What a batch is handled with: the service's parts, shared with its other handlers.
#[derive(Clone)]
pub struct Parts {
    pub db: Database,
    pub requests: Idempotency,
    /// Bumps the customer views each commit made stale.
    pub stale: StaleViews,
    pub clock: Arc<dyn Clock>,
    pub directory: Arc<dyn Directory>,
    /// Poked after a commit that wrote a follow-up.
    pub follow_ups: Arc<Notify>,
    pub settings: Arc<SurveySettings>,
    pub starting: Arc<SurveyPolicy>,
    pub baselines: Arc<BaselineCache>,
}

/// The batches of SubmitResponse calls being handled. Cheap to share behind an `Arc`.
pub struct Submissions {
    batcher: Batcher<Call, Result<Answer, Error>>,
}

impl std::fmt::Debug for Submissions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Submissions").finish_non_exhaustive()
    }
}

impl Submissions {
    pub fn new(parts: Parts) -> Submissions {
        let parts = Arc::new(parts);
        let batcher = Batcher::new(PER_BATCH, IN_FLIGHT, move |calls| {
            let parts = parts.clone();
            async move { handle(&parts, calls).await }
        });
        Submissions { batcher }
    }

    /// `call`'s answer, once the batch it joined is committed and settled.
    pub async fn submit(&self, call: Call) -> Result<Answer, Error> {
        self.batcher
            .call(call)
            .await
            .unwrap_or_else(|gone| Err(Error::Internal(gone.to_string())))
    }
}

/// Each call's answer, in their order.
async fn handle(parts: &Parts, calls: Vec<Call>) -> Vec<Result<Answer, Error>> {
    let mut answers: Vec<Option<Result<Answer, Error>>> = vec![None; calls.len()];
    let every: Vec<usize> = (0..calls.len()).collect();
    let now = store::stored_time(parts.clock.now());
    // Side by side: what a repeat was answered, and what a first call needs (a repeat's reads
    // are wasted, but repeats are rare and waiting for the look-up first cost every call).
    let (recalled, read) = tokio::join!(
        recall(parts, &calls, &every),
        prepare::read(parts, &calls, &every, now)
    );
    match recalled {
        Ok(recalled) => {
            for (i, answer) in recalled {
                answers[i] = Some(answer);
            }
        }
        Err(err) => return vec![Err(err); calls.len()],
    }
    let todo: Vec<usize> = every
        .into_iter()
        .filter(|&i| answers[i].is_none())
        .collect();
    let mut ready = Vec::with_capacity(todo.len());
    for (i, prepared) in prepare::all(parts, &calls, &todo, read, now).await {
        match prepared {
            Ok(prepared) => ready.push((i, prepared)),
            Err(err) => answers[i] = Some(Err(err)),
        }
    }
    let mut held = Vec::new();
    let mut follow_ups = false;
    let mut stale = Vec::new();
    // Calls that would meet in one statement go in successive rounds, in call order.
    for round in batching::rounds(&ready, |(_, p)| meeting_points(p)) {
        let items: Vec<&Prepared> = round.iter().map(|&r| &ready[r].1).collect();
        let (written, recorded) = write::all(parts, &items, now).await;
        stale.extend(recorded);
        for (&r, written) in round.iter().zip(written) {
            let i = ready[r].0;
            match written {
                Written::Done => {
                    follow_ups |= ready[r].1.stored.follow_up.detraction.is_some();
                    answers[i] = Some(Ok(ready[r].1.answer.clone()));
                }
                Written::Held => held.push(i),
                Written::Refused(err) => answers[i] = Some(Err(err)),
            }
        }
    }
    for recorded in stale {
        parts.stale.settle(parts.db.conn(), Some(recorded)).await;
    }
    if follow_ups {
        parts.follow_ups.notify_one();
    }
    // A concurrent call with the same request_id committed first: its answer is this one's.
    match recall(parts, &calls, &held).await {
        Ok(recalled) => {
            for (i, answer) in recalled {
                answers[i] = Some(answer);
            }
        }
        Err(err) => held
            .iter()
            .for_each(|&i| answers[i] = Some(Err(err.clone()))),
    }
    answers
        .into_iter()
        .map(|a| {
            a.unwrap_or_else(|| Err(Error::Internal("a submission was left unanswered".into())))
        })
        .collect()
}

/// The answers the keys of `which` calls hold: a stored answer, or a reused key's refusal; a
/// call whose key is unused is left out (`held` calls' keys never are: they were taken).
async fn recall(
    parts: &Parts,
    calls: &[Call],
    which: &[usize],
) -> Result<Vec<(usize, Result<Answer, Error>)>, Error> {
    let keys: Vec<&RequestKey> = which
        .iter()
        .filter_map(|&i| calls[i].key.as_ref())
        .collect();
    let recalled = parts.requests.recall_many(&keys).await?;
    Ok(which
        .iter()
        .zip(recalled)
        .filter_map(|(&i, recalled)| match recalled {
            Recalled::Unused => None,
            Recalled::Answered(bytes) => Some((i, decode(&bytes))),
            Recalled::Reused(reused) => Some((i, Err(reused.into()))),
        })
        .collect())
}

/// A stored answer that no longer decodes is corrupt data, never the caller's fault.
fn decode(bytes: &[u8]) -> Result<Answer, Error> {
    Answer::decode(bytes)
        .map_err(|e| Error::Internal(format!("stored answer does not decode: {e}")))
}

/// What two calls of one statement must not share.
fn meeting_points(prepared: &Prepared) -> Vec<String> {
    let mut points = Vec::new();
    if let Some(key) = &prepared.key {
        points.push(format!("key\n{}", key.scoped()));
    }
    if let Some(invitation) = &prepared.stored.invitation_id {
        points.push(format!("invitation\n{invitation}"));
    }
    points
}
