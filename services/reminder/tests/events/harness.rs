//! A seeded reminder store per backend and an `Ingest` over it reading a clock the test moves,
//! events built as a billing feed sends them, and a client stream framed exactly as tonic reads
//! one off the wire (five-byte gRPC prefix, prost body), handed to the handlers without a
//! server. The two templates events need that the seeds lack are stored as an operator would.

use std::sync::{Arc, Mutex};

use bytes::{BufMut, Bytes, BytesMut};
use chrono::{DateTime, TimeDelta, Utc};
use http_body_util::{BodyExt, Full, StreamBody};
use prost::Message;
use prost_types::Timestamp;
use tonic::Streaming;
use tonic::codec::Codec;
use tonic_prost::ProstCodec;
use vipcare_domain::{Clock, ContactChannel, Touchpoint};
use vipcare_proto::common::v1 as common;
use vipcare_proto::reminder::v1 as pb;
use vipcare_proto::reminder::v1::event::Kind;
use vipcare_reminder::domain::events::codes;
use vipcare_reminder::domain::{Reminder, Template, TemplateDraft};
use vipcare_reminder::ingest::Ingest;
use vipcare_reminder::store::{Migrator, reminders, seed, templates};
use vipcare_storage::Database;
use vipcare_testkit::TestEnv;

pub use vipcare_testkit::status::{code, violated_fields};

/// 09:00 in Shanghai.
pub const NOW: &str = "2026-03-02T01:00:00Z";

pub fn now() -> DateTime<Utc> {
    NOW.parse().expect("NOW is a time")
}

#[derive(Debug)]
pub struct TestClock(Mutex<DateTime<Utc>>);

impl TestClock {
    pub fn advance(&self, by: TimeDelta) {
        *self.0.lock().expect("clock") += by;
    }
}

impl Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().expect("clock")
    }
}

/// One seeded store and its ingest; the environment lives as long as it.
pub struct Bench {
    pub label: &'static str,
    pub db: Database,
    pub ingest: Ingest,
    pub clock: Arc<TestClock>,
    _env: TestEnv,
}

/// A fresh bench on every configured backend.
pub async fn benches() -> Vec<Bench> {
    let mut all = Vec::new();
    for env in TestEnv::all().await {
        let db = env.database("reminder").await;
        db.migrate::<Migrator>().await.expect("the schema migrates");
        seed::defaults(db.conn(), now()).await.expect("seeded");
        for draft in missing_templates() {
            let template = Template::new(draft).expect("a valid template");
            templates::upsert(db.conn(), &template, None, "ops", now())
                .await
                .expect("stored");
        }
        let clock = Arc::new(TestClock(Mutex::new(now())));
        let ingest = Ingest::new(db.clone(), clock.clone());
        all.push(Bench {
            label: env.label,
            db,
            ingest,
            clock,
            _env: env,
        });
    }
    all
}

/// The templates events render that the seeds do not carry yet.
pub fn missing_templates() -> Vec<TemplateDraft> {
    let draft = |code: &str, touchpoint, name: &str, body: &str| TemplateDraft {
        code: code.into(),
        touchpoint,
        channel: ContactChannel::Sms,
        locale: "zh-CN".into(),
        name: name.into(),
        body: body.into(),
        is_default: false,
    };
    vec![
        draft(
            codes::PLAN_PROMOTION,
            Touchpoint::TopupRebate,
            "开户:套餐优惠说明",
            "尊敬的客户:您的%PLAN_NAME%送您的优惠:%PROMOTION_DESC%。中国移动",
        ),
        draft(
            codes::VAS_TRIAL_ENDING,
            Touchpoint::VasSubscription,
            "增值业务免费期将结束",
            "尊敬的客户:您订购的%VAS_NAME%免费期将在%TRIAL_END%结束,之后每月%PRICE%元。不想要了请在免费期内退订:%CANCEL_HOW%。中国移动",
        ),
    ]
}

impl Bench {
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// An event that happened now.
    pub fn event(&self, id: &str, customer: &str, kind: Kind) -> pb::Event {
        pb::Event {
            event_id: id.into(),
            customer_id: customer.into(),
            occurred_at: Some(timestamp(self.now())),
            kind: Some(kind),
        }
    }

    pub async fn reminder(&self, id: &str) -> Reminder {
        reminders::get(self.db.conn(), id)
            .await
            .expect("readable")
            .unwrap_or_else(|| panic!("{}: reminder {id} stored", self.label))
    }

    pub async fn of_event(&self, event_id: &str) -> Vec<Reminder> {
        reminders::of_event(self.db.conn(), event_id)
            .await
            .expect("readable")
    }
}

pub fn timestamp(t: DateTime<Utc>) -> Timestamp {
    Timestamp {
        seconds: t.timestamp(),
        nanos: t.timestamp_subsec_nanos() as i32,
    }
}

/// The gRPC frames of `messages`, one after another.
fn frames(messages: &[pb::IngestEventsRequest]) -> Bytes {
    let mut body = BytesMut::new();
    for m in messages {
        let bytes = m.encode_to_vec();
        body.put_u8(0);
        body.put_u32(u32::try_from(bytes.len()).expect("a message under 4 GiB"));
        body.extend_from_slice(&bytes);
    }
    body.freeze()
}

fn decoder() -> <ProstCodec<pb::IngestEventsRequest, pb::IngestEventsRequest> as Codec>::Decoder {
    ProstCodec::<pb::IngestEventsRequest, pb::IngestEventsRequest>::default().decoder()
}

/// A client stream carrying `messages`, as the server receives it.
pub fn feed(messages: &[pb::IngestEventsRequest]) -> Streaming<pb::IngestEventsRequest> {
    Streaming::new_request(decoder(), Full::new(frames(messages)), None, None)
}

/// A client stream that carries `messages` and then breaks.
pub async fn broken_feed(
    messages: &[pb::IngestEventsRequest],
) -> Streaming<pb::IngestEventsRequest> {
    // The frame type is http-body's; a whole body's one frame is had without naming it.
    let data = Full::new(frames(messages)).frame().await;
    let data = data.expect("one frame").expect("infallible");
    let broken = std::io::Error::new(std::io::ErrorKind::ConnectionReset, "client went away");
    let chunks = vec![Ok(data), Err(broken)];
    let body = StreamBody::new(futures::stream::iter(chunks));
    Streaming::new_request(decoder(), body, None, None)
}

pub fn message(events: Vec<pb::Event>) -> pb::IngestEventsRequest {
    pb::IngestEventsRequest { events }
}

pub fn plan_accepted(plan: &str) -> Kind {
    Kind::PlanChanged(pb::PlanChanged {
        stage: pb::PlanChangeStage::Accepted as i32,
        trade_mark: "全球通".into(),
        plan_name: plan.into(),
        effective_date: Some(common::Date {
            year: 2026,
            month: 4,
            day: 1,
        }),
        plan_description: "每月128元,含30GB流量。".into(),
    })
}

pub fn balance(balance_fen: i64, amount_fen: i64) -> Kind {
    Kind::BalanceChanged(pb::BalanceChanged {
        balance_fen,
        threshold_fen: 1_000,
        amount_fen,
    })
}

pub fn usage(threshold: i32, cycle: &str) -> Kind {
    Kind::DataUsage(pb::DataUsage {
        threshold_percent: threshold,
        used_percent: threshold,
        cycle: cycle.into(),
        quota_mb: 30_720,
        used_mb: 30_720 * i64::from(threshold) / 100,
        overage_fen: 0,
    })
}

pub fn roaming(country: &str, zone: &str) -> Kind {
    Kind::RoamingAttached(pb::RoamingAttached {
        country_code: country.into(),
        country_name: "日本".into(),
        time_zone: zone.into(),
        rates: "通话每分钟0.99元,流量每天25元".into(),
    })
}
