//! The survey service through the gateway. SubmitResponse as a hall's counter pad sends it:
//! the staff-assisted form (customer, scenario and the hall and staff member as context, no
//! token), every request with a request_id of its own, answers drawn as the store's were,
//! against the gateway's health check on the same listener, stack and connections at the same
//! concurrency (`health`, `surveys-submit`, `ratio throughput=… p99=…`). The customers are the
//! demo generator's, loaded through the gateway first: SubmitResponse asks the profile and
//! tiering who each one is. A round of submissions warms the connections, the look-ups and the
//! baselines before the timed run; the roller keeps folding the new responses in meanwhile, as
//! it does in production.
//!
//! Then GetMomentReport of the most answered scenario over the 90 days, whole and grouped by
//! hall, staff, tier and channel, each driven one report at a time as a dashboard asks for it
//! (`surveys-report-<grouping> … groups=N`).

use std::process::ExitCode;
use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use rand::Rng;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel;
use vipcare_proto::survey::v1 as pb;
use vipcare_proto::survey::v1::survey_service_client::SurveyServiceClient;
use vipcare_suite::demo::Credentials;
use vipcare_survey::domain::seed as scenarios;

use super::seed::{DAYS, REPORTED, STAFF, answers, hall};
use crate::baseline::{self, Setup, describe};
use crate::cli::SurveysArgs;
use crate::load::{self, Plan, Run};
use crate::seed;
use crate::target::Target;

type Surveys = SurveyServiceClient<InterceptedService<Channel, Credentials>>;

/// Submissions before the timed run, per request in flight.
const WARM_PER_WORKER: usize = 5;

/// The groupings a report is asked for, as the lines name them.
const GROUPINGS: [(&str, pb::ReportGrouping); 5] = [
    ("all", pb::ReportGrouping::Unspecified),
    ("hall", pb::ReportGrouping::Hall),
    ("staff", pb::ReportGrouping::Staff),
    ("tier", pb::ReportGrouping::Tier),
    ("channel", pb::ReportGrouping::Channel),
];

/// The health line, SubmitResponse's line and their ratio.
pub(super) async fn submit_lines(target: &Target, args: &SurveysArgs) -> anyhow::Result<ExitCode> {
    let plan = Plan {
        concurrency: usize::from(args.concurrency),
        duration: args.duration,
    };
    let connections = usize::from(args.connections);
    let channels = target.connect(connections).await?;
    let wanted = usize::try_from(args.customers).unwrap_or(usize::MAX);
    let customers = seed::customers(target, channels[0].clone(), wanted).await?;
    anyhow::ensure!(
        !customers.ids.is_empty(),
        "the gateway has no customers to answer for"
    );
    let setup = Setup {
        plan,
        channels,
        credentials: Credentials::bearer(&target.api_key),
        customers,
    };
    println!(
        "setup submit gateway={} concurrency={} duration={:?} connections={connections} \
         (HTTP/2; worker i on connection i mod {connections}) customers={} \
         scenario={REPORTED} form=staff-assisted",
        target.addr,
        plan.concurrency,
        plan.duration,
        setup.customers.ids.len(),
    );
    let health_run = baseline::drive_health(&setup).await;
    let clients = setup.clients(SurveyServiceClient::with_interceptor);
    let scenario = scenarios::scenario(REPORTED)
        .ok_or_else(|| anyhow::anyhow!("{REPORTED} is not a seeded scenario"))?;
    let customers = Arc::new(setup.customers.ids.clone());
    let submit = move |worker: usize| {
        let mut client: Surveys = clients[worker % clients.len()].clone();
        let request = submission(&scenario, &customers, &mut rand::rng());
        async move {
            client
                .submit_response(request)
                .await
                .map(drop)
                .map_err(describe)
        }
    };
    let warm = vec![(); plan.concurrency * WARM_PER_WORKER];
    baseline::warm("submissions", &warm, plan.concurrency, &|w, ()| submit(w)).await?;
    let submit_run = load::drive(plan, submit).await;
    Ok(baseline::report(health_run, "surveys-submit", submit_run))
}

/// What a hall's pad sends: the answers, who gave them and at whose desk.
fn submission(
    scenario: &vipcare_survey::domain::Scenario,
    customers: &[String],
    rng: &mut impl Rng,
) -> pb::SubmitResponseRequest {
    let staff_no = rng.random_range(0..STAFF);
    let staff = format!("E{staff_no:04}");
    let (scores, nps) = answers(scenario, &staff, rng);
    pb::SubmitResponseRequest {
        invitation_token: String::new(),
        customer_id: customers[rng.random_range(0..customers.len())].clone(),
        scenario_code: scenario.code().to_owned(),
        context: Some(pb::SurveyContext {
            complaint_id: String::new(),
            hall_id: hall(staff_no),
            staff_id: staff,
            event_id: String::new(),
        }),
        moment_scores: scores
            .into_iter()
            .map(|(moment_code, score)| pb::MomentScore { moment_code, score })
            .collect(),
        attribute_scores: Vec::new(),
        nps: Some(nps),
        comment: String::new(),
        request_id: uuid::Uuid::new_v4().to_string(),
        channel: pb::SurveyChannel::Hall as i32,
    }
}

/// One line per grouping of GetMomentReport over the 90 days up to now.
pub(super) async fn report_lines(target: &Target, args: &SurveysArgs) -> anyhow::Result<ExitCode> {
    let channel = target.connect(1).await?.remove(0);
    let client =
        SurveyServiceClient::with_interceptor(channel, Credentials::bearer(&target.api_key));
    let plan = Plan {
        concurrency: 1,
        duration: args.report_duration,
    };
    println!(
        "setup report scenario={REPORTED} days={DAYS} concurrency=1 duration={:?}",
        plan.duration
    );
    let now = Utc::now();
    let mut runs: Vec<(String, Run)> = Vec::new();
    for (name, grouping) in GROUPINGS {
        let request = report_request(now, grouping);
        // The first report says how many groups the rest return, and warms the plan.
        let groups = client
            .clone()
            .get_moment_report(request.clone())
            .await
            .map_err(|s| anyhow::anyhow!("GetMomentReport({name}): {}", describe(s)))?
            .into_inner()
            .groups
            .len();
        let client = client.clone();
        let mut run = load::drive(plan, move |_| {
            let (mut client, request) = (client.clone(), request.clone());
            async move {
                client
                    .get_moment_report(request)
                    .await
                    .map(drop)
                    .map_err(describe)
            }
        })
        .await;
        let name = format!("surveys-report-{name}");
        println!("{} groups={groups}", baseline::line(&name, &mut run));
        runs.push((name, run));
    }
    let named: Vec<(&str, &Run)> = runs.iter().map(|(n, r)| (n.as_str(), r)).collect();
    Ok(baseline::verdict(&named))
}

/// The report of [`REPORTED`] from the day [`DAYS`] ago through today.
fn report_request(now: DateTime<Utc>, grouping: pb::ReportGrouping) -> pb::GetMomentReportRequest {
    let at = |t: DateTime<Utc>| prost_types::Timestamp {
        seconds: t.timestamp(),
        nanos: 0,
    };
    pb::GetMomentReportRequest {
        scenario_code: REPORTED.to_owned(),
        start_time: Some(at(now - TimeDelta::days(DAYS))),
        // The end's day is left out: tomorrow's, so today's responses count.
        end_time: Some(at(now + TimeDelta::days(1))),
        group_by: grouping as i32,
    }
}
