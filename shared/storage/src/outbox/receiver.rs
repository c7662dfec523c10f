//! A service that outbox rows are delivered to, as the sending service sees it: which call
//! each event a row names becomes, over which connection, and one log line when the receiver
//! goes away and one when it is back (not one per retry of every waiting row). Rows name the
//! event they carry, not the call, so rows written today stay deliverable whatever the
//! receiver's contract settles on; the mapping lives here, in the sender's code.
//!
//! A sender that must learn what the receiver answered (the survey records the complaint a
//! follow-up opened, or why it was refused) gives the receiver an [`OnAnswer`] hook; others
//! never see the answer.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use futures::future::BoxFuture;
use tonic::client::GrpcService;
use tonic::codegen::{Body, Bytes, StdError};

use super::grpc::{Answered, deliver_unary};
use super::{Deliver, DeliveryError, OutboxMessage};

/// Bound on one delivery, so a receiver that hangs holds the relay this long at most.
const CALL_TIMEOUT: Duration = Duration::from_secs(10);

/// One event a row may carry and the method path it is delivered as.
pub type Route = (&'static str, &'static str);
/// An event and the status codes that mean its effect already holds.
pub type Settled = (&'static str, &'static [tonic::Code]);

/// What the sender does with the receiver's answer to a row it ended (accepted, or settled by
/// one of the row's settled codes), before the row is marked delivered. An error leaves the row
/// undelivered: `Retry` sends it again later (the receiver's idempotency answers the same), so a
/// hook that could not record the answer gets it again.
pub trait OnAnswer: Send + Sync + 'static {
    fn answered<'a>(
        &'a self,
        msg: &'a OutboxMessage,
        answer: &'a Answered,
    ) -> BoxFuture<'a, Result<(), DeliveryError>>;
}

/// Delivers the rows for `destination` as unary calls over `transport`.
pub struct Receiver<T> {
    destination: &'static str,
    routes: &'static [Route],
    settled: &'static [Settled],
    on_answer: Option<Arc<dyn OnAnswer>>,
    transport: T,
    /// Whether the last delivery got through, so an outage is logged when it starts and
    /// when it ends.
    reachable: AtomicBool,
}

impl<T> Receiver<T> {
    /// `routes` maps each event name (a row's `method`) to the receiver's method path.
    pub fn new(destination: &'static str, routes: &'static [Route], transport: T) -> Receiver<T> {
        Receiver {
            destination,
            routes,
            settled: &[],
            on_answer: None,
            transport,
            reachable: AtomicBool::new(true),
        }
    }

    /// Hands every answer that ends a row to `hook` (see [`OnAnswer`]).
    pub fn on_answer(mut self, hook: Arc<dyn OnAnswer>) -> Receiver<T> {
        self.on_answer = Some(hook);
        self
    }

    /// Answers that settle a row of an event: a withdrawal told NOT_FOUND (never there) or
    /// FAILED_PRECONDITION (sent already) has nothing left to do, and is neither retried nor
    /// parked.
    pub fn with_settled(mut self, settled: &'static [Settled]) -> Receiver<T> {
        self.settled = settled;
        self
    }

    fn settled_by(&self, msg: &OutboxMessage) -> &'static [tonic::Code] {
        self.settled
            .iter()
            .find(|(event, _)| *event == msg.method)
            .map_or(&[], |(_, codes)| codes)
    }

    /// The method path of a row, or why this version cannot deliver it.
    fn path(&self, msg: &OutboxMessage) -> Result<&'static str, DeliveryError> {
        let route = self
            .routes
            .iter()
            .find(|(event, _)| msg.destination == self.destination && *event == msg.method);
        match route {
            Some((_, path)) => Ok(path),
            // Written by a newer version during a rollout: left for a replica that knows it.
            None => Err(DeliveryError::Retry(format!(
                "no call for {} to {} in this version",
                msg.method, msg.destination
            ))),
        }
    }

    fn note(&self, result: &Result<(), DeliveryError>) {
        // A refused message is the relay's to log (it parks the row); the receiver answered.
        let reachable = !matches!(result, Err(DeliveryError::Retry(_)));
        if self.reachable.swap(reachable, Ordering::Relaxed) == reachable {
            return;
        }
        let destination = self.destination;
        match result {
            Err(DeliveryError::Retry(reason)) => tracing::warn!(
                %reason,
                destination,
                "the receiver cannot take outbox rows; they wait in the outbox"
            ),
            Ok(()) | Err(DeliveryError::Permanent(_)) => {
                tracing::info!(destination, "the receiver takes outbox rows again")
            }
        }
    }
}

impl<T> Deliver for Receiver<T>
where
    T: GrpcService<tonic::body::Body> + Clone + Send + Sync + 'static,
    T::Future: Send,
    T::Error: Into<StdError>,
    T::ResponseBody: Body<Data = Bytes> + Send + 'static,
    <T::ResponseBody as Body>::Error: Into<StdError> + Send,
{
    fn deliver<'a>(&'a self, msg: &'a OutboxMessage) -> BoxFuture<'a, Result<(), DeliveryError>> {
        Box::pin(async move {
            let result = match self.path(msg) {
                Ok(path) => {
                    let settled = self.settled_by(msg);
                    deliver_unary(self.transport.clone(), path, msg, CALL_TIMEOUT, settled).await
                }
                Err(unknown) => Err(unknown),
            };
            let delivered = result.as_ref().map(|_| ()).map_err(Clone::clone);
            self.note(&delivered);
            after(self.on_answer.as_deref(), msg, result).await
        })
    }
}

impl<T> std::fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Receiver")
            .field("destination", &self.destination)
            .field("on_answer", &self.on_answer.is_some())
            .finish()
    }
}

/// The row's fate once the receiver answered: the hook's, when there is one.
async fn after(
    hook: Option<&dyn OnAnswer>,
    msg: &OutboxMessage,
    result: Result<Answered, DeliveryError>,
) -> Result<(), DeliveryError> {
    let answer = result?;
    match hook {
        Some(hook) => hook.answered(msg, &answer).await,
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    /// Records what it was handed; fails the first `failures` calls.
    #[derive(Default)]
    struct Recorder {
        seen: Mutex<Vec<(i64, Option<Vec<u8>>)>>,
        failures: Mutex<u32>,
    }

    impl OnAnswer for Recorder {
        fn answered<'a>(
            &'a self,
            msg: &'a OutboxMessage,
            answer: &'a Answered,
        ) -> BoxFuture<'a, Result<(), DeliveryError>> {
            Box::pin(async move {
                let body = match answer {
                    Answered::Accepted(bytes) => Some(bytes.clone()),
                    Answered::Settled(_) => None,
                };
                self.seen.lock().unwrap().push((msg.id, body));
                let mut failures = self.failures.lock().unwrap();
                if *failures > 0 {
                    *failures -= 1;
                    return Err(DeliveryError::Retry("store down".into()));
                }
                Ok(())
            })
        }
    }

    #[tokio::test]
    async fn the_hook_sees_every_answer_that_ends_a_row_and_can_keep_it_undelivered() {
        let hook = Recorder {
            failures: Mutex::new(1),
            ..Recorder::default()
        };
        let msg = row("y", "vipcare.x.v1.Event");
        let accepted = || Ok(Answered::Accepted(vec![10, 2]));
        // Its failure keeps the row for another delivery; then it records and the row is done.
        assert!(matches!(
            after(Some(&hook), &msg, accepted()).await,
            Err(DeliveryError::Retry(_))
        ));
        assert_eq!(after(Some(&hook), &msg, accepted()).await, Ok(()));
        let settled = Ok(Answered::Settled(tonic::Status::not_found("gone")));
        assert_eq!(after(Some(&hook), &msg, settled).await, Ok(()));
        // A refusal or an outage never reaches it.
        let refused = Err(DeliveryError::Permanent("bad".into()));
        assert!(after(Some(&hook), &msg, refused).await.is_err());
        assert_eq!(
            *hook.seen.lock().unwrap(),
            [(1, Some(vec![10, 2])), (1, Some(vec![10, 2])), (1, None)]
        );
        // Without a hook the answer ends the row as before.
        assert_eq!(after(None, &msg, accepted()).await, Ok(()));
    }

    const ROUTES: &[Route] = &[("vipcare.x.v1.Event", "/vipcare.y.v1.YService/Take")];

    fn row(destination: &str, method: &str) -> OutboxMessage {
        OutboxMessage {
            id: 1,
            destination: destination.into(),
            method: method.into(),
            payload: Vec::new(),
            attempts: 0,
            trace: None,
        }
    }

    #[test]
    fn events_become_their_calls_and_unknown_ones_wait() {
        let receiver = Receiver::new("y", ROUTES, ());
        assert_eq!(
            receiver.path(&row("y", "vipcare.x.v1.Event")),
            Ok("/vipcare.y.v1.YService/Take")
        );
        assert!(matches!(
            receiver.path(&row("y", "vipcare.x.v1.Other")),
            Err(DeliveryError::Retry(_))
        ));
        assert!(matches!(
            receiver.path(&row("z", "vipcare.x.v1.Event")),
            Err(DeliveryError::Retry(_))
        ));
    }
}
