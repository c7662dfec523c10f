//! Inputs for property tests of request validators: near-valid samples mixed with arbitrary
//! values, so the checks behind a field's first one are reached too.

use proptest::prelude::*;
use proptest::sample::{Index, select};

/// Near-valid samples, arbitrary strings, samples with one arbitrary character inserted, and
/// samples repeated past any length limit.
pub fn text(samples: &'static [&'static str]) -> BoxedStrategy<String> {
    let spliced = (select(samples), any::<char>(), any::<Index>()).prop_map(|(s, c, at)| {
        let bounds: Vec<usize> = s.char_indices().map(|(i, _)| i).chain([s.len()]).collect();
        let mut out = s.to_owned();
        out.insert(*at.get(&bounds), c);
        out
    });
    prop_oneof![
        3 => select(samples).prop_map(str::to_owned),
        2 => any::<String>(),
        2 => spliced,
        1 => (select(samples), 1..40_usize).prop_map(|(s, n)| s.repeat(n)),
    ]
    .boxed()
}
