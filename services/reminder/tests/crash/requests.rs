//! What the clerks ask of the service while its workers are being killed: cancels of waiting
//! reminders. A cancel that meets a dead process is sent again, with the same request_id, to
//! whichever process serves next.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;
use tonic::{Code, Request};
use vipcare_proto::reminder::v1 as pb;
use vipcare_proto::reminder::v1::cancel_reminder_request::Reminder as Which;
use vipcare_runtime::{Caller, InternalCredential};

use crate::world::{bounded, client_of};

/// A clerk in a service hall with the scopes reminders are scheduled and cancelled under.
fn clerk() -> Caller {
    Caller::new("hall-7", "hall", &["reminder:read", "reminder:write"])
}

fn by_clerk<T>(message: T) -> Request<T> {
    let mut request = bounded(message);
    clerk().write_to(request.metadata_mut());
    request
}

/// Cancels `ids` one after the other while the test kills and restarts the binary. Each cancel
/// is tried until a process answers it; the task returns the refusals (expected: none).
pub fn cancel_all(
    credential: InternalCredential,
    mut addr: watch::Receiver<Option<SocketAddr>>,
    ids: Vec<String>,
) -> JoinHandle<Vec<(String, Code)>> {
    tokio::spawn(async move {
        let mut refused = Vec::new();
        for (n, id) in ids.into_iter().enumerate() {
            let request = pb::CancelReminderRequest {
                reminder: Some(Which::ReminderId(id.clone())),
                customer_id: String::new(),
                reason: "the customer topped up".into(),
                request_id: format!("crash-cancel-{n}"),
            };
            loop {
                let mut client = client_of(&credential, &mut addr).await;
                match client.cancel_reminder(by_clerk(request.clone())).await {
                    Ok(_) => break,
                    Err(s) if lost_in_a_crash(s.code()) => {
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                    Err(s) => {
                        refused.push((id.clone(), s.code()));
                        break;
                    }
                }
            }
        }
        refused
    })
}

/// What a call to a process that was killed under it (or is not serving yet) ends with.
pub fn lost_in_a_crash(code: Code) -> bool {
    matches!(
        code,
        Code::Unavailable | Code::Unknown | Code::Cancelled | Code::DeadlineExceeded
    )
}
