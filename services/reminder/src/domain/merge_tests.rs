use super::*;

fn t(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

const TARIFF: &str =
    "您的畅享套餐月费58元，含国内流量30GB、通话100分钟；超出后流量5元/GB，通话0.19元/分钟。";
const PROMOTION: &str = "开户优惠：前三个月月费打五折，每月另送5GB流量，自动到账，无需办理。";
const TOP_UP: &str = "您充值的100元已到账，当前余额100元。查话费请发CXHF到10086。";
const SURVEY: &str = "请为本次开户服务打分：回复1至5，5为非常满意，回复免费。";

fn item(id: u32, priority: i32, planned: &str, text: &str) -> MergeItem<u32> {
    MergeItem {
        id,
        customer_id: "C1001".into(),
        channel: ContactChannel::Sms,
        priority,
        planned_at: t(planned),
        mergeable: true,
        text: text.into(),
    }
}

fn opening_in_scrambled_order() -> Vec<MergeItem<u32>> {
    vec![
        item(4, 40, "2024-05-01T02:00:00Z", SURVEY),
        item(3, 30, "2024-05-01T02:03:00Z", TOP_UP),
        item(1, 10, "2024-05-01T02:10:00Z", TARIFF),
        item(2, 20, "2024-05-01T02:06:00Z", PROMOTION),
    ]
}

#[test]
fn account_opening_arrives_as_one_message_in_priority_order() {
    let messages = plan_messages(opening_in_scrambled_order(), &MergePolicy::default());
    assert_eq!(messages.len(), 1);
    let m = &messages[0];
    assert_eq!(m.text, [TARIFF, PROMOTION, TOP_UP, SURVEY].join("\n"));
    assert_eq!(m.reminder_ids, vec![1, 2, 3, 4]);
    assert_eq!(
        m.send_at,
        t("2024-05-01T02:00:00Z"),
        "the earliest planned time"
    );
    assert!(segments::count(&m.text).segments <= 5);
}

#[test]
fn a_tight_segment_limit_splits_between_parts_keeping_the_order() {
    let one =
        MergePolicy::new(TimeDelta::minutes(10), "\n", SegmentLimit::new(1).unwrap()).unwrap();
    let messages = plan_messages(opening_in_scrambled_order(), &one);
    let texts: Vec<&str> = messages.iter().map(|m| m.text.as_str()).collect();
    let last = format!("{TOP_UP}\n{SURVEY}");
    assert_eq!(
        texts,
        [TARIFF, PROMOTION, last.as_str()],
        "the two short ones still share"
    );
    for m in &messages {
        assert_eq!(segments::count(&m.text).segments, 1);
        assert_eq!(m.send_at, t("2024-05-01T02:00:00Z"));
    }
    // Two segments (134 units) hold the first three (126 with separators).
    let two =
        MergePolicy::new(TimeDelta::minutes(10), "\n", SegmentLimit::new(2).unwrap()).unwrap();
    let ids: Vec<_> = plan_messages(opening_in_scrambled_order(), &two)
        .into_iter()
        .map(|m| m.reminder_ids)
        .collect();
    assert_eq!(ids, [vec![1, 2, 3], vec![4]]);
}

#[test]
fn the_window_reaches_exactly_ten_minutes_from_the_earliest() {
    let items = vec![
        item(1, 1, "2024-05-01T02:00:00Z", "一"),
        item(2, 1, "2024-05-01T02:10:00Z", "二"),
        item(3, 1, "2024-05-01T02:10:01Z", "三"),
        item(4, 1, "2024-05-01T02:20:01Z", "四"),
        item(5, 1, "2024-05-01T02:20:02Z", "五"),
    ];
    let messages = plan_messages(items, &MergePolicy::default());
    let got: Vec<_> = messages
        .iter()
        .map(|m| (m.send_at, m.reminder_ids.clone()))
        .collect();
    assert_eq!(
        got,
        [
            (t("2024-05-01T02:00:00Z"), vec![1, 2]),
            (t("2024-05-01T02:10:01Z"), vec![3, 4]),
            (t("2024-05-01T02:20:02Z"), vec![5]),
        ]
    );
}

#[test]
fn equal_priorities_go_by_planned_time_then_id() {
    let items = vec![
        item(9, 5, "2024-05-01T02:05:00Z", "c"),
        item(8, 5, "2024-05-01T02:01:00Z", "b"),
        item(7, 5, "2024-05-01T02:05:00Z", "d"),
        item(6, 1, "2024-05-01T02:09:00Z", "a"),
    ];
    let messages = plan_messages(items, &MergePolicy::default());
    assert_eq!(messages[0].reminder_ids, vec![6, 8, 7, 9]);
    assert_eq!(messages[0].text, "a\nb\nd\nc");
}

#[test]
fn non_mergeable_reminders_and_other_customers_or_channels_go_alone() {
    let mut arrears = item(1, 0, "2024-05-01T02:01:00Z", "欠费提醒");
    arrears.mergeable = false;
    let mut push = item(2, 5, "2024-05-01T02:02:00Z", "推送");
    push.channel = ContactChannel::AppPush;
    let mut other = item(3, 5, "2024-05-01T02:02:00Z", "他人");
    other.customer_id = "C2002".into();
    let items = vec![
        arrears,
        push,
        other,
        item(4, 5, "2024-05-01T02:00:00Z", "甲"),
        item(5, 6, "2024-05-01T02:03:00Z", "乙"),
    ];
    let messages = plan_messages(items, &MergePolicy::default());
    let got: Vec<_> = messages
        .iter()
        .map(|m| (m.customer_id.as_str(), m.channel, m.reminder_ids.clone()))
        .collect();
    assert_eq!(
        got,
        [
            ("C1001", ContactChannel::Sms, vec![4, 5]),
            ("C1001", ContactChannel::Sms, vec![1]),
            ("C1001", ContactChannel::AppPush, vec![2]),
            ("C2002", ContactChannel::Sms, vec![3]),
        ]
    );
}

#[test]
fn channels_without_segments_are_never_split() {
    let one = MergePolicy::new(
        TimeDelta::minutes(10),
        "\n\n",
        SegmentLimit::new(1).unwrap(),
    )
    .unwrap();
    let items: Vec<_> = opening_in_scrambled_order()
        .into_iter()
        .map(|mut i| {
            i.channel = ContactChannel::Email;
            i
        })
        .collect();
    let messages = plan_messages(items, &one);
    assert_eq!(messages.len(), 1);
    assert_eq!(
        messages[0].text,
        [TARIFF, PROMOTION, TOP_UP, SURVEY].join("\n\n")
    );
}

#[test]
fn an_over_long_reminder_is_cut_and_named_in_each_piece() {
    let long = "长".repeat(100);
    let one =
        MergePolicy::new(TimeDelta::minutes(10), "\n", SegmentLimit::new(1).unwrap()).unwrap();
    let items = vec![
        item(1, 1, "2024-05-01T02:00:00Z", "短"),
        item(2, 2, "2024-05-01T02:00:00Z", &long),
    ];
    let ids: Vec<_> = plan_messages(items, &one)
        .into_iter()
        .map(|m| m.reminder_ids)
        .collect();
    assert_eq!(ids, [vec![1], vec![2], vec![2]]);
    assert!(plan_messages::<u32>(vec![], &MergePolicy::default()).is_empty());
}

#[test]
fn bad_policies_name_the_field() {
    let limit = SegmentLimit::default();
    assert_eq!(
        MergePolicy::new(TimeDelta::minutes(-1), "\n", limit)
            .unwrap_err()
            .field,
        "window"
    );
    assert_eq!(
        MergePolicy::new(TimeDelta::days(2), "\n", limit)
            .unwrap_err()
            .field,
        "window"
    );
    assert_eq!(
        MergePolicy::new(TimeDelta::zero(), "123456789", limit)
            .unwrap_err()
            .field,
        "separator"
    );
    let p = MergePolicy::default();
    assert_eq!(
        (p.window(), p.sms_limit().get()),
        (TimeDelta::minutes(10), 5)
    );
}
