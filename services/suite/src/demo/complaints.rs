//! The demo's complaints: a realistic spread opened through the complaint service's own API on
//! the first `up --demo` — complaints just opened (the DIAMOND and PLATINUM ones of high
//! severity run past their 15-60 minute response targets while the demo runs, and show as
//! overdue), some being worked with a promise to the customer, some waiting for the customer,
//! handed to another team, resolved (with compensation), closed, reopened, and repeats. Loaded
//! once: nothing is opened when the service already has complaints.

use futures::{StreamExt, TryStreamExt};
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel;
use vipcare_proto::complaint::v1 as pb;
use vipcare_proto::complaint::v1::complaint_service_client::ComplaintServiceClient;

use vipcare_runtime::{Caller, InternalCredential};

use super::keys::DemoKey;
use super::load::{Credentials, LoadError};
use super::reminders::at;

pub type ComplaintClient = ComplaintServiceClient<InterceptedService<Channel, Credentials>>;

/// The complaint client the demo opens with, as `admin` without `pii:read` (as the day's
/// reminders are sent).
pub fn client(
    channel: Channel,
    admin: &DemoKey,
    credential: &InternalCredential,
) -> ComplaintClient {
    let scopes: Vec<&str> = admin
        .scopes
        .iter()
        .copied()
        .filter(|s| *s != "pii:read")
        .collect();
    let caller = Caller::new(&admin.client, admin.channel, &scopes);
    ComplaintServiceClient::with_interceptor(channel, Credentials::internal(&caller, credential))
}

/// Complaints the demo opens, at most (fewer when there are fewer customers).
pub const COMPLAINTS: usize = 48;
const IN_FLIGHT: usize = 8;

/// Where a demo complaint is taken after it is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Path {
    Open,
    Acknowledged,
    /// Work under way, a call-back promised for the next day.
    Promised,
    Waiting,
    Transferred,
    /// Resolved, with compensation at the counter's limit or over it.
    Resolved,
    Closed,
    Reopened,
}

const PATHS: [Path; 8] = [
    Path::Open,
    Path::Promised,
    Path::Waiting,
    Path::Resolved,
    Path::Acknowledged,
    Path::Transferred,
    Path::Closed,
    Path::Reopened,
];

/// What customers complain about, as the hall writes it down.
const CASES: [(pb::Category, &str, &str); 8] = [
    (
        pb::Category::Billing,
        "本月话费多扣了38元",
        "客户称未订购的视频会员被扣费,要求退还",
    ),
    (
        pb::Category::Network,
        "家中宽带晚上经常断线",
        "晚八点后每隔半小时断线一次,已重启光猫",
    ),
    (
        pb::Category::ServiceAttitude,
        "营业厅办理业务等候太久",
        "取号后等了50分钟,工作人员未解释原因",
    ),
    (
        pb::Category::Reminder,
        "深夜收到流量提醒短信",
        "凌晨一点收到流量提醒,影响休息",
    ),
    (
        pb::Category::Benefit,
        "机场贵宾厅权益无法使用",
        "在白云机场贵宾厅被告知权益次数已用完",
    ),
    (
        pb::Category::Product,
        "套餐变更后流量不对",
        "变更为畅享套餐后本月流量仍按原套餐计算",
    ),
    (
        pb::Category::Price,
        "国际漫游资费比宣传的高",
        "在日本漫游一周产生费用远高于宣传的包天价格",
    ),
    (
        pb::Category::Policy,
        "携号转网被拒绝",
        "客户要求携号转网,被告知合约期未满",
    ),
];

/// One complaint to open and walk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoComplaint {
    pub n: usize,
    pub customer_id: String,
    pub path: Path,
    pub open: pb::OpenComplaintRequest,
}

/// The spread over `customers` (ids, in the listing's order): every path, channel, category
/// and severity; the featured customer first, with a complaint being worked on; the last two
/// repeat an earlier customer's category (linked, one severity higher).
pub fn plan(customers: &[String], featured: Option<&str>) -> Vec<DemoComplaint> {
    let mut chosen: Vec<&str> = featured.into_iter().collect();
    let stride = (customers.len() / COMPLAINTS).max(1);
    chosen.extend(
        customers
            .iter()
            .step_by(stride)
            .map(String::as_str)
            .filter(|c| Some(*c) != featured)
            .take(COMPLAINTS.saturating_sub(3)),
    );
    // Repeats: the same customers again, same category.
    let repeats: Vec<&str> = chosen.iter().skip(3).take(2).copied().collect();
    let channels = [
        pb::Channel::Hotline,
        pb::Channel::Hall,
        pb::Channel::Web,
        pb::Channel::AccountManager,
        pb::Channel::OnSite,
        pb::Channel::Sms,
        pb::Channel::Partner,
    ];
    let severities = [
        pb::Severity::High,
        pb::Severity::Medium,
        pb::Severity::Low,
        pb::Severity::Critical,
    ];
    let mut planned: Vec<DemoComplaint> = chosen
        .iter()
        .chain(repeats.iter())
        .enumerate()
        .map(|(n, customer)| {
            let first = chosen.iter().position(|c| c == customer).unwrap_or(n);
            let (category, summary, description) = CASES[first % CASES.len()];
            let path = if n == 0 {
                Path::Promised
            } else {
                PATHS[n % PATHS.len()]
            };
            DemoComplaint {
                n,
                customer_id: (*customer).to_owned(),
                path,
                open: pb::OpenComplaintRequest {
                    customer_id: (*customer).to_owned(),
                    channel: channels[n % channels.len()] as i32,
                    category: category as i32,
                    severity: severities[n % severities.len()] as i32,
                    summary: summary.to_owned(),
                    description: description.to_owned(),
                    first_contact_owner: format!("E{:04}", 1001 + n % 12),
                    request_id: format!("demo-complaint-{n}"),
                },
            }
        })
        .collect();
    planned.truncate(COMPLAINTS);
    planned
}

/// Opens and walks the plan unless the service has complaints already; returns how many it
/// opened.
pub async fn open_unless_present(
    client: &ComplaintClient,
    planned: Vec<DemoComplaint>,
) -> Result<usize, LoadError> {
    let any = client
        .clone()
        .list_complaints(pb::ListComplaintsRequest {
            page_size: 1,
            ..Default::default()
        })
        .await
        .map_err(at("ListComplaints"))?
        .into_inner();
    if !any.complaints.is_empty() {
        return Ok(0);
    }
    let count = planned.len();
    // Repeats must follow the complaint they repeat: the last two go after the rest.
    let (first, repeats) = planned.split_at(count.saturating_sub(2));
    for batch in [first, repeats] {
        futures::stream::iter(batch.iter().cloned())
            .map(|one| walk(client.clone(), one))
            .buffer_unordered(IN_FLIGHT)
            .try_collect::<Vec<()>>()
            .await?;
    }
    Ok(count)
}

/// Opens one complaint and makes its path's moves, each over the version it read.
async fn walk(mut client: ComplaintClient, one: DemoComplaint) -> Result<(), LoadError> {
    let owner = one.open.first_contact_owner.clone();
    let opened = client
        .open_complaint(one.open)
        .await
        .map_err(at("OpenComplaint"))?
        .into_inner()
        .complaint
        .unwrap_or_default();
    let id = opened.complaint_id;
    let mut version = opened.version;
    let moves = Moves {
        id: &id,
        actor: &owner,
    };
    if one.path == Path::Open {
        return Ok(());
    }
    version = moves.acknowledge(&mut client, version).await?;
    if one.path == Path::Acknowledged {
        return Ok(());
    }
    version = moves.start(&mut client, version).await?;
    match one.path {
        Path::Promised => moves.promise(&mut client, version).await,
        Path::Waiting => moves.wait(&mut client, version).await,
        Path::Transferred => moves.transfer(&mut client, version).await,
        Path::Resolved | Path::Closed | Path::Reopened => {
            let version = moves.resolve(&mut client, version, one.n).await?;
            match one.path {
                Path::Closed => moves.confirm(&mut client, version).await,
                Path::Reopened => moves.reopen(&mut client, version).await,
                _ => Ok(()),
            }
        }
        Path::Open | Path::Acknowledged => Ok(()),
    }
}

#[path = "complaint_moves.rs"]
mod moves;

use moves::Moves;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_spread_covers_every_path_and_repeats_two_customers() {
        let customers: Vec<String> = (0..1200).map(|i| format!("c{i}")).collect();
        let planned = plan(&customers, Some("c7"));
        assert_eq!(planned.len(), COMPLAINTS);
        assert_eq!(planned[0].customer_id, "c7");
        for path in PATHS {
            assert!(planned.iter().any(|p| p.path == path), "{path:?}");
        }
        let last = &planned[COMPLAINTS - 1];
        let earlier = planned[..COMPLAINTS - 2]
            .iter()
            .find(|p| p.customer_id == last.customer_id)
            .expect("the last complaint repeats an earlier customer");
        assert_eq!(earlier.open.category, last.open.category);
    }

    #[test]
    fn few_customers_get_fewer_complaints() {
        let customers: Vec<String> = (0..5).map(|i| format!("c{i}")).collect();
        let planned = plan(&customers, None);
        assert!(planned.len() <= 7 && !planned.is_empty());
    }
}
