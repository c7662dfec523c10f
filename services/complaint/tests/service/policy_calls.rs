//! Calls of the SLA policy, report and watch scenarios: reading and updating the policy,
//! asking for a report, and reading a watch's messages with a deadline.

use std::time::Duration;

use tonic::{Status, Streaming};
use vipcare_proto::complaint::v1 as pb;

use crate::harness::{Suite, by_agent};

/// Updates `policy` (as read, with its etag) where `paths` say.
pub fn update(policy: pb::SlaPolicy, paths: &[&str]) -> pb::UpdateSlaPolicyRequest {
    pb::UpdateSlaPolicyRequest {
        policy: Some(policy),
        update_mask: Some(prost_types::FieldMask {
            paths: paths.iter().map(|p| (*p).to_owned()).collect(),
        }),
        request_id: String::new(),
    }
}

/// The target of `tier` and `severity` in `policy`.
pub fn target_mut<'a>(
    policy: &'a mut pb::SlaPolicy,
    tier: &str,
    severity: pb::Severity,
) -> &'a mut pb::SlaTarget {
    policy
        .targets
        .iter_mut()
        .find(|t| t.tier == tier && t.severity == severity as i32)
        .unwrap_or_else(|| panic!("the policy lists {tier} {severity:?}"))
}

pub fn hours(n: i64) -> prost_types::Duration {
    prost_types::Duration {
        seconds: n * 3600,
        nanos: 0,
    }
}

/// A time as the contract carries it, from RFC 3339.
pub fn at(rfc3339: &str) -> prost_types::Timestamp {
    let t: chrono::DateTime<chrono::Utc> = rfc3339.parse().unwrap();
    prost_types::Timestamp {
        seconds: t.timestamp(),
        nanos: 0,
    }
}

impl Suite {
    pub async fn policy(&mut self) -> pb::SlaPolicy {
        self.complaints
            .get_sla_policy(by_agent(pb::GetSlaPolicyRequest {}))
            .await
            .unwrap_or_else(|s| panic!("[{}] get policy: {s:?}", self.label))
            .into_inner()
            .policy
            .unwrap()
    }

    pub async fn update_policy(
        &mut self,
        request: pb::UpdateSlaPolicyRequest,
    ) -> Result<pb::SlaPolicy, Status> {
        let answer = self
            .complaints
            .update_sla_policy(by_agent(request))
            .await?
            .into_inner();
        Ok(answer.policy.unwrap())
    }

    pub async fn report(
        &mut self,
        request: pb::GetSlaReportRequest,
    ) -> Result<pb::GetSlaReportResponse, Status> {
        Ok(self
            .complaints
            .get_sla_report(by_agent(request))
            .await?
            .into_inner())
    }

    pub async fn watch(
        &mut self,
        request: pb::WatchComplaintsRequest,
    ) -> Result<Streaming<pb::WatchComplaintsResponse>, Status> {
        Ok(self
            .complaints
            .watch_complaints(by_agent(request))
            .await?
            .into_inner())
    }
}

/// The next message of a watch; panics when none comes within 10 s or the stream ends.
pub async fn next_change(
    label: &str,
    stream: &mut Streaming<pb::WatchComplaintsResponse>,
) -> pb::WatchComplaintsResponse {
    match tokio::time::timeout(Duration::from_secs(10), stream.message()).await {
        Ok(Ok(Some(message))) => message,
        Ok(Ok(None)) => panic!("[{label}] the watch ended"),
        Ok(Err(status)) => panic!("[{label}] the watch failed: {status:?}"),
        Err(_) => panic!("[{label}] no message within 10 s"),
    }
}

/// The kind of a watch message.
pub fn kind(message: &pb::WatchComplaintsResponse) -> pb::ComplaintChangeKind {
    pb::ComplaintChangeKind::try_from(message.change).unwrap()
}
