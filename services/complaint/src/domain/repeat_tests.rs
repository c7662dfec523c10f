use super::*;

fn t(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn earlier(id: &str, category: Category, opened_at: &str) -> EarlierComplaint {
    EarlierComplaint {
        id: id.into(),
        category,
        opened_at: t(opened_at),
    }
}

#[test]
fn the_same_category_within_30_days_links_to_the_most_recent_and_raises_severity() {
    let now = t("2024-06-30T08:00:00Z");
    let history = [
        earlier("cp-1", Category::Billing, "2024-06-02T09:00:00Z"),
        earlier("cp-3", Category::Billing, "2024-06-20T09:00:00Z"),
        earlier("cp-2", Category::Network, "2024-06-25T09:00:00Z"),
    ];
    assert_eq!(
        find_repeat(Category::Billing, Severity::Medium, now, &history),
        Some(Repeat {
            of: "cp-3".into(),
            severity: Severity::High
        })
    );
    assert_eq!(
        find_repeat(Category::Network, Severity::Critical, now, &history),
        Some(Repeat {
            of: "cp-2".into(),
            severity: Severity::Critical
        })
    );
    assert_eq!(
        find_repeat(Category::Price, Severity::Low, now, &history),
        None
    );
}

#[test]
fn the_window_is_30_days_to_the_second() {
    let now = t("2024-06-30T08:00:00Z");
    let on_the_edge = [earlier("cp-1", Category::Billing, "2024-05-31T08:00:00Z")];
    assert!(find_repeat(Category::Billing, Severity::Low, now, &on_the_edge).is_some());
    let just_out = [earlier("cp-1", Category::Billing, "2024-05-31T07:59:59Z")];
    assert_eq!(
        find_repeat(Category::Billing, Severity::Low, now, &just_out),
        None
    );
    assert_eq!(
        find_repeat(Category::Billing, Severity::Low, now, &[]),
        None
    );
}

#[test]
fn the_answer_does_not_depend_on_the_order_given() {
    let now = t("2024-06-30T08:00:00Z");
    let mut history = vec![
        earlier("cp-a", Category::Billing, "2024-06-20T09:00:00Z"),
        earlier("cp-b", Category::Billing, "2024-06-20T09:00:00Z"),
        earlier("cp-c", Category::Billing, "2024-06-10T09:00:00Z"),
    ];
    let first = find_repeat(Category::Billing, Severity::Low, now, &history);
    history.reverse();
    assert_eq!(
        find_repeat(Category::Billing, Severity::Low, now, &history),
        first
    );
    assert_eq!(first.unwrap().of, "cp-b");
}
