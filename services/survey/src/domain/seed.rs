//! The four scenarios of the Zhongshan study (2008, DOMAIN.md section 5): 32 key moments in
//! the study's order, its peak and end moments, and per moment the customer needs it lists as
//! the attributes a customer rates.
//!
//! Importance per moment: the source text gives only each scenario's mean (4.45, 4.21, 4.00,
//! 4.32), not the per-moment chart, so the values below are chosen to reproduce those means
//! exactly, with every peak and the end moment above the mean, as the study found them.
//!
//! Stages follow the study's colouring (接触 / 操作 / 结束); leaving moments and the end moment
//! are END. Three attributes are not listed needs but drawn from the blueprints around them,
//! to give every moment at least three: the hall's arrival `VEHICLE_SAFE` (the parking need the
//! study records at leaving), the event's assistance `HANDLE_INCIDENTS` (its back-office
//! 突发事件处理) and farewell `CARING_FAREWELL` (the end stage's "caring like family").

use super::codes::Stage::{self, Contact, End, Operation};
use super::scenario::{Attribute, Moment, Scenario, ScenarioDraft};

/// Every seeded scenario is published as version 1.
pub const SEED_VERSION: u32 = 1;

/// One moment as the tables below write it: code, name, stage, importance, peak, attributes.
type Row = (
    &'static str,
    &'static str,
    Stage,
    f64,
    bool,
    &'static [(&'static str, &'static str)],
);

const PEAK: bool = true;
const PLAIN: bool = false;

#[rustfmt::skip]
const ON_SITE_VISIT: &[Row] = &[
    ("APPOINTMENT", "预约", Contact, 4.62, PEAK, &[
        ("APPROPRIATE_TIME", "在适当的时间预约"),
        ("KNOW_NEEDS_AHEAD", "提前掌握手机使用情况、个人需求"),
        ("STATE_PURPOSE", "简要说明拜访理由和目的"),
        ("VALUABLE_MEETING", "见面是有价值的"),
        ("CUSTOMER_CONVENIENCE", "按客户的方便约定时间、地点和拜访时长"),
        ("CUSTOMER_LANGUAGE", "使用客户擅长的语言"),
    ]),
    ("ARRIVAL", "到达", Contact, 4.38, PLAIN, &[
        ("GOOD_ATTITUDE", "态度良好"),
        ("NEAT_APPEARANCE", "仪容仪表端庄整洁、举止得体"),
        ("ON_TIME", "准时到达"),
        ("STATE_PURPOSE", "说明此行目的"),
        ("CONFIRM_BY_PHONE", "到达前电话再次确认见面的时间、地点"),
    ]),
    ("MEETING", "见面", Contact, 4.30, PLAIN, &[
        ("FRIENDLY_SMILE", "态度良好、保持微笑"),
        ("NEAT_APPEARANCE", "仪容仪表端庄整洁、举止得体"),
        ("GENTLE_TONE", "语气温和可亲、语调语速适中"),
        ("STATE_PURPOSE", "说明此行目的"),
        ("PLEASANT_ATMOSPHERE", "营造融洽的会谈氛围"),
        ("PHONE_SILENT", "手机调振，谈话过程不要接听电话"),
    ]),
    ("RELATIONSHIP_CARE", "关系维护", Operation, 4.21, PLAIN, &[
        ("TOPICS_OF_INTEREST", "谈论客户感兴趣的日常话题"),
        ("GIFT", "有精美礼品赠送"),
        ("HEAR_OPINIONS", "了解客户的意见、建议和需求"),
        ("TIMELY_OFFERS", "及时告知优惠和活动等信息"),
        ("EASY_TALK", "与客户轻松互动，朋友般的交谈"),
    ]),
    ("BUSINESS_HANDLING", "业务办理", Operation, 4.44, PLAIN, &[
        ("FRIENDLY_SMILE", "态度良好，保持微笑"),
        ("WELL_PREPARED", "前期准备充分、资料齐全"),
        ("FAST_ACCURATE", "办理迅速、准确"),
        ("ASK_VIEWS", "随时征询客户的看法，解答专业"),
        ("USAGE_NOTES", "告知客户使用的注意事项"),
        ("TEACH_USAGE", "帮助客户掌握使用方法"),
    ]),
    ("RECOMMENDATION", "业务推介", Operation, 4.12, PLAIN, &[
        ("WELL_PREPARED", "前期准备充分、资料齐全"),
        ("FIT_NEEDS", "根据客户的需求，推介适合的业务"),
        ("NO_HARD_SELL", "尊重客户的意愿，不强行推销"),
        ("DETAILED_ACCURATE", "介绍详尽、准确"),
        ("VIVID_DEMO", "有数据、演示、举例等直观说明"),
        ("PLAIN_LANGUAGE", "语言简洁易懂，尽量不使用专业术语"),
        ("STATE_BENEFITS", "明确告知业务给客户带来的好处"),
    ]),
    ("QUESTION_ANSWERING", "疑问解答", Operation, 4.66, PEAK, &[
        ("FRIENDLY_SMILE", "态度良好、保持微笑"),
        ("LISTEN_FROM_CUSTOMER_SIDE", "认真倾听，站在客户的立场详细了解疑问"),
        ("ANALYSE_CAUSE", "详细分析原因"),
        ("SKILLED_ANSWER", "业务熟练、疑问解答专业"),
        ("EVIDENCE", "有相关证据辅助说明"),
        ("ANSWER_DEADLINE", "不能现场解答的告知客户回复时限"),
    ]),
    ("COMPLAINT_HANDLING", "投诉处理", Operation, 4.71, PEAK, &[
        ("SINCERE_PATIENT", "态度诚恳，有耐心"),
        ("LISTEN_FROM_CUSTOMER_SIDE", "认真倾听、站在客户的立场详细了解投诉"),
        ("EXPLAIN_CAUSE", "详细分析原因，给出合理解释"),
        ("REAL_SOLUTION", "给出切实的解决办法"),
        ("RESOLUTION_DEADLINE", "不能现场解决的承诺解决时限"),
        ("COMPENSATION", "有适当的补偿"),
    ]),
    ("LEAVING", "告辞离开", End, 4.40, PLAIN, &[
        ("GOOD_MANNERS", "态度良好，举止得体"),
        ("BOOK_NEXT_VISIT", "根据客户的需要，预约下次拜访时间"),
        ("SUMMARISE", "总结此次商谈要点，明确跟进事项"),
        ("APOLOGISE", "对给客户造成的不便表示歉意"),
        ("THANK", "对客户的接待表示感谢，适当时机主动提出告辞"),
        ("WISHES", "向客户表达美好祝愿，赠送精美礼品"),
    ]),
    ("FOLLOW_UP", "后续跟进", End, 4.66, PLAIN, &[
        ("NO_ERRORS", "业务办理及时，不出差错、不反复"),
        ("TELL_OPEN_ISSUES", "及时告知见面时未解决问题的解决办法、期限"),
        ("EXPLAIN_UNSOLVABLE", "对无法解决的问题给出合理解释"),
        ("PROGRESS_UPDATES", "定时反馈工作进度"),
        ("RESULT_FEEDBACK", "及时反馈工作结果"),
    ]),
];

#[rustfmt::skip]
const PHONE_SMS: &[Row] = &[
    ("OUTBOUND_CONTACT", "拨电话/发短信", Contact, 4.05, PLAIN, &[
        ("RIGHT_TIME", "根据客户的作息习惯，在适当时间打电话/发短信"),
        ("ASK_CONVENIENT", "接通电话时，首先询问客户是否方便接听电话"),
        ("STATE_PURPOSE", "简要说明给客户打电话/发短信的目的"),
        ("VALUABLE_INFO", "能够传达对客户有价值的信息"),
        ("REGULAR_GREETING", "定期致电问候客户"),
        ("GENTLE_TONE", "态度恭敬，语气温和，语调语速适中"),
    ]),
    ("INBOUND_CONTACT", "接电话/收短信", Contact, 4.18, PLAIN, &[
        ("ANSWER_PROMPTLY", "及时接听客户的电话或回复短信"),
        ("CALL_BACK_MISSED", "未接听的电话及时回复，并表示歉意"),
        ("GREET_BY_TITLE", "接听电话时主动道出客户的尊称，向其问好"),
        ("WARM_TONE", "态度热情，语气可亲，语调语速适中"),
        ("CUSTOMER_LANGUAGE", "接听电话时使用客户熟悉的语言"),
    ]),
    ("INFORMATION_NOTICE", "信息告知", Operation, 3.96, PLAIN, &[
        ("TIMELY_ACCURATE", "信息及时、准确"),
        ("PLAIN_LANGUAGE", "简单易懂，尽量不使用专业术语"),
        ("TAILORED", "针对客户的个性化需求，有选择的告知信息"),
        ("VALUABLE_INFO", "提供的信息对客户有价值"),
        ("INTERACTIVE", "随时征询客户的意见，互动式沟通"),
    ]),
    ("QUESTION_ANSWERING", "疑问解答", Operation, 4.35, PEAK, &[
        ("RESPECTFUL_PATIENT", "态度恭敬、有耐心"),
        ("GENTLE_TONE", "语气温和、语调语速适中"),
        ("LISTEN_FROM_CUSTOMER_SIDE", "认真倾听、站在客户的立场详细了解疑问"),
        ("ANALYSE_CAUSE", "简要分析原因"),
        ("SKILLED_ANSWER", "业务熟练，疑问解答专业、可信"),
        ("CLEAR_EXPRESSION", "表达条理清楚、简洁易懂"),
        ("ANSWER_DEADLINE", "不能当时解答的疑问，告知客户答复的时间"),
    ]),
    ("BUSINESS_ACCEPTANCE", "业务受理", Operation, 4.32, PEAK, &[
        ("RESPECTFUL_PATIENT", "态度恭敬、有耐心"),
        ("GENTLE_TONE", "语气温和、语调语速适中"),
        ("LISTEN_TO_NEEDS", "认真倾听、了解客户的需求"),
        ("EXPLAIN_CHANNELS", "告知客户办理的途径、方法和注意事项等"),
        ("SKILLED_ANSWER", "业务熟练、解答专业"),
        ("CLEAR_EXPRESSION", "表达条理清楚、简洁易懂"),
    ]),
    ("COMPLAINT_HANDLING", "投诉处理", Operation, 4.40, PEAK, &[
        ("RESPECTFUL_PATIENT", "态度恭敬，有耐心"),
        ("SINCERE_TONE", "语气诚恳、语调语速适中"),
        ("UNDERSTAND_COMPLAINT", "站在客户的立场了解投诉问题，并表示理解"),
        ("CREDIBLE_EXPLANATION", "问题解释专业、可信"),
        ("ACCEPTABLE_SOLUTION", "及时提供可接受的解决办法"),
        ("RESOLUTION_DEADLINE", "尽可能预告解决时间"),
    ]),
    ("ENDING_CALL", "结束通话", End, 4.04, PLAIN, &[
        ("RESPECTFUL_WARM", "态度恭敬，语气热情"),
        ("CONFIRM_KEY_POINTS", "确认本次通话的要点"),
        ("AGREE_NEXT_STEPS", "明确跟进事项"),
        ("THANKS_WISHES", "对客户表示感谢，表达美好祝愿"),
        ("HANG_UP_AFTER", "客户挂机后再挂机"),
    ]),
    ("RESULT_FEEDBACK", "结果反馈", End, 4.38, PLAIN, &[
        ("TIMELY_ACCURATE", "反馈信息及时、准确"),
        ("SOLUTION_DEADLINE", "告知委托事项的解决办法、期限"),
        ("EXPLAIN_UNSOLVABLE", "对无法解决的委托事项给出合理解释"),
        ("PROGRESS_UPDATES", "定时反馈工作进度"),
    ]),
];

#[rustfmt::skip]
const HALL_VISIT: &[Row] = &[
    ("PHONE_APPOINTMENT", "电话预约", Contact, 4.21, PEAK, &[
        ("GREET_BY_TITLE", "主动道出客户的尊称，向其问好"),
        ("WARM_TONE", "态度热情，语气温和，语速适中"),
        ("UNDERSTAND_NEEDS", "清晰了解客户的需求"),
        ("REMIND_WHAT_TO_BRING", "提醒客户到厅前需准备的事项，并予以确认"),
        ("PREPARE_AHEAD", "提前做好相关准备"),
    ]),
    ("ARRIVAL", "到达(门前环境、停车)", Contact, 3.82, PLAIN, &[
        ("TIDY_FRONTAGE", "厅前环境整洁有序"),
        ("EASY_PARKING", "方便停车"),
        ("VEHICLE_SAFE", "交通工具停放安全"),
    ]),
    ("RECEPTION", "接待", Contact, 3.95, PLAIN, &[
        ("RESPECTFUL_WARM", "态度恭敬、热情、举止得体"),
        ("DEDICATED_STAFF", "有专人了解需求，并简要说明办理流程"),
        ("CONSISTENT_STANDARD", "不同厅的服务标准一致"),
        ("PROFESSIONAL_ANSWERS", "疑问解答专业"),
    ]),
    ("BUSINESS_HANDLING", "业务办理", Operation, 4.30, PEAK, &[
        ("RESPECTFUL_SMILE", "服务人员态度恭敬、面带微笑"),
        ("GENTLE_TONE", "服务人员语气温和可亲、语速适中"),
        ("STAND_TO_GREET", "服务人员站迎站送，唱收唱付"),
        ("PROFESSIONAL_ADVICE", "能了解客户的需求，提供专业建议"),
        ("ESCORTED", "有专人陪同，协助办理"),
        ("FAST_ACCURATE", "业务办理快速准确"),
    ]),
    ("SELF_SERVICE", "自助体验", Operation, 3.71, PLAIN, &[
        ("WORKING_DEVICES", "设备运转正常"),
        ("ORDERLY_SURROUNDINGS", "设备周围环境、秩序良好"),
        ("EASY_OPERATION", "设备操作简便"),
    ]),
    ("HANDSET_PURCHASE", "购机", Operation, 3.86, PLAIN, &[
        ("TIMELY_ANSWERS", "疑问解答及时准确"),
        ("STOCK_BY_PREFERENCE", "提前了解客户喜好，告知库存情况"),
        ("RESERVE_HANDSET", "按客户需要预留手机"),
        ("DISCLOSE_TERMS", "主动说明售后条款及瑕疵"),
        ("RESPECTFUL_PATIENT", "态度恭敬，热情，有耐心"),
    ]),
    ("LEAVING_HALL", "离厅", End, 4.15, PLAIN, &[
        ("VEHICLE_UNDAMAGED", "客户的交通工具完好无损"),
        ("FRIENDLY_REMINDERS", "温馨提示客户各种注意事项"),
        ("RESPECTFUL_FAREWELL", "服务人员态度恭敬，主动道别"),
    ]),
];

#[rustfmt::skip]
const VIP_EVENT: &[Row] = &[
    ("INVITATION", "邀请", Contact, 4.45, PEAK, &[
        ("WELL_TIMED", "活动时间安排恰当"),
        ("TIMELY_NOTICE", "通知及时"),
        ("MATCHES_TASTE", "符合喜好"),
        ("WRITTEN_DETAILS", "以文字告知活动时间、地点、注意事项"),
    ]),
    ("RECEPTION", "接待", Contact, 4.38, PEAK, &[
        ("EASY_TO_FIND", "集合地点标识醒目易寻找"),
        ("ATTENTIVE_WARM", "服务周到、热情"),
        ("EASY_SIGN_IN", "签到手续简便"),
    ]),
    ("MAIN_ACTIVITY", "活动主体", Operation, 4.52, PEAK, &[
        ("WELL_PREPARED", "准备充分"),
        ("ATTENTIVE", "服务周到"),
        ("MATCHES_TASTE", "活动符合客户喜好"),
    ]),
    ("ASSISTANCE", "活动协助", Operation, 4.18, PLAIN, &[
        ("PERSONAL_NEEDS", "了解客户的个性化需求"),
        ("QUICK_HELP", "快速解决客户遇到的问题"),
        ("HANDLE_INCIDENTS", "妥善处理突发事件"),
    ]),
    ("RECOMMENDATION", "业务推介", Operation, 3.96, PLAIN, &[
        ("RIGHT_MOMENT", "在适当的时机、场合推介"),
        ("ON_SITE_SIGN_UP", "感兴趣的业务能现场办理"),
        ("VALUABLE_CONTENT", "推介内容对客户有价值"),
    ]),
    ("FAREWELL", "送别", End, 4.20, PLAIN, &[
        ("ORDERLY_LEAVING", "组织人员有序离开"),
        ("FRIENDLY_REMINDERS", "温馨提示客户各种注意事项"),
        ("CARING_FAREWELL", "主动道别，亲切关怀"),
    ]),
    ("AFTER_CARE", "后续关怀", End, 4.55, PLAIN, &[
        ("ASK_IMPROVEMENTS", "征询改进意见"),
        ("HEAR_DISSATISFACTION", "了解客户对活动的不满"),
        ("FEEL_VALUED", "让客户感到受重视、亲切"),
    ]),
];

/// The study's scenarios, unchecked: (code, name, moments; the last moment is the end).
pub fn drafts() -> Vec<(&'static str, &'static str, Vec<Moment>)> {
    [
        ("ON_SITE_VISIT", "上门服务", ON_SITE_VISIT),
        ("PHONE_SMS", "电话/短信服务", PHONE_SMS),
        ("HALL_VISIT", "VIP客户到厅服务", HALL_VISIT),
        ("VIP_EVENT", "VIP客户活动服务", VIP_EVENT),
    ]
    .into_iter()
    .map(|(code, name, rows)| (code, name, moments(rows)))
    .collect()
}

fn moments(rows: &[Row]) -> Vec<Moment> {
    let last = rows.len() - 1;
    rows.iter()
        .enumerate()
        .map(
            |(i, &(code, name, stage, importance, peak, attributes))| Moment {
                code: code.to_owned(),
                name: name.to_owned(),
                stage,
                importance,
                peak,
                end: i == last,
                attributes: attributes
                    .iter()
                    .map(|&(code, name)| Attribute {
                        code: code.to_owned(),
                        name: name.to_owned(),
                    })
                    .collect(),
            },
        )
        .collect()
}

/// The study's four scenarios, checked and published as [`SEED_VERSION`].
pub fn scenarios() -> Vec<Scenario> {
    drafts()
        .into_iter()
        .map(|(code, name, moments)| {
            ScenarioDraft::new(code, name, moments)
                .unwrap_or_else(|refused| panic!("seed scenario {code} is refused: {refused:?}"))
                .publish(SEED_VERSION)
        })
        .collect()
}

/// One seeded scenario by code.
pub fn scenario(code: &str) -> Option<Scenario> {
    scenarios().into_iter().find(|s| s.code() == code)
}

#[cfg(test)]
#[path = "seed_tests.rs"]
mod tests;
