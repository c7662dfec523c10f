//! When an important reminder of a PLATINUM or DIAMOND customer reached no channel, their
//! account manager gets a STAFF_TASK to tell the customer in person. The task is written in the
//! transaction that marks the reminder FAILED, and keyed by it (dedupe key
//! `escalation:<reminder id>`), so it exists exactly once whatever crashes or repeats.

use chrono::{DateTime, Utc};
use chrono_tz::Asia::Shanghai;
use sea_orm::{ConnectionTrait, TransactionTrait};

use crate::domain::rule::default_rule;
use crate::domain::template::{FALLBACK_LOCALE, default_template};
use crate::domain::{
    ContactChannel, Reminder, ReminderDraft, Rendered, ScheduleValues, Template, Touchpoint,
    new_reminder_id, seed_templates,
};
use crate::store::StoreError;
use crate::store::reminders::{self, Scheduled};
use crate::store::rules;
use crate::store::templates::{self, TemplateFilter};
use crate::upstream::Contact;

/// How much of the failed reminder's text the task quotes.
const EXCERPT_CHARS: usize = 120;

/// Creates the account manager's task for `failed`; the id of the task, or `None` when the
/// customer has no account manager or no task text can be made (both logged).
pub(super) async fn staff_task<C: ConnectionTrait + TransactionTrait>(
    conn: &C,
    failed: &Reminder,
    contact: &Contact,
    now: DateTime<Utc>,
) -> Result<Option<String>, StoreError> {
    let Some(manager) = contact.account_manager_id.clone() else {
        tracing::warn!(
            reminder_id = %failed.id,
            customer_id = %failed.customer_id,
            "an important reminder failed everywhere, but the customer has no account manager"
        );
        return Ok(None);
    };
    let rule = match rules::get(conn, Touchpoint::StaffTask).await {
        Ok(stored) => stored.rule,
        Err(StoreError::NotFound { .. }) => default_rule(Touchpoint::StaffTask),
        Err(e) => return Err(e),
    };
    let deadline = now + rule.default_deadline;
    let filter = TemplateFilter {
        touchpoint: Some(Touchpoint::StaffTask),
        channel: Some(ContactChannel::AccountManager),
        locale: None,
    };
    let (stored, _) = templates::list(conn, &filter, "", 50).await?;
    let stored: Vec<Template> = stored.into_iter().map(|s| s.template).collect();
    let seeds = seed_templates();
    // The operators' template; the seeded one if theirs asks for what a task cannot fill.
    let candidates = [&stored, &seeds].into_iter().filter_map(|set| {
        default_template(
            set,
            Touchpoint::StaffTask,
            ContactChannel::AccountManager,
            FALLBACK_LOCALE,
        )
    });
    for template in candidates {
        for task in [task_text(failed, true), task_text(failed, false)] {
            let values = ScheduleValues {
                customer_id: failed.customer_id.clone(),
                template_code: template.code().to_owned(),
                variables: [
                    ("CUSTOMER_NAME", display_name(contact)),
                    ("CUSTOMER_ID", failed.customer_id.clone()),
                    ("TASK", task),
                    (
                        "DUE_TIME",
                        deadline
                            .with_timezone(&Shanghai)
                            .format("%m月%d日%H:%M")
                            .to_string(),
                    ),
                ]
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect(),
                send_at: Some(now),
                deadline: Some(deadline),
                priority: 0,
                dedupe_key: format!("escalation:{}", failed.id),
                staff_assignee: manager.clone(),
                source_event_id: String::new(),
            };
            let Ok(draft) = ReminderDraft::new(values, &rule, now) else {
                continue;
            };
            let Ok(text) = template.render(&draft.variables) else {
                continue;
            };
            let rendered = Rendered {
                template_code: template.code().to_owned(),
                text,
            };
            let (mut task, _) =
                Reminder::schedule(new_reminder_id(), draft, rendered, "dispatch", now);
            // The account manager's task is the next hop of the failed reminder's trace.
            task.trace = failed.trace.clone();
            let id = match reminders::insert(conn, &task, rule.supersedes).await? {
                Scheduled::Created(reminder) | Scheduled::Deduplicated(reminder) => reminder.id,
            };
            return Ok(Some(id));
        }
    }
    tracing::error!(
        reminder_id = %failed.id,
        "no staff-task template could be filled; the account manager was not told"
    );
    Ok(None)
}

fn display_name(contact: &Contact) -> String {
    if contact.name.trim().is_empty() {
        contact.customer_id.clone()
    } else {
        contact.name.clone()
    }
}

/// What the account manager is asked to do, in plain words; with an excerpt of the text the
/// customer did not get, when `quote` (and a text quoting odd characters is retried without).
fn task_text(failed: &Reminder, quote: bool) -> String {
    let tried = match failed.attempts {
        0 => "未能发送".to_owned(),
        n => format!("经{n}次发送均未送达"),
    };
    let what = touchpoint_words(failed.touchpoint);
    if !quote {
        return format!("「{what}」提醒{tried},请尽快联系客户当面告知");
    }
    let excerpt: String = failed
        .text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(EXCERPT_CHARS)
        .collect();
    format!("「{what}」提醒{tried},请尽快联系客户当面告知。内容:{excerpt}")
}

fn touchpoint_words(t: Touchpoint) -> &'static str {
    match t {
        Touchpoint::AccountOpening => "开户",
        Touchpoint::PlanChange => "套餐变更",
        Touchpoint::VasSubscription => "增值业务订购",
        Touchpoint::TopupRebate => "充值返还",
        Touchpoint::PromotionExpiry => "优惠到期",
        Touchpoint::SensitiveQuery => "敏感信息查询",
        Touchpoint::InternationalRoaming => "国际漫游",
        Touchpoint::DataUsageAlert => "流量提醒",
        Touchpoint::LowBalance => "余额不足",
        Touchpoint::ArrearsSuspension => "欠费停机",
        Touchpoint::TierChange => "客户等级变更",
        Touchpoint::SurveyInvitation => "满意度调查",
        Touchpoint::ComplaintProgress => "投诉进展",
        Touchpoint::Care => "客户关怀",
        Touchpoint::StaffTask => "待办",
    }
}
