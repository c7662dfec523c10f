//! What a survey is and how a response is scored, free of transport and storage: scenarios of
//! ordered key moments (`scenario`, the study's four in `seed`), checked responses
//! (`response`), their peak-end journey score (`score`), baselines and drop alerts
//! (`baseline`), daily roll-ups and the reports folded from them (`rollup`, `report`), survey
//! fatigue (`fatigue`), the invitation's link and context (`invitation`), and who calls an
//! unhappy customer back (`follow_up`); the policy holding the figures of all of these
//! (`policy`).

pub mod baseline;
pub mod codes;
pub mod fatigue;
pub mod follow_up;
pub mod invitation;
pub mod policy;
pub mod report;
pub mod response;
pub mod rollup;
pub mod scenario;
pub mod score;
pub mod seed;
pub(crate) mod text;

pub use baseline::{Alert, AlertRule, BaselineRule, Baselines, DEFAULT_BASELINE, Tally};
pub use codes::{GroupBy, Quadrant, Stage, SurveyChannel};
pub use fatigue::{FatigueRule, TooSoon};
pub use follow_up::{Detraction, DetractionReason, Thresholds, follow_up_owner};
pub use invitation::{SurveyContext, TokenRefusal, usable};
pub use policy::{PolicyValues, SurveyPolicy};
pub use report::{MomentRow, Report};
pub use response::{AttributeScore, RatedMoment, Response};
pub use rollup::{EndTally, NpsTally, PeakEndTally, Rollup};
pub use scenario::{Attribute, Moment, Scenario, ScenarioDraft};
pub use score::{Gap, JourneyScore, Mean, MomentFigure, NoPeakEnd, PeakEnd, PeakWeight, Weighted};
