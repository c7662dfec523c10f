//! Everything a new reminder needs before it is stored, shared by ScheduleReminder and
//! NotifyTierChange: the touchpoint's rule fills the defaults and checks the values, the
//! customer must be known to the profile, the template is the one named or the touchpoint's
//! default for the customer's channels, and the text is rendered now, so a missing variable is
//! refused while the caller is there rather than found at send time. Nothing is written here:
//! the caller stores the result in its request_id transaction, or gathered with other calls'
//! ([`Gathered`]) when it has no request_id.

mod gathered;

pub use gathered::Gathered;

use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;
use vipcare_domain::Invalid;
use vipcare_storage::invalidation::Recorded;

use crate::catalogue::Catalogue;
use crate::domain::template::{FALLBACK_LOCALE, default_template};
use crate::domain::{
    ContactChannel, Reminder, ReminderDraft, Rendered, ScheduleValues, Template, Touchpoint,
    TouchpointRule, new_reminder_id,
};
use crate::error::Error;
use crate::stale;
use crate::store::reminders;
use crate::store::templates::{self, TemplateFilter};
use crate::upstream::{Contact, CustomerDirectory};

/// Most templates one touchpoint has, as far as choosing its default goes.
const TEMPLATES_PER_TOUCHPOINT: u64 = 500;

/// A checked, rendered reminder, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prepared {
    pub reminder: Reminder,
    /// The rule's: a newer reminder of the touchpoint replaces the customer's pending ones.
    pub supersedes: bool,
}

/// Checks `values` for `touchpoint` and renders the reminder; every refusal names its field.
pub async fn prepare<C: ConnectionTrait>(
    conn: &C,
    catalogue: &Catalogue,
    directory: &dyn CustomerDirectory,
    touchpoint: Touchpoint,
    values: ScheduleValues,
    client: &str,
    now: DateTime<Utc>,
) -> Result<Prepared, Error> {
    let rule = catalogue.rule(touchpoint).await?;
    let draft = ReminderDraft::new(values, &rule, now)?;
    let contact = directory
        .customer(&draft.customer_id)
        .await?
        .ok_or_else(|| Error::not_found("customer", draft.customer_id.clone()))?;
    let template = template_for(conn, catalogue, &draft, &rule, &contact).await?;
    let text = template.render(&draft.variables)?;
    let rendered = Rendered {
        template_code: template.code().to_owned(),
        text,
    };
    let (mut reminder, _) = Reminder::schedule(new_reminder_id(), draft, rendered, client, now);
    // Its dispatch, however much later, continues the trace of the call that scheduled it.
    reminder.trace = vipcare_trace::current();
    Ok(Prepared {
        reminder,
        supersedes: rule.supersedes,
    })
}

/// Stores a prepared reminder; `(reminder, deduplicated, stale)`: with a dedupe key the
/// customer used before, the reminder holding it, as it is now, and nothing written. A stored
/// one makes the customer's view stale (recorded in `conn`'s transaction; the caller settles
/// `stale` after the commit with `StaleViews::settle`).
pub async fn store<C>(
    conn: &C,
    prepared: &Prepared,
) -> Result<(Reminder, bool, Option<Recorded>), Error>
where
    C: ConnectionTrait + sea_orm::TransactionTrait,
{
    let Prepared {
        reminder,
        supersedes,
    } = prepared;
    match reminders::insert(conn, reminder, *supersedes).await? {
        reminders::Scheduled::Created(reminder) => {
            let stale = stale::record(conn, [reminder.customer_id.as_str()]).await?;
            Ok((reminder, false, stale))
        }
        reminders::Scheduled::Deduplicated(existing) => Ok((existing, true, None)),
    }
}

/// The template named by the request, or the touchpoint's default for the first of the
/// customer's channels that has one.
async fn template_for<C: ConnectionTrait>(
    conn: &C,
    catalogue: &Catalogue,
    draft: &ReminderDraft,
    rule: &TouchpointRule,
    contact: &Contact,
) -> Result<Template, Error> {
    if let Some(code) = &draft.template_code {
        let stored = catalogue
            .template(code)
            .await?
            .ok_or_else(|| Error::not_found("template", code.clone()))?;
        if stored.touchpoint() != draft.touchpoint {
            let refused = Invalid::new(format!(
                "is a template of {}, not of {}",
                stored.touchpoint().code(),
                draft.touchpoint.code()
            ));
            return Err(refused.at("template_code").into());
        }
        return Ok(stored);
    }
    let filter = TemplateFilter {
        touchpoint: Some(draft.touchpoint),
        channel: None,
        locale: None,
    };
    let (candidates, _) = templates::list(conn, &filter, "", TEMPLATES_PER_TOUCHPOINT).await?;
    let candidates: Vec<Template> = candidates.into_iter().map(|s| s.template).collect();
    let channels = channel_order(rule, contact);
    channels
        .iter()
        .find_map(|c| default_template(&candidates, draft.touchpoint, *c, FALLBACK_LOCALE))
        // A default written for another channel still says what the customer must know.
        .or_else(|| candidates.iter().find(|t| t.is_default()))
        .cloned()
        .ok_or_else(|| {
            Invalid::new(format!(
                "required: {} has no default template",
                draft.touchpoint.code()
            ))
            .at("template_code")
            .into()
        })
}

/// The channels a reminder may go by, in the order the dispatcher tries them. A staff task
/// goes to staff, so the customer's preferences do not apply to it.
pub fn channel_order<'a>(rule: &'a TouchpointRule, contact: &'a Contact) -> &'a [ContactChannel] {
    if rule.touchpoint.is_staff_task() {
        &rule.default_channels
    } else {
        contact.channels_for(rule)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::default_rule;

    #[test]
    fn a_staff_task_keeps_the_rules_channels_and_a_customer_their_own() {
        let mut contact = Contact::new("c-1");
        contact.channels = vec![ContactChannel::Email, ContactChannel::Sms];
        let staff = default_rule(Touchpoint::StaffTask);
        assert_eq!(
            channel_order(&staff, &contact),
            [ContactChannel::AccountManager, ContactChannel::Sms]
        );
        let plan = default_rule(Touchpoint::PlanChange);
        assert_eq!(
            channel_order(&plan, &contact),
            [ContactChannel::Email, ContactChannel::Sms]
        );
        let silent = Contact::new("c-2");
        assert_eq!(channel_order(&plan, &silent), plan.default_channels);
    }
}
