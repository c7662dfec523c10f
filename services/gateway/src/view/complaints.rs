//! The views' read of the complaint service: the complaints a customer is still waiting on
//! (neither RESOLVED nor CLOSED), for the customer view's "complaints" section and for the
//! hotline priority, which rises while one is open. The customer's complaints are listed most
//! recently opened first (ListComplaints by customer, which the service keeps an index for) and
//! the open ones counted here: one filter per open state would cost five calls for what is
//! nearly always one short page. Within the section budget: a hanging complaint service costs
//! the agent a second, not the call.
//!
//! The view carries where the latest complaint stands and its clock, not the customer's own
//! words (summary, description, what was awaited from them): they may carry personal data, and
//! masked views are cached and shared by every caller without `pii:read`. The complaint service
//! writes the customer's tag on every change of a complaint, so a cached view never shows one
//! that was closed, or misses one just opened.

use vipcare_proto::complaint::v1::complaint_service_client::ComplaintServiceClient;
use vipcare_proto::complaint::v1::{
    Complaint, ComplaintState, ListComplaintsRequest, ListComplaintsResponse, SlaClock,
    SlaGoalStatus, SlaPause,
};
use vipcare_proto::gateway::v1::{OpenComplaint, OpenComplaints};
use vipcare_runtime::InternalChannel;

use super::call::{CallContext, Masking, Upstream, within_budget};
use super::lookup::CustomerId;
use crate::error::GatewayError;

/// Complaints per page: the service's most.
const PAGE_SIZE: i32 = 500;
/// Pages read at most. A customer's open complaints are among their latest; past 2,000
/// complaints the oldest are not looked at (and not counted), rather than the view waiting on
/// a history that long.
const MAX_PAGES: usize = 4;

#[derive(Debug, Clone)]
pub struct ComplaintReader {
    upstream: Upstream<ComplaintServiceClient<InternalChannel>>,
}

impl ComplaintReader {
    pub fn new(channel: InternalChannel, max_message_bytes: usize) -> ComplaintReader {
        let client =
            ComplaintServiceClient::new(channel).max_decoding_message_size(max_message_bytes);
        ComplaintReader {
            upstream: Upstream::new("complaint", client),
        }
    }

    /// The customer's open complaints: how many, how many overdue, the latest.
    pub async fn open_complaints(
        &self,
        ctx: &CallContext,
        id: &CustomerId,
        masking: Masking,
    ) -> Result<OpenComplaints, GatewayError> {
        within_budget("complaint", self.list_open(ctx, id, masking)).await
    }

    async fn list_open(
        &self,
        ctx: &CallContext,
        id: &CustomerId,
        masking: Masking,
    ) -> Result<OpenComplaints, GatewayError> {
        let mut open = Vec::new();
        let mut page_token = String::new();
        for _ in 0..MAX_PAGES {
            let request = ListComplaintsRequest {
                customer_id: id.as_str().to_owned(),
                page_size: PAGE_SIZE,
                page_token,
                ..ListComplaintsRequest::default()
            };
            let ListComplaintsResponse {
                complaints,
                next_page_token,
            } = self
                .upstream
                .call(ctx, request, masking, |mut client, request| async move {
                    client.list_complaints(request).await
                })
                .await?;
            open.extend(complaints.into_iter().filter(is_open));
            if next_page_token.is_empty() {
                break;
            }
            page_token = next_page_token;
        }
        Ok(summarise(open))
    }
}

/// Neither RESOLVED nor CLOSED: the customer still waits on an answer.
fn is_open(complaint: &Complaint) -> bool {
    !matches!(
        complaint.state(),
        ComplaintState::Resolved | ComplaintState::Closed
    )
}

/// `open`, most recently opened first, as the view shows them.
fn summarise(open: Vec<Complaint>) -> OpenComplaints {
    let count = i32::try_from(open.len()).unwrap_or(i32::MAX);
    let overdue = open.iter().filter(|c| is_overdue(c)).count();
    OpenComplaints {
        count,
        overdue: i32::try_from(overdue).unwrap_or(i32::MAX),
        latest: open.into_iter().next().map(shown),
    }
}

/// A time to respond or to resolve run out unmet, as the service read the clock for the list:
/// what its `overdue` filter finds.
fn is_overdue(complaint: &Complaint) -> bool {
    let unmet_and_past = |goal: &Option<SlaGoalStatus>| {
        goal.as_ref()
            .is_some_and(|g| g.done_at.is_none() && g.breached)
    };
    complaint
        .sla
        .as_ref()
        .is_some_and(|sla| unmet_and_past(&sla.response) || unmet_and_past(&sla.resolution))
}

/// An open complaint without the customer's words (see the top of this file).
fn shown(complaint: Complaint) -> OpenComplaint {
    let Complaint {
        complaint_id,
        customer_id: _,
        channel,
        category,
        severity,
        // In the customer's words: GetComplaint shows them to those allowed.
        summary: _,
        description: _,
        first_contact_owner,
        handler,
        state,
        // Which tier's targets it is held to is in its clock's target.
        tier_at_opening: _,
        sla,
        // Not set while open; the rest is GetComplaint's (a list carries none of it anyway).
        resolution: _,
        promises: _,
        follow_ups: _,
        escalations: _,
        compensations: _,
        reopen_count,
        related_complaint_ids: _,
        version: _,
        create_time,
        update_time: _,
    } = complaint;
    OpenComplaint {
        complaint_id,
        state,
        category,
        severity,
        channel,
        first_contact_owner,
        handler,
        sla: sla.map(without_reasons),
        reopen_count,
        create_time,
    }
}

/// The clock with its pauses but not what was awaited from the customer.
fn without_reasons(mut sla: SlaClock) -> SlaClock {
    for SlaPause { reason, .. } in &mut sla.pauses {
        reason.clear();
    }
    sla
}

#[cfg(test)]
mod tests;
