//! Any sequence of moves, with values good and bad at any pace: the invariants the store and
//! the reports rely on hold after every step.

use proptest::prelude::*;
use proptest::sample::select;

use super::*;

fn any_move() -> impl Strategy<Value = Move> {
    let text = || select(vec!["", " ", "because the customer asked"]);
    let handler = select(vec!["", "staff-li", "staff-wang", "staff-zhao"]);
    let gap = proptest::option::of(select(RootCauseGap::ALL.to_vec()));
    prop_oneof![
        Just(Move::Acknowledge),
        Just(Move::StartWork),
        text().prop_map(|r| Move::WaitForCustomer { reason: r.into() }),
        Just(Move::ResumeWork),
        (select(ActionKind::ALL.to_vec()), text()).prop_map(|(kind, text)| Move::AddAction {
            kind,
            text: text.into()
        }),
        (handler, text()).prop_map(|(to, r)| Move::Transfer {
            to_handler: to.into(),
            reason: r.into()
        }),
        (text(), gap, proptest::option::of(text())).prop_map(|(r, gap, cannot)| {
            Move::Resolve {
                resolution: r.into(),
                root_cause_gap: gap,
                cannot_be_solved: cannot.map(str::to_owned),
            }
        }),
        Just(Move::ConfirmResolution),
        any::<bool>().prop_map(|automatic| Move::Close { automatic }),
        text().prop_map(|r| Move::Reopen { reason: r.into() }),
    ]
}

proptest! {
    #[test]
    fn any_sequence_keeps_the_owner_and_counts_accepted_moves(
        steps in proptest::collection::vec((any_move(), 0i64..24 * 12), 0..40)
    ) {
        let mut c = opened();
        let mut now = t0();
        let (mut accepted, mut reopens) = (0u64, 0u32);
        for (the_move, hours) in steps {
            now += TimeDelta::hours(hours);
            let before = c.clone();
            let is_reopen = the_move.name() == MoveName::Reopen;
            match apply(&mut c, the_move, "staff-zhou", now) {
                Ok(effects) => {
                    accepted += 1;
                    reopens += u32::from(is_reopen);
                    prop_assert_eq!(effects.to, c.state);
                }
                Err(_) => prop_assert_eq!(&c, &before),
            }
            prop_assert_eq!(&c.first_contact_owner, OWNER);
            prop_assert_eq!(c.version, 1 + accepted);
            prop_assert_eq!(c.timeline.len() as u64, c.version);
            prop_assert_eq!(c.reopen_count, reopens);
            prop_assert_eq!(c.resolution.is_some(), !c.is_open());
        }
    }
}
