//! The survey link: a customer opens the invitation's link on a phone, and the page calls the
//! gateway over gRPC-Web with no API key of its own. Such a request, for GetInvitation or
//! SubmitResponse only, passes as one built-in client, `survey-link` (channel `web`, scopes
//! exactly `survey:respond`), with its own rate-limit bucket (`gateway.survey_link_per_second`,
//! 0: off). Any other keyless request stays UNAUTHENTICATED, and a request that carries an
//! `authorization` header is judged by its key alone: a wrong key is never downgraded to this.
//!
//! The gateway does not see the token. The survey service gets the caller headers of this
//! client and must take only the token form of these calls from it (never a customer id,
//! scenario and context, which only a counter holding `survey:write` may send).

use std::sync::Arc;

use http::HeaderMap;
use http::header::AUTHORIZATION;
use vipcare_runtime::Caller;

use super::Client;
use super::rate_limit::RateClock;
use crate::scopes;

/// The client name services see for a customer answering from the link; no configured client
/// may take it.
pub const CLIENT_NAME: &str = "survey-link";
/// The channel of the link: a browser page.
pub const CHANNEL: &str = "web";
/// The only methods a request without a key may reach.
pub const PATHS: [&str; 2] = [
    "/vipcare.survey.v1.SurveyService/GetInvitation",
    "/vipcare.survey.v1.SurveyService/SubmitResponse",
];

/// The built-in client, or `None` when the setting turns the link off.
pub fn client(rate_per_second: f64, burst: u32, clock: Arc<dyn RateClock>) -> Option<Client> {
    (rate_per_second > 0.0).then(|| {
        let caller = Caller::new(CLIENT_NAME, CHANNEL, &[scopes::SURVEY_RESPOND]);
        Client::with_clock(caller, rate_per_second, burst, clock)
    })
}

/// Whether a request that presented no usable key may still go on as the link client: it sent
/// no `authorization` header at all, and asks for one of the link's methods.
pub fn admits(path: &str, headers: &HeaderMap) -> bool {
    !headers.contains_key(AUTHORIZATION) && PATHS.contains(&path)
}
