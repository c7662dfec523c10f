//! How an event's values are shown to the customer: money in yuan with two decimals, data in MB or
//! GB, dates and times on the operator's clock (Asia/Shanghai), as the billing system writes them.
//! Apart from the planning, which decides what to send, because these decide only how it reads.

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use chrono_tz::Asia::Shanghai;

use super::QueryChannel;

/// Fen as yuan with two decimals: 1250 is "12.50", -5 is "-0.05".
pub(super) fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// Megabytes as people read them: "800MB", "1.5GB"; nothing left is "0MB".
pub(super) fn megabytes(mb: i64) -> String {
    let mb = mb.max(0);
    if mb < 1024 {
        return format!("{mb}MB");
    }
    let gb = format!("{:.2}", mb as f64 / 1024.0);
    format!("{}GB", gb.trim_end_matches('0').trim_end_matches('.'))
}

pub(super) fn local_date(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&Shanghai).date_naive()
}

/// "3月9日".
pub(super) fn day_words(date: NaiveDate) -> String {
    format!("{}月{}日", date.month(), date.day())
}

/// "3月9日14:05", on the operator's clock.
pub(super) fn time_words(t: DateTime<Utc>) -> String {
    let local = t.with_timezone(&Shanghai);
    format!(
        "{}{:02}:{:02}",
        day_words(local.date_naive()),
        local.hour(),
        local.minute()
    )
}

pub(super) fn channel_words(channel: QueryChannel) -> &'static str {
    match channel {
        QueryChannel::Hall => "营业厅",
        QueryChannel::Hotline => "客服热线",
        QueryChannel::Web => "网上营业厅",
        QueryChannel::AccountManager => "客户经理",
        QueryChannel::Partner => "合作伙伴",
        QueryChannel::Admin => "运营管理",
    }
}
