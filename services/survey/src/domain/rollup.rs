//! The additive roll-ups reports are folded from: per day (and per hall, staff, tier or
//! channel, as the caller keys them) the store keeps one [`Rollup`] per scenario, and a report
//! over any period is the merge of its days — never a scan of raw responses.

use std::collections::BTreeMap;

use super::baseline::Tally;
use super::response::Response;
use super::score::JourneyScore;

/// Answers to "how likely are you to recommend us", 0-10.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NpsTally {
    /// 9-10.
    pub promoters: u64,
    /// 7-8.
    pub passives: u64,
    /// 0-6.
    pub detractors: u64,
}

impl NpsTally {
    pub fn add(&mut self, nps: u8) {
        match nps {
            9.. => self.promoters += 1,
            7..=8 => self.passives += 1,
            _ => self.detractors += 1,
        }
    }

    pub fn merge(&mut self, other: NpsTally) {
        self.promoters += other.promoters;
        self.passives += other.passives;
        self.detractors += other.detractors;
    }

    /// % promoters − % detractors, −100 to 100; `None` without answers.
    pub fn score(self) -> Option<f64> {
        let n = self.promoters + self.passives + self.detractors;
        (n > 0).then(|| 100.0 * (self.promoters as f64 - self.detractors as f64) / n as f64)
    }
}

/// Scores of the end moment: how the experience ended is what customers are satisfied with.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EndTally {
    pub n: u64,
    /// Scored 4 or 5.
    pub satisfied: u64,
}

impl EndTally {
    pub fn add(&mut self, score: u8) {
        self.n += 1;
        self.satisfied += u64::from(score >= 4);
    }

    pub fn merge(&mut self, other: EndTally) {
        self.n += other.n;
        self.satisfied += other.satisfied;
    }

    /// CSAT: % of end-moment scores that are 4 or 5; `None` without any.
    pub fn csat(self) -> Option<f64> {
        (self.n > 0).then(|| 100.0 * self.satisfied as f64 / self.n as f64)
    }
}

/// Peak-end scores, summed.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct PeakEndTally {
    pub n: u64,
    pub sum: f64,
}

impl PeakEndTally {
    pub fn merge(&mut self, other: PeakEndTally) {
        self.n += other.n;
        self.sum += other.sum;
    }

    pub fn mean(self) -> Option<f64> {
        (self.n > 0).then(|| self.sum / self.n as f64)
    }
}

/// Everything a report needs of a set of responses to one scenario.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rollup {
    pub responses: u64,
    /// Scores per moment code.
    pub moments: BTreeMap<String, Tally>,
    pub nps: NpsTally,
    pub end: EndTally,
    pub peak_end: PeakEndTally,
}

impl Rollup {
    /// Counts one response and its score.
    pub fn add(&mut self, response: &Response, score: &JourneyScore) {
        self.responses += 1;
        for m in response.rated() {
            self.moments.entry(m.code.clone()).or_default().add(m.score);
        }
        if let Some(nps) = response.nps() {
            self.nps.add(nps);
        }
        if let Some(end) = &score.end {
            self.end.add(end.score);
        }
        if let Ok(peak_end) = &score.peak_end {
            self.peak_end.n += 1;
            self.peak_end.sum += peak_end.value;
        }
    }

    pub fn merge(&mut self, other: &Rollup) {
        self.responses += other.responses;
        for (code, tally) in &other.moments {
            self.moments.entry(code.clone()).or_default().merge(*tally);
        }
        self.nps.merge(other.nps);
        self.end.merge(other.end);
        self.peak_end.merge(other.peak_end);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nps_is_promoters_minus_detractors_in_percent() {
        let mut nps = NpsTally::default();
        assert_eq!(nps.score(), None);
        for answer in [10, 9, 8, 7, 6, 0, 9, 10] {
            nps.add(answer);
        }
        // 4 promoters, 2 passives, 2 detractors of 8: 50% − 25% = 25
        assert_eq!(
            nps,
            NpsTally {
                promoters: 4,
                passives: 2,
                detractors: 2
            }
        );
        assert_eq!(nps.score(), Some(25.0));
    }

    #[test]
    fn csat_counts_fours_and_fives_of_the_end_moment() {
        let mut end = EndTally::default();
        assert_eq!(end.csat(), None);
        for score in [5, 4, 3, 1] {
            end.add(score);
        }
        assert_eq!(end.csat(), Some(50.0));
    }

    #[test]
    fn merging_days_is_adding_them() {
        let mut monday = Rollup {
            responses: 2,
            ..Rollup::default()
        };
        monday
            .moments
            .insert("ARRIVAL".into(), Tally { n: 2, sum: 9 });
        monday.nps.add(10);
        monday.end.add(5);
        monday.peak_end = PeakEndTally { n: 1, sum: 4.5 };
        let mut tuesday = Rollup {
            responses: 1,
            ..Rollup::default()
        };
        tuesday
            .moments
            .insert("ARRIVAL".into(), Tally { n: 1, sum: 2 });
        tuesday
            .moments
            .insert("MEETING".into(), Tally { n: 1, sum: 3 });
        tuesday.nps.add(3);
        tuesday.end.add(2);
        tuesday.peak_end = PeakEndTally { n: 1, sum: 2.5 };

        let mut week = Rollup::default();
        week.merge(&monday);
        week.merge(&tuesday);
        assert_eq!(week.responses, 3);
        assert_eq!(week.moments["ARRIVAL"], Tally { n: 3, sum: 11 });
        assert_eq!(week.moments["MEETING"], Tally { n: 1, sum: 3 });
        assert_eq!(week.nps.score(), Some(0.0));
        assert_eq!(week.end, EndTally { n: 2, satisfied: 1 });
        assert_eq!(week.peak_end.mean(), Some(3.5));
    }
}
