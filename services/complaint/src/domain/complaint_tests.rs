use super::*;

fn t(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn values() -> NewComplaint {
    NewComplaint {
        customer_id: "c-1001".into(),
        channel: Some(Channel::Hotline),
        category: Some(Category::Billing),
        severity: Some(Severity::Medium),
        summary: "charged twice for the May roaming pack".into(),
        description: "Called on 3 June.\nSecond charge on the 4th.".into(),
        first_contact_owner: "staff-li".into(),
    }
}

fn fields(result: Result<ComplaintDraft, Vec<Violation>>) -> Vec<String> {
    result.unwrap_err().into_iter().map(|v| v.field).collect()
}

#[test]
fn a_draft_keeps_what_was_taken_and_when() {
    let now = t("2024-06-05T02:00:00Z");
    let draft = ComplaintDraft::new(values(), now).unwrap();
    assert_eq!(draft.customer_id, "c-1001");
    assert_eq!(draft.severity, Severity::Medium);
    assert_eq!(
        draft.description,
        "Called on 3 June.\nSecond charge on the 4th."
    );
    assert_eq!(draft.opened_at, now);
}

#[test]
fn every_missing_field_is_named_at_once_and_the_description_may_be_empty() {
    let now = t("2024-06-05T02:00:00Z");
    assert_eq!(
        fields(ComplaintDraft::new(NewComplaint::default(), now)),
        [
            "customer_id",
            "channel",
            "category",
            "severity",
            "summary",
            "first_contact_owner"
        ]
    );
    let no_description = NewComplaint {
        description: String::new(),
        ..values()
    };
    assert!(ComplaintDraft::new(no_description, now).is_ok());
}

#[test]
fn summary_and_description_are_bounded_and_clean() {
    let now = t("2024-06-05T02:00:00Z");
    let with = |summary: String, description: String| {
        ComplaintDraft::new(
            NewComplaint {
                summary,
                description,
                ..values()
            },
            now,
        )
    };
    assert!(with("话".repeat(MAX_SUMMARY_CHARS), String::new()).is_ok());
    assert_eq!(
        fields(with("话".repeat(MAX_SUMMARY_CHARS + 1), String::new())),
        ["summary"]
    );
    assert_eq!(
        fields(with("two\nlines".into(), String::new())),
        ["summary"]
    );
    assert_eq!(fields(with("   ".into(), String::new())), ["summary"]);
    assert_eq!(
        fields(with("ok".into(), "x".repeat(MAX_DESCRIPTION_CHARS + 1))),
        ["description"]
    );
    assert_eq!(
        fields(with("ok".into(), "hidden \u{202E}text".into())),
        ["description"]
    );
    let spaced_owner = NewComplaint {
        first_contact_owner: "staff li".into(),
        ..values()
    };
    assert_eq!(
        fields(ComplaintDraft::new(spaced_owner, now)),
        ["first_contact_owner"]
    );
}

#[test]
fn a_new_complaint_is_open_handled_by_its_owner_with_one_timeline_entry() {
    let now = t("2024-06-05T02:00:00Z");
    let draft = ComplaintDraft::new(values(), now).unwrap();
    let c = Complaint::open("cp-1".into(), draft, "DIAMOND".into(), None);
    assert_eq!(c.state, ComplaintState::Open);
    assert_eq!(c.first_contact_owner, "staff-li");
    assert_eq!(c.handler, "staff-li");
    assert_eq!(c.opened_at, now);
    assert_eq!(c.tier_at_opening, "DIAMOND");
    assert_eq!((c.version, c.reopen_count), (1, 0));
    assert!(c.is_open() && c.resolution.is_none() && c.related_ids.is_empty());
    assert_eq!(c.timeline.len(), 1);
    assert_eq!(c.timeline[0].kind, EntryKind::Opened);
    assert_eq!(c.timeline[0].actor, "staff-li");
    assert_eq!(c.timeline[0].text, "opened via HOTLINE");
}

#[test]
fn a_repeat_opens_linked_and_one_severity_higher() {
    let now = t("2024-06-05T02:00:00Z");
    let draft = ComplaintDraft::new(values(), now).unwrap();
    let repeat = Repeat {
        of: "cp-0".into(),
        severity: Severity::High,
    };
    let c = Complaint::open("cp-1".into(), draft, "GOLD".into(), Some(repeat));
    assert_eq!(c.severity, Severity::High);
    assert_eq!(c.related_ids, ["cp-0"]);
    assert!(c.timeline[0].text.contains("repeats cp-0"));
}

#[test]
fn entry_kind_codes_round_trip() {
    for k in EntryKind::ALL {
        assert_eq!(EntryKind::from_code(k.code()), Some(*k));
    }
}
