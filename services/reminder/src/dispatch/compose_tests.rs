use chrono::TimeDelta;

use super::*;
use crate::dispatch::testing::{claimed, t};
use crate::domain::Touchpoint;
use crate::domain::rule::default_rule;

const NOON: &str = "2026-03-02T04:00:00Z";

fn ready(id: &str, touchpoint: Touchpoint, text: &str) -> Ready {
    let rule = default_rule(touchpoint);
    Ready {
        reminder: claimed(id, touchpoint, text, t(NOON)),
        channel: ContactChannel::Sms,
        channels: rule.default_channels.clone(),
        mergeable: rule.mergeable,
        counted: true,
        important: false,
    }
}

fn all(ready: &[Ready]) -> Vec<usize> {
    (0..ready.len()).collect()
}

fn texts(unit: &Unit) -> Vec<&str> {
    unit.pieces.iter().map(|p| p.text.as_str()).collect()
}

#[test]
fn the_account_opening_goes_as_one_message_in_the_redesigned_order() {
    // Scheduled survey first, tariff last: the order of arrival must not matter.
    let ready = vec![
        ready("r-1", Touchpoint::SurveyInvitation, "请为本次开户服务打分"),
        ready("r-2", Touchpoint::LowBalance, "您已充值100元"),
        ready("r-3", Touchpoint::TopupRebate, "充100返50,分5个月返还"),
        ready("r-4", Touchpoint::AccountOpening, "您的套餐是5G畅享套餐"),
    ];
    let units = units(&ready, &all(&ready), &MergePolicy::default());
    assert_eq!(units.len(), 1);
    let unit = &units[0];
    assert_eq!(
        texts(unit),
        ["您的套餐是5G畅享套餐\n充100返50,分5个月返还\n您已充值100元\n请为本次开户服务打分"]
    );
    assert_eq!(unit.members, [3, 2, 1, 0]);
    assert!(unit.counted);
    // One message, four attempts: each reminder's attempt id names its place in it.
    let id = &unit.pieces[0].id;
    assert_eq!(unit.attempt_ids(3), Some((id.clone(), format!("{id}.1"))));
    assert_eq!(unit.attempt_ids(0), Some((id.clone(), format!("{id}.4"))));
}

#[test]
fn ids_are_the_same_for_the_same_message_and_differ_for_another() {
    let mut ready = vec![
        ready("r-1", Touchpoint::PlanChange, "套餐变更"),
        ready("r-2", Touchpoint::Care, "生日快乐"),
    ];
    let merge = MergePolicy::default();
    let first = units(&ready, &all(&ready), &merge);
    assert_eq!(first, units(&ready, &all(&ready), &merge));
    let id = first[0].pieces[0].id.clone();
    assert!(id.starts_with("m-") && id.len() == 34, "{id}");
    // A retry (another attempt number) is another message.
    ready[0].reminder.attempts = 1;
    assert_ne!(units(&ready, &all(&ready), &merge)[0].pieces[0].id, id);
    ready[0].reminder.attempts = 0;
    // So is the same text on another channel.
    for r in &mut ready {
        r.channel = ContactChannel::AppPush;
    }
    assert_ne!(units(&ready, &all(&ready), &merge)[0].pieces[0].id, id);
    // And the same reminder alone.
    assert_ne!(units(&ready, &[0], &merge)[0].pieces[0].id, id);
}

#[test]
fn what_a_dead_worker_was_handing_over_goes_again_as_it_went() {
    let ready = vec![
        ready("r-1", Touchpoint::PlanChange, "套餐变更"),
        ready("r-2", Touchpoint::Care, "生日快乐"),
        ready("r-3", Touchpoint::TopupRebate, "充100返50"),
    ];
    let merge = MergePolicy::default();
    // The dead worker's claim held r-1 and r-2 only; the takeover claims all three.
    let went = units(&ready, &[0, 1], &merge);
    let unit = went[0].pieces[0].id.clone();
    let handing_over: HashMap<String, String> = [("r-1", &unit), ("r-2", &unit)]
        .into_iter()
        .map(|(r, u)| (r.to_owned(), u.clone()))
        .collect();
    let again = units_again(&ready, &handing_over, &merge);
    assert_eq!(again.len(), 2, "{again:?}");
    let resent = again.iter().find(|u| u.members.contains(&0)).unwrap();
    assert_eq!(resent, &went[0], "the same message under the same key");
    assert!(again.iter().any(|u| u.members == [2]));
    // Nothing handed over: all three merge, as on a first claim.
    let fresh = units_again(&ready, &HashMap::new(), &merge);
    assert_eq!(fresh, units(&ready, &all(&ready), &merge));
}

#[test]
fn what_does_not_merge_goes_alone_and_a_long_text_in_pieces_of_one_unit() {
    let mut ready = vec![
        ready("r-1", Touchpoint::ComplaintProgress, "您的投诉已处理"),
        ready("r-2", Touchpoint::Care, &"长".repeat(400)),
    ];
    ready[1].reminder.planned_send_at = t(NOON) + TimeDelta::minutes(1);
    let units = units(&ready, &all(&ready), &MergePolicy::default());
    assert_eq!(units.len(), 2);
    assert_eq!(units[0].members, [0]);
    let long = &units[1];
    assert_eq!(long.members, [1]);
    assert!(long.pieces.len() >= 2, "{} pieces", long.pieces.len());
    assert_eq!(
        long.pieces
            .iter()
            .map(|p| p.text.as_str())
            .collect::<String>(),
        "长".repeat(400)
    );
    let ids: Vec<&str> = long.pieces.iter().map(|p| p.id.as_str()).collect();
    assert!(ids.windows(2).all(|w| w[0] != w[1]));
    // Its attempt is recorded under the first piece.
    let first = long.pieces[0].id.clone();
    assert_eq!(long.attempt_ids(1), Some((first.clone(), first)));
}

#[test]
fn the_cap_admits_the_most_important_messages_first() {
    let mut ready = vec![
        ready("r-1", Touchpoint::SurveyInvitation, "请打分"),
        ready("r-2", Touchpoint::PlanChange, "套餐变更"),
        ready("r-3", Touchpoint::PromotionExpiry, "优惠到期"),
        ready("r-4", Touchpoint::Care, "生日快乐"),
    ];
    for r in &mut ready {
        r.mergeable = false;
    }
    // A retry is not counted again.
    ready[3].counted = false;
    let units = units(&ready, &all(&ready), &MergePolicy::default());
    let (admitted, held) = admit(units, &ready, 3, 5);
    let members = |us: &[Unit]| us.iter().map(|u| u.members[0]).collect::<Vec<_>>();
    let mut sent = members(&admitted);
    sent.sort_unstable();
    assert_eq!(sent, [1, 2, 3]);
    assert_eq!(members(&held), [0]);
    // At the cap already, only the uncounted goes.
    let units = super::units(&ready, &all(&ready), &MergePolicy::default());
    let (admitted, held) = admit(units, &ready, 5, 5);
    assert_eq!(members(&admitted), [3]);
    assert_eq!(held.len(), 3);
}
