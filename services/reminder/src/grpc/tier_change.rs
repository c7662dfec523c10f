//! NotifyTierChange: tiering's outbox relay delivers each tier change here, and the customer is
//! told the new tier and what it brings, in plain words, as a TIER_CHANGE reminder. The outbox
//! row's key comes as `x-vipcare-request-id`, so a redelivery answers the first reminder; the
//! change itself also keys the reminder (its dedupe key), so even a redelivery after the
//! request key expired creates nothing twice.

use chrono::{DateTime, Utc};
use tonic::{Request, Response};
use vipcare_domain::{Invalid, tier_code};
use vipcare_proto::reminder::v1 as pb;
use vipcare_proto::tiering::v1 as tiering;

use super::convert::{optional_time, reminder_to_proto};
use super::request::{Begun, Calling, begin, finish, relayed_request_id};
use super::{ReminderApi, Reply};
use crate::domain::{ScheduleValues, Touchpoint};
use crate::error::Error;
use crate::scheduling;

const NOTIFY: &str = "vipcare.reminder.v1.ReminderService/NotifyTierChange";
/// Who tier-change reminders are recorded as scheduled by.
const CLIENT: &str = "tiering";
/// Longest benefit list quoted; the rest is for the customer's account manager to tell.
const MAX_BENEFITS_CHARS: usize = 200;

pub async fn notify(
    api: &ReminderApi,
    r: Request<pb::NotifyTierChangeRequest>,
) -> Reply<pb::NotifyTierChangeResponse> {
    let calling = Calling::from(r.metadata());
    let request_id = relayed_request_id(r.metadata());
    let key = calling.key(NOTIFY, &request_id, r.get_ref())?;
    let notice = Notice::from_proto(r.into_inner())?;
    let fresh = match begin(&api.requests, key.as_ref()).await? {
        Begun::Replayed(answer) => return Ok(Response::new(answer)),
        Begun::Fresh(fresh) => fresh,
    };
    let benefits = api.benefits.of_tier(&notice.new_tier).await?;
    let values = notice.values(&benefits);
    let now = api.clock.now();
    let conn = api.db.conn();
    let prepared = scheduling::prepare(
        conn,
        &api.catalogue,
        api.directory.as_ref(),
        Touchpoint::TierChange,
        values,
        CLIENT,
        now,
    )
    .await?;
    let answer = finish(fresh, async |txn| {
        let (reminder, _, _) = scheduling::store(txn, &prepared).await?;
        Ok(pb::NotifyTierChangeResponse {
            reminder: Some(reminder_to_proto(&reminder)),
        })
    })
    .await?;
    api.dispatcher.stored_for(prepared.reminder.planned_send_at);
    // The new notice shows in the customer's view (a redelivery bumps for nothing, harmlessly).
    let customer = notice.customer_id.as_str();
    api.stale
        .settle_tags(conn, crate::stale::customer_tags([customer]))
        .await;
    tracing::info!(
        customer_id = %notice.customer_id,
        new_tier = %notice.new_tier,
        "tier change notice scheduled"
    );
    Ok(Response::new(answer))
}

/// A tier change as the customer is told it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Notice {
    customer_id: String,
    old_name: String,
    new_tier: String,
    new_name: String,
    decision: tiering::Decision,
    change_time: DateTime<Utc>,
}

impl Notice {
    fn from_proto(request: pb::NotifyTierChangeRequest) -> Result<Notice, Error> {
        let pb::NotifyTierChangeRequest {
            change,
            old_display_name,
            new_display_name,
        } = request;
        let change = change.ok_or_else(|| Invalid::new("required").at("change"))?;
        let tiering::TierChange {
            customer_id,
            old_tier,
            new_tier,
            decision,
            // Tiering's own words (scores, margins, an operator's note): not for the customer.
            reason: _,
            period: _,
            actor: _,
            client: _,
            change_time,
        } = change;
        let mut found = Vec::new();
        if customer_id.is_empty() {
            found.push(Invalid::new("required").at("change.customer_id"));
        }
        if let Err(e) = tier_code(&new_tier) {
            found.push(e.at("change.new_tier"));
        }
        let change_time = match optional_time(change_time.as_ref(), "change.change_time") {
            Ok(Some(t)) => Some(t),
            Ok(None) => {
                found.push(Invalid::new("required").at("change.change_time"));
                None
            }
            Err(v) => {
                found.push(v);
                None
            }
        };
        let decision = tiering::Decision::try_from(decision).unwrap_or_default();
        match change_time {
            Some(change_time) if found.is_empty() => Ok(Notice {
                customer_id,
                old_name: name_or_code(old_display_name, old_tier),
                new_name: name_or_code(new_display_name, new_tier.clone()),
                new_tier,
                decision,
                change_time,
            }),
            _ => Err(Error::Invalid(found)),
        }
    }

    /// The reminder's values: the seeded template's OLD_TIER, NEW_TIER and TIER_BENEFITS, and
    /// REASON for operators whose own template says why.
    fn values(&self, benefits: &[String]) -> ScheduleValues {
        let mut variables = std::collections::BTreeMap::new();
        variables.insert("OLD_TIER".to_owned(), self.old_name.clone());
        variables.insert("NEW_TIER".to_owned(), self.new_name.clone());
        variables.insert("TIER_BENEFITS".to_owned(), benefit_words(benefits));
        variables.insert(
            "REASON".to_owned(),
            reason_in_words(self.decision).to_owned(),
        );
        ScheduleValues {
            customer_id: self.customer_id.clone(),
            variables,
            // One reminder per change, whatever the delivery.
            dedupe_key: format!(
                "tier_change:{}:{}",
                self.change_time.timestamp_millis(),
                self.new_tier
            ),
            ..ScheduleValues::default()
        }
    }
}

/// A tier code as tiering writes them: 1-32 of A-Z, 0-9 and _.
fn name_or_code(name: String, code: String) -> String {
    if name.trim().is_empty() { code } else { name }
}

/// The benefits joined as a Chinese list, cut at a whole name; a tier without any still
/// has the operator's standard service.
fn benefit_words(benefits: &[String]) -> String {
    let mut words = String::new();
    for name in benefits {
        let next = if words.is_empty() {
            name.clone()
        } else {
            format!("{words}、{name}")
        };
        if next.chars().count() > MAX_BENEFITS_CHARS {
            words.push('等');
            break;
        }
        words = next;
    }
    if words.is_empty() {
        "中国移动标准客户服务".to_owned()
    } else {
        words
    }
}

/// Why the tier changed, as the customer reads it: never scores or internal rules.
fn reason_in_words(decision: tiering::Decision) -> &'static str {
    match decision {
        tiering::Decision::Upgrade => "您近期的消费和在网情况达到了新级别的标准",
        tiering::Decision::Downgrade => "您近期的消费和在网情况连续几次评估低于原级别的标准",
        tiering::Decision::Overridden => "中国移动客户服务人员为您调整了级别",
        tiering::Decision::HoldGrace
        | tiering::Decision::HoldAtRisk
        | tiering::Decision::Unchanged
        | tiering::Decision::Unspecified => "根据最新的客户级别评估",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grpc::convert::timestamp;

    fn request(new_tier: &str) -> pb::NotifyTierChangeRequest {
        pb::NotifyTierChangeRequest {
            change: Some(tiering::TierChange {
                customer_id: "c-1".into(),
                old_tier: "SILVER".into(),
                new_tier: new_tier.into(),
                decision: tiering::Decision::Upgrade as i32,
                reason: "score 58.82 reaches GOLD (from 55): up from SILVER".into(),
                period: "2026-06".into(),
                actor: "evaluation".into(),
                client: String::new(),
                change_time: Some(timestamp("2026-06-15T04:00:00Z".parse().unwrap())),
            }),
            old_display_name: "银卡".into(),
            new_display_name: String::new(),
        }
    }

    #[test]
    fn the_customer_reads_names_benefits_and_plain_reasons() {
        let notice = Notice::from_proto(request("GOLD")).unwrap();
        let values = notice.values(&["机场贵宾厅".into(), "优先热线".into()]);
        let v = &values.variables;
        assert_eq!(v["OLD_TIER"], "银卡");
        assert_eq!(v["NEW_TIER"], "GOLD", "no display name: the code");
        assert_eq!(v["TIER_BENEFITS"], "机场贵宾厅、优先热线");
        assert!(!v["REASON"].contains("score"), "{}", v["REASON"]);
        assert_eq!(values.dedupe_key, "tier_change:1781496000000:GOLD");
        assert_eq!(values.customer_id, "c-1");
    }

    #[test]
    fn long_benefit_lists_are_cut_at_a_name() {
        let names: Vec<String> = (0..100).map(|i| format!("权益{i:02}")).collect();
        let words = benefit_words(&names);
        assert!(words.chars().count() <= MAX_BENEFITS_CHARS + 1);
        assert!(words.ends_with('等'), "{words}");
        assert_eq!(benefit_words(&[]), "中国移动标准客户服务");
    }

    #[test]
    fn a_change_without_its_facts_is_refused_by_field() {
        let fields = |r: pb::NotifyTierChangeRequest| match Notice::from_proto(r) {
            Err(Error::Invalid(found)) => found.into_iter().map(|v| v.field).collect::<Vec<_>>(),
            other => panic!("expected a refusal, got {other:?}"),
        };
        assert_eq!(fields(request("gold")), ["change.new_tier"]);
        let mut r = request("GOLD");
        if let Some(c) = r.change.as_mut() {
            c.customer_id.clear();
            c.change_time = None;
        }
        assert_eq!(fields(r), ["change.customer_id", "change.change_time"]);
        let mut r = request("GOLD");
        r.change = None;
        assert_eq!(fields(r), ["change"]);
    }
}
