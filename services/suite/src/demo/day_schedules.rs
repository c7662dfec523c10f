//! What channel systems schedule for the rest of a demo customer's day, one ScheduleReminder
//! each: a call-back task for the account manager, a care message about an unusual bill, a
//! satisfaction survey. Each carries the day's dedupe key, so a second `up --demo` that day gets
//! the first reminder back and creates nothing.

use chrono::{DateTime, TimeDelta, Utc};
use rand::Rng;
use rand::seq::IndexedRandom;
use vipcare_proto::common::v1::Touchpoint;
use vipcare_proto::reminder::v1::ScheduleReminderRequest;

use super::{Of, next_local, time_words, timestamp, vocab};

impl Of<'_> {
    fn schedule(
        &self,
        touchpoint: Touchpoint,
        name: &str,
        at: DateTime<Utc>,
    ) -> ScheduleReminderRequest {
        ScheduleReminderRequest {
            customer_id: self.customer.customer_id.clone(),
            touchpoint: touchpoint as i32,
            send_at: timestamp(at),
            // The day's key: the same schedule again that day returns the first reminder. No
            // request_id: a restart sends another send_at, which a request_id would refuse.
            dedupe_key: format!("demo:{}:{name}", self.today),
            ..ScheduleReminderRequest::default()
        }
    }

    /// A task for the account manager, due in one to four hours (staff have no quiet hours).
    pub(super) fn call_back(&mut self) -> ScheduleReminderRequest {
        let at = self.now + TimeDelta::minutes(self.rng.random_range(60..=240));
        let task = *vocab::MANAGER_TASKS
            .choose(&mut self.rng)
            .unwrap_or(&vocab::MANAGER_TASKS[0]);
        let name = match self.customer.name.as_str() {
            "" => self.customer.customer_id.as_str(),
            name => name,
        };
        let variables = [
            ("CUSTOMER_NAME", name),
            ("CUSTOMER_ID", &self.customer.customer_id),
            ("TASK", task),
            ("DUE_TIME", &time_words(at + TimeDelta::hours(2))),
        ];
        ScheduleReminderRequest {
            variables: variables
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
            staff_assignee: self.customer.account_manager_id.clone(),
            ..self.schedule(Touchpoint::StaffTask, "call_back", at)
        }
    }

    /// A note about an unusual bill, later today.
    pub(super) fn bill_care(&mut self) -> ScheduleReminderRequest {
        let at = self.now + TimeDelta::minutes(self.rng.random_range(90..=360));
        let reason = *vocab::BILL_REASONS
            .choose(&mut self.rng)
            .unwrap_or(&vocab::BILL_REASONS[0]);
        let manager = match self.customer.account_manager_id.as_str() {
            "" => "10086".to_owned(),
            id => id.to_owned(),
        };
        let variables = [
            ("AMOUNT", format!("{}.00", self.rng.random_range(320..980))),
            ("REASON", reason.to_owned()),
            ("MANAGER", manager),
        ];
        ScheduleReminderRequest {
            template_code: "care.abnormal_bill.sms.zh-cn".into(),
            variables: variables
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect(),
            ..self.schedule(Touchpoint::Care, "bill_care", at)
        }
    }

    /// A survey at 22:30: in quiet hours for nearly everyone, so it waits for the morning.
    pub(super) fn survey(&mut self) -> ScheduleReminderRequest {
        let service = *vocab::SURVEYED_SERVICES
            .choose(&mut self.rng)
            .unwrap_or(&vocab::SURVEYED_SERVICES[0]);
        ScheduleReminderRequest {
            variables: [("SERVICE".to_owned(), service.to_owned())].into(),
            ..self.schedule(
                Touchpoint::SurveyInvitation,
                "survey",
                next_local(self.now, 22, 30),
            )
        }
    }
}
