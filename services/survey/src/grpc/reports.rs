//! GetMomentReport, GetScoreTrend, ListAlerts and ListDetractors. Reports, trends and alerts
//! read the daily roll-ups (never the responses): a response shows in them once the roller
//! counted it, a few seconds after it was given. Baselines are each moment's mean over the
//! policy's trailing window; detractors are listed from the responses with their follow-up.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, TimeDelta};
use tonic::{Request, Response};
use vipcare_domain::{Invalid, page_size};
use vipcare_proto::survey::v1 as pb;

use super::convert::codes::follow_up_state_from_proto;
use super::convert::optional_time;
use super::convert::report::{
    Range, alert_query, alert_to_proto, moment_report_query, moment_report_to_proto,
    trend_point_to_proto, trend_query,
};
use super::responses::{DEFAULT_PAGE, MAX_PAGE, detractor_to_proto};
use super::{Reply, SurveyApi};
use crate::baselines::window;
use crate::domain::codes::TrendInterval;
use crate::domain::{GroupBy, Report, Rollup, Scenario};
use crate::store::listing::{self, DetractorFilter, ResponseFilter};
use crate::store::report::{self, Days, TrendDay};
use crate::store::{day_of, scenarios};

pub async fn moment_report(
    api: &SurveyApi,
    r: Request<pb::GetMomentReportRequest>,
) -> Reply<pb::GetMomentReportResponse> {
    let query = moment_report_query(r.get_ref())?;
    let scenario = scenarios::latest(api.db.conn(), &query.scenario_code)
        .await?
        .scenario;
    let groups = report::report(
        api.db.conn(),
        scenario.code(),
        days_of(query.range),
        query.group_by,
    )
    .await?;
    let policy = api.policy().await?.policy;
    let now = api.clock.now();
    let windows = api
        .baselines
        .windows(api.db.conn(), scenario.code(), policy.window_days(), now)
        .await?;
    let baseline = |m: &str| policy.baseline(windows.get(m).copied().unwrap_or_default());
    let build = |rollup: &Rollup| Report::build(&scenario, rollup, &baseline);
    let reports: Vec<(Option<String>, Report)> = match query.group_by {
        // One group, the whole range, shown even when nobody answered.
        None => vec![(None, build(&groups.get("").cloned().unwrap_or_default()))],
        Some(_) => groups
            .iter()
            .map(|(group, rollup)| ((!group.is_empty()).then(|| group.clone()), build(rollup)))
            .collect(),
    };
    Ok(Response::new(moment_report_to_proto(&scenario, &reports)))
}

pub async fn trend(
    api: &SurveyApi,
    r: Request<pb::GetScoreTrendRequest>,
) -> Reply<pb::GetScoreTrendResponse> {
    let query = trend_query(r.get_ref())?;
    let group = match (&query.hall_id, &query.staff_id) {
        (Some(_), Some(_)) => {
            let reason = "give hall_id or staff_id, not both";
            return Err(Invalid::new(reason).at("staff_id").into());
        }
        (Some(hall), None) => Some((GroupBy::Hall, hall.as_str())),
        (None, Some(staff)) => Some((GroupBy::Staff, staff.as_str())),
        (None, None) => None,
    };
    let days = days_of(query.range);
    let found = report::trend(api.db.conn(), query.scenario_code.as_deref(), days, group).await?;
    let points = steps(days, query.interval, &found)
        .iter()
        .map(|(start, rollup)| trend_point_to_proto(*start, rollup))
        .collect();
    Ok(Response::new(pb::GetScoreTrendResponse { points }))
}

pub async fn alerts(
    api: &SurveyApi,
    r: Request<pb::ListAlertsRequest>,
) -> Reply<pb::ListAlertsResponse> {
    let query = alert_query(r.get_ref())?;
    let as_of = query.as_of.unwrap_or_else(|| api.clock.now());
    let kinds = match query.group_by {
        Some(kind) => vec![kind],
        None => vec![GroupBy::Hall, GroupBy::Staff],
    };
    let weeks = report::recent_groups(
        api.db.conn(),
        query.scenario_code.as_deref(),
        &kinds,
        window(7, as_of),
    )
    .await?;
    let policy = api.policy().await?.policy;
    let mut scenarios_seen: BTreeMap<String, (Scenario, BTreeMap<String, _>)> = BTreeMap::new();
    let mut found = Vec::new();
    for week in &weeks {
        if !scenarios_seen.contains_key(&week.scenario_code) {
            let scenario = scenarios::latest(api.db.conn(), &week.scenario_code).await?;
            let days = window(policy.window_days(), as_of);
            let windows =
                report::baseline_windows(api.db.conn(), &week.scenario_code, days).await?;
            scenarios_seen.insert(week.scenario_code.clone(), (scenario.scenario, windows));
        }
        let (scenario, windows) = &scenarios_seen[&week.scenario_code];
        let baseline = policy.baseline(windows.get(&week.moment).copied().unwrap_or_default());
        if let Some(alert) = policy.alerts().check(
            &week.moment,
            week.group_kind,
            &week.group,
            week.tally,
            baseline,
        ) {
            found.push(alert_to_proto(&alert, scenario));
        }
    }
    // Largest drop first.
    found.sort_by(|a, b| a.gap.total_cmp(&b.gap));
    Ok(Response::new(pb::ListAlertsResponse { alerts: found }))
}

pub async fn detractors(
    api: &SurveyApi,
    r: Request<pb::ListDetractorsRequest>,
) -> Reply<pb::ListDetractorsResponse> {
    let pb::ListDetractorsRequest {
        scenario_code,
        hall_id,
        staff_id,
        follow_up_state,
        start_time,
        end_time,
        page_size: requested,
        page_token,
    } = r.into_inner();
    let size = page_size(requested, DEFAULT_PAGE, MAX_PAGE).map_err(|e| e.at("page_size"))?;
    let state = follow_up_state_from_proto(follow_up_state).map_err(|e| e.at("follow_up_state"))?;
    let given = |text: String| (!text.is_empty()).then_some(text);
    let filter = DetractorFilter {
        responses: ResponseFilter {
            customer_id: None,
            scenario_code: given(scenario_code),
            hall_id: given(hall_id),
            staff_id: given(staff_id),
            from: optional_time(start_time.as_ref(), "start_time")?,
            before: optional_time(end_time.as_ref(), "end_time")?,
        },
        state,
    };
    let page = listing::detractors(api.db.conn(), &filter, &page_token, size).await?;
    let weight = api.policy().await?.policy.peak_weight();
    Ok(Response::new(pb::ListDetractorsResponse {
        detractors: page
            .responses
            .iter()
            .map(|s| detractor_to_proto(s, weight))
            .collect(),
        next_page_token: page.next_page_token,
    }))
}

/// The Shanghai days of a range: from the one holding its start to the one holding its last
/// instant (the end itself is not in it).
fn days_of(range: Range) -> Days {
    Days {
        first: day_of(range.from),
        last: day_of(range.before - TimeDelta::milliseconds(1)),
    }
}

/// Every step of `days` with the days found in it merged, empty steps included: a step is a
/// day, or a week from Monday (the first and last cut to the range).
fn steps(days: Days, interval: TrendInterval, found: &[TrendDay]) -> Vec<(NaiveDate, Rollup)> {
    let step_of = |day: NaiveDate| match interval {
        TrendInterval::Daily => day,
        TrendInterval::Weekly => {
            let monday = day - TimeDelta::days(i64::from(day.weekday().num_days_from_monday()));
            monday.max(days.first)
        }
    };
    let mut steps: BTreeMap<NaiveDate, Rollup> = BTreeMap::new();
    let mut day = days.first;
    while day <= days.last {
        steps.entry(step_of(day)).or_default();
        day += TimeDelta::days(1);
    }
    for d in found {
        let rollup = Rollup {
            responses: d.responses,
            moments: BTreeMap::from([(String::new(), d.scores)]),
            nps: d.nps,
            end: d.end,
            peak_end: d.peak_end,
        };
        steps.entry(step_of(d.day)).or_default().merge(&rollup);
    }
    steps.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Tally;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 6, d).unwrap()
    }

    #[test]
    fn every_step_is_listed_and_weeks_start_on_monday() {
        // Wednesday 10 June to Tuesday 23 June 2026.
        let days = Days {
            first: day(10),
            last: day(23),
        };
        let found = vec![TrendDay {
            day: day(16),
            responses: 2,
            scores: Tally { n: 4, sum: 12 },
            peak_end: Default::default(),
            nps: Default::default(),
            end: Default::default(),
        }];
        let daily = steps(days, TrendInterval::Daily, &found);
        assert_eq!(daily.len(), 14);
        assert_eq!(daily[6].1.responses, 2);
        let weekly = steps(days, TrendInterval::Weekly, &found);
        let starts: Vec<NaiveDate> = weekly.iter().map(|(s, _)| *s).collect();
        assert_eq!(starts, [day(10), day(15), day(22)]);
        assert_eq!(weekly[1].1.responses, 2);
        assert_eq!(weekly[0].1.responses, 0);
    }
}
