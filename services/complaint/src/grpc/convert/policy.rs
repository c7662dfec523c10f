//! The SLA policy and its business calendar as the contract shows them, and the parts of an
//! UpdateSlaPolicy checked field by field. Each target and the calendar are held to the
//! domain's own rules (its constructors); what they refuse is named as the contract spells the
//! field, e.g. `policy.targets[3].resolve_within` or `policy.calendar.working_hours[2].end_minute`.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, TimeDelta};
use vipcare_domain::{Invalid, Violation};
use vipcare_proto::common::v1 as common;
use vipcare_proto::complaint::v1 as pb;

use super::codes::{clock_kind_from_proto, required, severity_from_proto};
use super::maybe_timestamp;
use super::parts::sla_target_to_proto;
use crate::domain::{
    BusinessCalendar, CalendarDraft, Severity, SlaPolicy, SlaTarget, WorkingHours,
};
use crate::store::policy::StoredPolicy;

/// Targets by tier, then severity, as [`SlaPolicy::new`] takes them.
pub type TargetRows = BTreeMap<String, BTreeMap<Severity, SlaTarget>>;

/// The policy in force, with its etag.
pub fn policy_to_proto(stored: &StoredPolicy) -> pb::SlaPolicy {
    pb::SlaPolicy {
        default_tier: stored.policy.default_tier().to_owned(),
        targets: stored
            .policy
            .targets()
            .map(|(tier, severity, target)| sla_target_to_proto(tier, severity, &target))
            .collect(),
        calendar: Some(calendar_to_proto(&stored.calendar)),
        etag: stored.etag(),
        update_time: maybe_timestamp(stored.update_time),
        updated_by: stored.updated_by.clone().unwrap_or_default(),
    }
}

pub fn calendar_to_proto(calendar: &BusinessCalendar) -> pb::BusinessCalendar {
    let CalendarDraft {
        time_zone,
        working_hours,
        make_up_hours,
        holidays,
        make_up_days,
    } = calendar.to_draft();
    pb::BusinessCalendar {
        time_zone,
        working_hours: working_hours.iter().map(|h| hours_to_proto(*h)).collect(),
        make_up_hours: Some(hours_to_proto(Some(make_up_hours))),
        holidays: holidays.into_iter().map(date_to_proto).collect(),
        make_up_days: make_up_days.into_iter().map(date_to_proto).collect(),
    }
}

/// A day off is 0-0.
fn hours_to_proto(hours: Option<WorkingHours>) -> pb::WorkingHours {
    let (start, end) = hours.map_or((0, 0), |h| (h.start_minute, h.end_minute));
    pb::WorkingHours {
        start_minute: i32::try_from(start).unwrap_or(i32::MAX),
        end_minute: i32::try_from(end).unwrap_or(i32::MAX),
    }
}

fn date_to_proto(date: NaiveDate) -> common::Date {
    common::Date {
        year: date.year(),
        month: i32::try_from(date.month()).unwrap_or_default(),
        day: i32::try_from(date.day()).unwrap_or_default(),
    }
}

/// A protobuf duration as a domain span; `None` when malformed (nanos out of range or of the
/// other sign than the seconds).
pub fn span_of(d: &prost_types::Duration) -> Option<TimeDelta> {
    let mixed = (d.seconds > 0 && d.nanos < 0) || (d.seconds < 0 && d.nanos > 0);
    if mixed || d.nanos.unsigned_abs() >= 1_000_000_000 {
        return None;
    }
    TimeDelta::try_seconds(d.seconds)?.checked_add(&TimeDelta::nanoseconds(d.nanos.into()))
}

/// The targets of an update, each checked alone and against the others (one per tier and
/// severity, all four severities per tier); `None` when any is refused, each refusal noted.
pub fn targets_from_proto(
    targets: &[pb::SlaTarget],
    refused: &mut Vec<Violation>,
) -> Option<TargetRows> {
    let before = refused.len();
    let mut rows = TargetRows::new();
    // Where each tier and severity was first given, whether or not its times were accepted,
    // so a refused time is not also reported as a missing severity.
    let mut first_at: BTreeMap<&str, BTreeMap<Severity, usize>> = BTreeMap::new();
    for (i, t) in targets.iter().enumerate() {
        let field = format!("policy.targets[{i}]");
        let checked = target_from_proto(t, &field, refused);
        let Ok(Some(severity)) = severity_from_proto(t.severity) else {
            continue;
        };
        let given = first_at.entry(t.tier.as_str()).or_default();
        if let Some(j) = given.get(&severity) {
            refused.push(
                Invalid::new(format!(
                    "targets[{j}] has the same tier and severity; list each once"
                ))
                .at(field),
            );
            continue;
        }
        given.insert(severity, i);
        if let Some((tier, severity, target)) = checked {
            rows.entry(tier).or_default().insert(severity, target);
        }
    }
    for (tier, given) in &first_at {
        if vipcare_domain::tier_code(tier).is_err() {
            continue;
        }
        let missing: Vec<&str> = Severity::ALL
            .iter()
            .filter(|s| !given.contains_key(s))
            .map(|s| s.code())
            .collect();
        if !missing.is_empty() {
            refused.push(
                Invalid::new(format!(
                    "tier {tier} has no target for {}: every listed tier needs all four \
                     severities",
                    missing.join(", ")
                ))
                .at("policy.targets"),
            );
        }
    }
    (refused.len() == before).then_some(rows)
}

/// One target, its fields converted and then held to the domain's rules for a target.
fn target_from_proto(
    t: &pb::SlaTarget,
    field: &str,
    refused: &mut Vec<Violation>,
) -> Option<(String, Severity, SlaTarget)> {
    let before = refused.len();
    let mut note = |v: Violation| refused.push(v.under(field));
    let tier = vipcare_domain::tier_code(&t.tier)
        .map(str::to_owned)
        .map_err(|e| note(e.at("tier")))
        .ok();
    let severity = required(severity_from_proto(t.severity), "severity")
        .map_err(&mut note)
        .ok();
    let clock = required(clock_kind_from_proto(t.clock), "clock")
        .map_err(&mut note)
        .ok();
    let mut span = |d: Option<&prost_types::Duration>, name: &str| match d {
        None => {
            note(Invalid::new("required").at(name));
            None
        }
        Some(d) => span_of(d).or_else(|| {
            note(Invalid::new("not a valid duration").at(name));
            None
        }),
    };
    let respond = span(t.respond_within.as_ref(), "respond_within");
    let resolve = span(t.resolve_within.as_ref(), "resolve_within");
    let (Some(tier), Some(severity), Some(clock), Some(respond), Some(resolve)) =
        (tier, severity, clock, respond, resolve)
    else {
        return None;
    };
    let target = SlaTarget {
        respond,
        resolve,
        clock,
    };
    // The domain keeps its rules for a target (more than zero, at most 366 days, respond
    // within resolve) in the policy's constructor: a one-tier policy of this target alone
    // answers for it, and its field names are translated to the contract's.
    let alone = Severity::ALL.iter().map(|s| (*s, target)).collect();
    if let Err(v) = SlaPolicy::new(&tier, BTreeMap::from([(tier.clone(), alone)])) {
        let name = match v.field.rsplit('.').next() {
            Some("respond") => "respond_within",
            Some("resolve") => "resolve_within",
            _ => "",
        };
        let at = if name.is_empty() {
            field.to_owned()
        } else {
            format!("{field}.{name}")
        };
        refused.push(Invalid::new(v.reason).at(at));
    }
    (refused.len() == before).then_some((tier, severity, target))
}

/// The calendar of an update, checked whole by [`BusinessCalendar::new`]; `None` when
/// refused, each refusal noted under `policy.calendar`.
pub fn calendar_from_proto(
    calendar: Option<&pb::BusinessCalendar>,
    refused: &mut Vec<Violation>,
) -> Option<BusinessCalendar> {
    const FIELD: &str = "policy.calendar";
    let Some(c) = calendar else {
        refused.push(Invalid::new("required").at(FIELD));
        return None;
    };
    let before = refused.len();
    let mut note = |v: Violation| refused.push(v.under(FIELD));
    let mut week = [None; 7];
    if c.working_hours.len() == week.len() {
        for (day, h) in c.working_hours.iter().enumerate() {
            week[day] = hours_from_proto(h)
                .map_err(|v| note(v.under(&format!("working_hours[{day}]"))))
                .ok()
                .flatten();
        }
    } else {
        note(Invalid::new("give exactly seven days, Monday first").at("working_hours"));
    }
    let make_up_hours = match &c.make_up_hours {
        None => {
            note(Invalid::new("required").at("make_up_hours"));
            None
        }
        Some(h) => match hours_from_proto(h) {
            // 0-0 would be a day off, which a make-up day is not; the domain says so.
            Ok(hours) => Some(hours.unwrap_or(WorkingHours {
                start_minute: 0,
                end_minute: 0,
            })),
            Err(v) => {
                note(v.under("make_up_hours"));
                None
            }
        },
    };
    let mut dates = |list: &[common::Date], name: &str| -> Vec<NaiveDate> {
        list.iter()
            .enumerate()
            .filter_map(|(i, d)| {
                date_from_proto(d)
                    .map_err(|e| note(e.at(format!("{name}[{i}]"))))
                    .ok()
            })
            .collect()
    };
    let holidays = dates(&c.holidays, "holidays");
    let make_up_days = dates(&c.make_up_days, "make_up_days");
    let make_up_hours = make_up_hours?;
    if refused.len() != before {
        return None;
    }
    let draft = CalendarDraft {
        time_zone: c.time_zone.clone(),
        working_hours: week,
        make_up_hours,
        holidays,
        make_up_days,
    };
    BusinessCalendar::new(draft)
        .map_err(|v| refused.push(calendar_violation(v)))
        .ok()
}

/// The domain names calendar fields `calendar.working_hours[2].end`; the contract
/// `policy.calendar.working_hours[2].end_minute`.
fn calendar_violation(v: Violation) -> Violation {
    let field = match v.field.rsplit_once('.') {
        Some((path, "start")) => format!("{path}.start_minute"),
        Some((path, "end")) => format!("{path}.end_minute"),
        _ => v.field,
    };
    Invalid::new(v.reason).at(format!("policy.{field}"))
}

/// Hours of a day; 0-0 is a day off (`None`). The order of the two is the domain's to check.
fn hours_from_proto(h: &pb::WorkingHours) -> Result<Option<WorkingHours>, Violation> {
    let minute = |m: i32, name: &str| {
        u32::try_from(m)
            .ok()
            .filter(|m| *m <= 1440)
            .ok_or_else(|| Invalid::new("must be a minute of the day, 0 to 1440").at(name))
    };
    let start_minute = minute(h.start_minute, "start_minute")?;
    let end_minute = minute(h.end_minute, "end_minute")?;
    Ok((start_minute, end_minute)
        .ne(&(0, 0))
        .then_some(WorkingHours {
            start_minute,
            end_minute,
        }))
}

fn date_from_proto(d: &common::Date) -> Result<NaiveDate, Invalid> {
    let common::Date { year, month, day } = *d;
    let full = (1900..=9999)
        .contains(&year)
        .then(|| {
            NaiveDate::from_ymd_opt(year, u32::try_from(month).ok()?, u32::try_from(day).ok()?)
        })
        .flatten();
    full.ok_or_else(|| Invalid::new("must be a full date (year 1900-9999, month and day)"))
}

#[cfg(test)]
#[path = "policy_tests.rs"]
mod tests;
