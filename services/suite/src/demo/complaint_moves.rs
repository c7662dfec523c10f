//! The moves a demo complaint is walked through, each answering the complaint's new version.

use chrono::{Duration, Utc};
use vipcare_proto::complaint::v1 as pb;

use super::ComplaintClient;
use crate::demo::load::LoadError;
use crate::demo::reminders::at;

/// One complaint's moves, made by its first-contact owner.
pub(super) struct Moves<'a> {
    pub id: &'a str,
    pub actor: &'a str,
}

fn version_of(complaint: Option<pb::Complaint>) -> i64 {
    complaint.map(|c| c.version).unwrap_or_default()
}

fn timestamp(t: chrono::DateTime<Utc>) -> prost_types::Timestamp {
    prost_types::Timestamp {
        seconds: t.timestamp(),
        nanos: 0,
    }
}

impl Moves<'_> {
    pub async fn acknowledge(&self, c: &mut ComplaintClient, v: i64) -> Result<i64, LoadError> {
        let request = pb::AcknowledgeComplaintRequest {
            complaint_id: self.id.to_owned(),
            actor: self.actor.to_owned(),
            expected_version: v,
            ..Default::default()
        };
        let answer = c.acknowledge_complaint(request).await;
        Ok(version_of(
            answer
                .map_err(at("AcknowledgeComplaint"))?
                .into_inner()
                .complaint,
        ))
    }

    pub async fn start(&self, c: &mut ComplaintClient, v: i64) -> Result<i64, LoadError> {
        let request = pb::StartWorkRequest {
            complaint_id: self.id.to_owned(),
            actor: self.actor.to_owned(),
            expected_version: v,
            ..Default::default()
        };
        let answer = c.start_work(request).await;
        Ok(version_of(
            answer.map_err(at("StartWork"))?.into_inner().complaint,
        ))
    }

    pub async fn promise(&self, c: &mut ComplaintClient, v: i64) -> Result<(), LoadError> {
        let request = pb::PromiseToCustomerRequest {
            complaint_id: self.id.to_owned(),
            actor: self.actor.to_owned(),
            text: "明天中午前给您回电话说明处理结果".into(),
            due_at: Some(timestamp(Utc::now() + Duration::hours(22))),
            expected_version: v,
            ..Default::default()
        };
        c.promise_to_customer(request)
            .await
            .map_err(at("PromiseToCustomer"))?;
        Ok(())
    }

    pub async fn wait(&self, c: &mut ComplaintClient, v: i64) -> Result<(), LoadError> {
        let request = pb::WaitForCustomerRequest {
            complaint_id: self.id.to_owned(),
            actor: self.actor.to_owned(),
            reason: "请客户提供近三个月的账单截图".into(),
            expected_version: v,
            ..Default::default()
        };
        c.wait_for_customer(request)
            .await
            .map_err(at("WaitForCustomer"))?;
        Ok(())
    }

    pub async fn transfer(&self, c: &mut ComplaintClient, v: i64) -> Result<(), LoadError> {
        let request = pb::TransferComplaintRequest {
            complaint_id: self.id.to_owned(),
            actor: self.actor.to_owned(),
            to_handler: "NET-3001".into(),
            reason: "需要网络维护组上门检测".into(),
            expected_version: v,
            ..Default::default()
        };
        c.transfer_complaint(request)
            .await
            .map_err(at("TransferComplaint"))?;
        Ok(())
    }

    /// Resolved; every other one with compensation, alternately within the counter's limit
    /// and over it (waiting for a supervisor).
    pub async fn resolve(
        &self,
        c: &mut ComplaintClient,
        v: i64,
        n: usize,
    ) -> Result<i64, LoadError> {
        let request = pb::ResolveComplaintRequest {
            complaint_id: self.id.to_owned(),
            actor: self.actor.to_owned(),
            resolution: "已核实并处理,多扣费用已退还至话费账户".into(),
            root_cause_gap: [
                pb::RootCauseGap::Delivery,
                pb::RootCauseGap::Communication,
                pb::RootCauseGap::Knowledge,
                pb::RootCauseGap::Standard,
            ][n % 4] as i32,
            expected_version: v,
            ..Default::default()
        };
        let answer = c.resolve_complaint(request).await;
        let version = version_of(
            answer
                .map_err(at("ResolveComplaint"))?
                .into_inner()
                .complaint,
        );
        if n % 2 == 1 {
            let request = pb::ProposeCompensationRequest {
                complaint_id: self.id.to_owned(),
                kind: pb::CompensationKind::BillCredit as i32,
                amount_fen: if n % 4 == 1 { 1_000 } else { 50_000 },
                reason: "给客户带来不便的补偿".into(),
                proposed_by: self.actor.to_owned(),
                ..Default::default()
            };
            c.propose_compensation(request)
                .await
                .map_err(at("ProposeCompensation"))?;
        }
        // A ledger entry is not a move: the version stays the resolution's.
        Ok(version)
    }

    pub async fn confirm(&self, c: &mut ComplaintClient, v: i64) -> Result<(), LoadError> {
        let request = pb::ConfirmResolutionRequest {
            complaint_id: self.id.to_owned(),
            actor: self.actor.to_owned(),
            expected_version: v,
            ..Default::default()
        };
        c.confirm_resolution(request)
            .await
            .map_err(at("ConfirmResolution"))?;
        Ok(())
    }

    pub async fn reopen(&self, c: &mut ComplaintClient, v: i64) -> Result<(), LoadError> {
        let request = pb::ReopenComplaintRequest {
            complaint_id: self.id.to_owned(),
            actor: self.actor.to_owned(),
            reason: "客户反映问题再次出现".into(),
            expected_version: v,
            ..Default::default()
        };
        c.reopen_complaint(request)
            .await
            .map_err(at("ReopenComplaint"))?;
        Ok(())
    }
}
