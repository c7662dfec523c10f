//! GetTouchpointRule, ListTouchpointRules and UpdateTouchpointRule: the rule of each touchpoint
//! with its etag, changed only over the version the caller read. A change applies to reminders
//! scheduled afterwards.

use tonic::{Request, Response};
use vipcare_proto::reminder::v1 as pb;

use super::convert::{required, rule_change_from_proto, rule_to_proto, touchpoint_from_proto};
use super::request::{Begun, Calling, begin, finish};
use super::{ReminderApi, Reply};
use crate::store::rules;

const UPDATE: &str = "vipcare.reminder.v1.ReminderService/UpdateTouchpointRule";

pub async fn get(
    api: &ReminderApi,
    r: Request<pb::GetTouchpointRuleRequest>,
) -> Reply<pb::GetTouchpointRuleResponse> {
    let pb::GetTouchpointRuleRequest { touchpoint } = r.into_inner();
    let touchpoint = required(touchpoint_from_proto(touchpoint)).map_err(|e| e.at("touchpoint"))?;
    let stored = rules::get(api.db.conn(), touchpoint).await?;
    Ok(Response::new(pb::GetTouchpointRuleResponse {
        rule: Some(rule_to_proto(&stored)),
    }))
}

pub async fn list(
    api: &ReminderApi,
    r: Request<pb::ListTouchpointRulesRequest>,
) -> Reply<pb::ListTouchpointRulesResponse> {
    let pb::ListTouchpointRulesRequest {} = r.into_inner();
    let stored = rules::list(api.db.conn()).await?;
    Ok(Response::new(pb::ListTouchpointRulesResponse {
        rules: stored.iter().map(rule_to_proto).collect(),
    }))
}

pub async fn update(
    api: &ReminderApi,
    r: Request<pb::UpdateTouchpointRuleRequest>,
) -> Reply<pb::UpdateTouchpointRuleResponse> {
    let calling = Calling::from(r.metadata());
    let key = calling.key(UPDATE, &r.get_ref().request_id, r.get_ref())?;
    let pb::UpdateTouchpointRuleRequest {
        rule,
        update_mask,
        request_id: _,
    } = r.into_inner();
    let update = rule_change_from_proto(rule, update_mask)?;
    let fresh = match begin(&api.requests, key.as_ref()).await? {
        Begun::Replayed(answer) => return Ok(Response::new(answer)),
        Begun::Fresh(fresh) => fresh,
    };
    let by = calling.client();
    let now = api.clock.now();
    let answer = finish(fresh, async |txn| {
        let stored = rules::update(
            txn,
            update.touchpoint,
            &update.etag,
            update.change.clone(),
            &by,
            now,
        )
        .await
        // A change leaving an invalid rule names fields relative to the rule.
        .map_err(|e| match e {
            crate::store::StoreError::Invalid(found) => {
                crate::error::Error::Invalid(found.into_iter().map(|v| v.under("rule")).collect())
            }
            other => other.into(),
        })?;
        Ok(pb::UpdateTouchpointRuleResponse {
            rule: Some(rule_to_proto(&stored)),
        })
    })
    .await?;
    api.catalogue.forget();
    tracing::info!(touchpoint = update.touchpoint.code(), by = %by, "touchpoint rule updated");
    Ok(Response::new(answer))
}
