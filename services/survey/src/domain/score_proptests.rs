//! Any partial response to any seeded scenario, any peak weight: the figures stay on the
//! rating scale and the peak is always a rated moment of the greatest intensity.

use proptest::prelude::*;

use super::*;

fn any_response() -> impl Strategy<Value = (Response, f64)> {
    let scenarios = seed::scenarios();
    (
        0..scenarios.len(),
        prop::collection::vec(prop::option::of(1..=5i32), 10),
        0.0..=1.0f64,
    )
        .prop_filter_map("rate at least one moment", move |(s, scores, w)| {
            let scenario = &scenarios[s];
            let pairs: Vec<(String, i32)> = scenario
                .moments()
                .iter()
                .zip(scores)
                .filter_map(|(m, score)| score.map(|s| (m.code.clone(), s)))
                .collect();
            let response = Response::new(scenario, &pairs, &[], None, "").ok()?;
            Some((response, w))
        })
}

proptest! {
    #[test]
    fn figures_stay_on_the_scale((response, w) in any_response()) {
        let score = JourneyScore::of(&response, &|_| 4.0, PeakWeight::new(w).unwrap());
        let on_scale = |x: f64| (1.0 - 1e-9..=5.0 + 1e-9).contains(&x);
        prop_assert!(on_scale(score.mean.value));
        prop_assert!(on_scale(score.weighted.value));
        if let Ok(peak_end) = &score.peak_end {
            prop_assert!(on_scale(peak_end.value));
        }
        let total: f64 = score.weighted.weights.iter().map(|(_, w)| w).sum();
        prop_assert!((total - 1.0).abs() < 1e-9);
    }

    #[test]
    fn the_peak_is_a_rated_moment_of_greatest_intensity((response, w) in any_response()) {
        let score = JourneyScore::of(&response, &|_| 4.0, PeakWeight::new(w).unwrap());
        let peak = response.rated_moment(&score.peak.moment);
        prop_assert!(peak.is_some_and(|m| m.score == score.peak.score));
        let most = response.rated().iter().map(|m| m.score.abs_diff(NEUTRAL)).max().unwrap();
        prop_assert_eq!(score.peak.score.abs_diff(NEUTRAL), most);
    }

    #[test]
    fn peak_end_exists_exactly_when_the_end_is_rated((response, w) in any_response()) {
        let score = JourneyScore::of(&response, &|_| 4.0, PeakWeight::new(w).unwrap());
        let end_rated = response.rated_moment(response.end_moment()).is_some();
        prop_assert_eq!(score.peak_end.is_ok(), end_rated);
    }
}
