use prost_types::Timestamp;
use vipcare_proto::complaint::v1::{Category, Channel, Severity};

use super::*;

fn at(seconds: i64) -> Option<Timestamp> {
    Some(Timestamp { seconds, nanos: 0 })
}

fn goal(done: bool, breached: bool) -> Option<SlaGoalStatus> {
    Some(SlaGoalStatus {
        due_at: at(1_000),
        done_at: if done { at(900) } else { None },
        breached,
        ..SlaGoalStatus::default()
    })
}

fn complaint(id: &str, state: ComplaintState) -> Complaint {
    Complaint {
        complaint_id: id.into(),
        customer_id: "c-1".into(),
        state: state as i32,
        sla: Some(SlaClock {
            response: goal(false, false),
            resolution: goal(false, false),
            ..SlaClock::default()
        }),
        ..Complaint::default()
    }
}

fn with_clock(mut c: Complaint, response: (bool, bool), resolution: (bool, bool)) -> Complaint {
    c.sla = Some(SlaClock {
        response: goal(response.0, response.1),
        resolution: goal(resolution.0, resolution.1),
        ..SlaClock::default()
    });
    c
}

/// What the reader keeps of a listed page, as it filters it.
fn open_of(listed: Vec<Complaint>) -> OpenComplaints {
    summarise(listed.into_iter().filter(is_open).collect())
}

#[test]
fn only_complaints_not_yet_resolved_or_closed_count_and_the_latest_is_the_first_listed() {
    use ComplaintState::*;
    let listed = vec![
        complaint("k-6", Closed),
        complaint("k-5", Resolved),
        complaint("k-4", Reopened),
        complaint("k-3", WaitingCustomer),
        complaint("k-2", InProgress),
        complaint("k-1", Open),
        complaint("k-0", Acknowledged),
    ];
    let open = open_of(listed);
    assert_eq!(open.count, 5);
    assert_eq!(open.overdue, 0);
    let latest = open.latest.expect("a latest one");
    assert_eq!(
        latest.complaint_id, "k-4",
        "most recently opened of the open ones"
    );
    assert_eq!(latest.state(), Reopened);
}

#[test]
fn none_open_is_a_count_of_zero_without_a_latest() {
    let open = open_of(vec![complaint("k-1", ComplaintState::Closed)]);
    assert_eq!(open, OpenComplaints::default());
}

#[test]
fn overdue_means_a_time_run_out_and_not_yet_met() {
    use ComplaintState::*;
    let listed = vec![
        // Not answered in time, still not answered.
        with_clock(
            complaint("late-answer", Open),
            (false, true),
            (false, false),
        ),
        // Answered late, then on track to resolve: not overdue now.
        with_clock(
            complaint("answered-late", InProgress),
            (true, true),
            (false, false),
        ),
        // The time to resolve has run out.
        with_clock(
            complaint("late-fix", InProgress),
            (true, false),
            (false, true),
        ),
        // A clock the list did not carry is not counted as overdue.
        Complaint {
            sla: None,
            ..complaint("no-clock", Acknowledged)
        },
        // Resolved late: no longer open, so not overdue either.
        with_clock(
            complaint("resolved-late", Resolved),
            (true, false),
            (true, true),
        ),
    ];
    let open = open_of(listed);
    assert_eq!((open.count, open.overdue), (4, 2));
}

#[test]
fn the_latest_is_shown_without_the_customers_words() {
    let listed = Complaint {
        channel: Channel::Hotline as i32,
        category: Category::Network as i32,
        severity: Severity::High as i32,
        summary: "张先生家里信号差,电话13800138000".into(),
        description: "住址:天河区……".into(),
        first_contact_owner: "staff-7".into(),
        handler: "staff-9".into(),
        tier_at_opening: "DIAMOND".into(),
        reopen_count: 1,
        create_time: at(500),
        sla: Some(SlaClock {
            started_at: at(500),
            pauses: vec![SlaPause {
                paused_at: at(600),
                resumed_at: at(700),
                reason: "请提供身份证号码".into(),
            }],
            ..SlaClock::default()
        }),
        ..complaint("k-1", ComplaintState::InProgress)
    };
    let shown = shown(listed);
    assert_eq!(
        shown,
        OpenComplaint {
            complaint_id: "k-1".into(),
            state: ComplaintState::InProgress as i32,
            category: Category::Network as i32,
            severity: Severity::High as i32,
            channel: Channel::Hotline as i32,
            first_contact_owner: "staff-7".into(),
            handler: "staff-9".into(),
            sla: Some(SlaClock {
                started_at: at(500),
                pauses: vec![SlaPause {
                    paused_at: at(600),
                    resumed_at: at(700),
                    reason: String::new(),
                }],
                ..SlaClock::default()
            }),
            reopen_count: 1,
            create_time: at(500),
        }
    );
}
