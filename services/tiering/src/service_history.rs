//! What churn risk learns of a customer's recent service from the peers that keep it: their
//! complaints opened in the last 90 days (the complaint service's ListComplaints by customer
//! and opening time) and whether the account manager logged a problem in the same days (the
//! profile's ListServiceNotes of kind PROBLEM). Both are asked at once, each for at most half a
//! second: churn risk is shown in the customer view, which waits a second for it, so a slow
//! peer costs its signal ("not considered" in the reasons), never the risk. Calls are signed
//! with the internal credential and carry no caller headers: tiering reads as itself.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use tonic::Code;
use tonic::transport::Endpoint;
use vipcare_proto::complaint::v1 as complaint_pb;
use vipcare_proto::complaint::v1::complaint_service_client::ComplaintServiceClient;
use vipcare_proto::profile::v1 as profile_pb;
use vipcare_proto::profile::v1::profile_service_client::ProfileServiceClient;
use vipcare_runtime::{InternalChannel, InternalCredential};

use crate::domain::{ComplaintFact, SERVICE_WINDOW_DAYS, ServiceSignals};
use crate::grpc::convert::timestamp;

/// Bound on each peer's part, all pages included.
const SIGNAL_TIMEOUT: Duration = Duration::from_millis(500);
/// Complaints per page: the complaint service's most.
const PAGE_SIZE: i32 = 500;
/// Pages read at most: past 1,500 complaints in 90 days the signal is full long before.
const MAX_PAGES: usize = 3;

/// Reads a customer's recent service. Cheap to clone.
#[derive(Debug, Clone)]
pub struct ServiceHistory {
    complaints: ComplaintServiceClient<InternalChannel>,
    profile: ProfileServiceClient<InternalChannel>,
}

impl ServiceHistory {
    /// Lazy channels to the complaint service at `complaint_url` and the profile at
    /// `profile_url`: tiering starts while they are still starting.
    pub fn connect_lazy(
        complaint_url: &str,
        profile_url: &str,
        credential: &InternalCredential,
    ) -> Result<ServiceHistory, tonic::transport::Error> {
        let channel = |url: &str| {
            Ok::<_, tonic::transport::Error>(
                credential.channel(
                    Endpoint::from_shared(url.to_owned())?
                        .tcp_nodelay(true)
                        .connect_timeout(SIGNAL_TIMEOUT)
                        .connect_lazy(),
                ),
            )
        };
        Ok(ServiceHistory {
            complaints: ComplaintServiceClient::new(channel(complaint_url)?),
            profile: ProfileServiceClient::new(channel(profile_url)?),
        })
    }

    /// The customer's service in the [`SERVICE_WINDOW_DAYS`] days before `now`.
    pub async fn signals(&self, customer_id: &str, now: DateTime<Utc>) -> ServiceSignals {
        let since = now - TimeDelta::days(SERVICE_WINDOW_DAYS);
        let (complaints, open_problem) = tokio::join!(
            tokio::time::timeout(SIGNAL_TIMEOUT, self.complaints_since(customer_id, since)),
            tokio::time::timeout(SIGNAL_TIMEOUT, self.problem_since(customer_id, since)),
        );
        ServiceSignals {
            complaints: learnt("complaint", complaints),
            open_problem: learnt("profile", open_problem),
        }
    }

    async fn complaints_since(
        &self,
        customer_id: &str,
        since: DateTime<Utc>,
    ) -> Result<Vec<ComplaintFact>, tonic::Status> {
        let mut facts = Vec::new();
        let mut page_token = String::new();
        for _ in 0..MAX_PAGES {
            let request = complaint_pb::ListComplaintsRequest {
                customer_id: customer_id.to_owned(),
                start_time: Some(timestamp(since)),
                page_size: PAGE_SIZE,
                page_token,
                ..complaint_pb::ListComplaintsRequest::default()
            };
            let page = self
                .complaints
                .clone()
                .list_complaints(request)
                .await?
                .into_inner();
            facts.extend(page.complaints.iter().map(fact));
            if page.next_page_token.is_empty() {
                break;
            }
            page_token = page.next_page_token;
        }
        Ok(facts)
    }

    /// Whether the work log's latest PROBLEM note is of the window. The log has no "solved"
    /// mark: a problem is taken as open while it is recent, as the complaints are.
    async fn problem_since(
        &self,
        customer_id: &str,
        since: DateTime<Utc>,
    ) -> Result<bool, tonic::Status> {
        let request = profile_pb::ListServiceNotesRequest {
            customer_id: customer_id.to_owned(),
            kind: profile_pb::NoteKind::Problem as i32,
            page_size: 1,
            page_token: String::new(),
        };
        match self.profile.clone().list_service_notes(request).await {
            // Newest first.
            Ok(page) => Ok(page.into_inner().notes.first().is_some_and(|note| {
                note.create_time
                    .as_ref()
                    .is_some_and(|t| t.seconds >= since.timestamp())
            })),
            // A customer the profile does not know has no work log.
            Err(status) if status.code() == Code::NotFound => Ok(false),
            Err(status) => Err(status),
        }
    }
}

/// A listed complaint as churn risk weighs it.
fn fact(complaint: &complaint_pb::Complaint) -> ComplaintFact {
    use complaint_pb::ComplaintState;
    ComplaintFact {
        open: !matches!(
            complaint.state(),
            ComplaintState::Resolved | ComplaintState::Closed
        ),
        repeated: complaint.reopen_count > 0 || !complaint.related_complaint_ids.is_empty(),
    }
}

/// The signal, or `None` (logged) when `peer` failed or was too slow.
fn learnt<T>(
    peer: &str,
    answer: Result<Result<T, tonic::Status>, tokio::time::error::Elapsed>,
) -> Option<T> {
    match answer {
        Ok(Ok(value)) => Some(value),
        Ok(Err(status)) => {
            tracing::warn!(peer, code = ?status.code(), "churn risk without this peer's signal");
            None
        }
        Err(_) => {
            tracing::warn!(
                peer,
                "churn risk without this peer's signal: no answer in time"
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_and_repeated_complaints_are_told_apart() {
        use complaint_pb::ComplaintState;
        let listed = |state: ComplaintState, reopen_count, related: &[&str]| {
            fact(&complaint_pb::Complaint {
                state: state as i32,
                reopen_count,
                related_complaint_ids: related.iter().map(|s| (*s).to_owned()).collect(),
                ..complaint_pb::Complaint::default()
            })
        };
        let of = |open, repeated| ComplaintFact { open, repeated };
        assert_eq!(listed(ComplaintState::Open, 0, &[]), of(true, false));
        assert_eq!(
            listed(ComplaintState::WaitingCustomer, 0, &[]),
            of(true, false)
        );
        assert_eq!(listed(ComplaintState::Reopened, 1, &[]), of(true, true));
        assert_eq!(
            listed(ComplaintState::Resolved, 0, &["C1"]),
            of(false, true)
        );
        assert_eq!(listed(ComplaintState::Closed, 0, &[]), of(false, false));
    }
}
