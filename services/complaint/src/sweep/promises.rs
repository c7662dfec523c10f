//! Promises broken: one past its due time and not fulfilled is escalated once to the
//! complaint's first-contact owner, who answers for the complaint to the end whoever made the
//! promise (a STAFF_TASK). Marking it escalated is conditional on it being neither kept nor
//! escalated, and the task goes in the same transaction, so the owner hears of it once.

use crate::domain::Complaint;
use crate::error::Error;
use crate::notices::{Notice, dedupe_key};
use crate::store::complaints;
use crate::store::promises::{self, StoredPromise};

use super::Pass;

/// Escalates every promise overdue now; returns how many.
pub(super) async fn escalate_broken(pass: &Pass<'_>) -> Result<u64, Error> {
    let mut escalated = 0;
    loop {
        // Each promise read leaves the overdue set in its page (escalated by us, or kept or
        // escalated by someone else), so the next page starts from the top again.
        let page = promises::overdue(pass.db.conn(), pass.now, pass.batch).await?;
        if page.is_empty() {
            break;
        }
        escalated += pass
            .in_page(async |txn, told| {
                let mut n = 0;
                for broken in &page {
                    if !promises::mark_escalated(txn, &broken.promise.id, pass.now).await? {
                        continue;
                    }
                    let c = complaints::get(txn, &broken.complaint_id).await?;
                    told.push(owner_task(&c.complaint, broken, pass));
                    n += 1;
                }
                Ok(n)
            })
            .await?;
        if !pass.full(page.len()) {
            break;
        }
    }
    Ok(escalated)
}

/// The first-contact owner's task: the promise, who made it, to be seen to now.
fn owner_task(k: &Complaint, broken: &StoredPromise, pass: &Pass<'_>) -> Notice {
    let promise = &broken.promise;
    let task = format!(
        "对客户的承诺已逾期未兑现:{}(承诺人{}),请您跟进",
        promise.text, promise.made_by
    );
    let key = dedupe_key(&k.id, "promise-broken", &promise.id);
    Notice::staff_task(
        k,
        &k.customer_id,
        &k.first_contact_owner,
        &task,
        pass.now,
        pass.now,
        key,
    )
}
