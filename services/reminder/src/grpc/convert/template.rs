//! Templates: a stored template to the contract, an upserted one to the domain (checked there,
//! violations named under `template.`), and a preview's rendering with its SMS count.

use vipcare_domain::Violation;
use vipcare_proto::reminder::v1 as pb;

use super::{
    channel_from_proto, channel_to_proto, encoding_to_proto, required, timestamp,
    touchpoint_from_proto, touchpoint_to_proto,
};
use crate::domain::segments::SegmentCount;
use crate::domain::{Template, TemplateDraft};
use crate::store::templates::StoredTemplate;

pub fn template_to_proto(stored: &StoredTemplate) -> pb::Template {
    let StoredTemplate {
        template,
        version: _,
        update_time,
        updated_by,
    } = stored;
    pb::Template {
        code: template.code().to_owned(),
        touchpoint: touchpoint_to_proto(template.touchpoint()) as i32,
        channel: channel_to_proto(template.channel()) as i32,
        locale: template.locale().to_owned(),
        name: template.name().to_owned(),
        body: template.body().to_owned(),
        is_default: template.is_default(),
        variables: template
            .variables()
            .into_iter()
            .map(str::to_owned)
            .collect(),
        update_time: Some(timestamp(*update_time)),
        updated_by: updated_by.clone(),
    }
}

/// The template of an UpsertTemplate, checked; every refused field named `template.<field>`.
pub fn template_from_proto(message: Option<pb::Template>) -> Result<Template, Vec<Violation>> {
    let Some(message) = message else {
        return Err(vec![
            vipcare_domain::Invalid::new("required").at("template"),
        ]);
    };
    let pb::Template {
        code,
        touchpoint,
        channel,
        locale,
        name,
        body,
        is_default,
        // Output only: derived from the body, or set by the server.
        variables: _,
        update_time: _,
        updated_by: _,
    } = message;
    let mut found = Vec::new();
    let touchpoint = required(touchpoint_from_proto(touchpoint))
        .map_err(|e| found.push(e.at("template.touchpoint")))
        .ok();
    let channel = required(channel_from_proto(channel))
        .map_err(|e| found.push(e.at("template.channel")))
        .ok();
    let checked = match (touchpoint, channel) {
        (Some(touchpoint), Some(channel)) => Some(Template::new(TemplateDraft {
            code,
            touchpoint,
            channel,
            locale,
            name,
            body,
            is_default,
        })),
        _ => None,
    };
    match checked {
        Some(Ok(template)) if found.is_empty() => Ok(template),
        Some(Err(refused)) => {
            found.extend(refused.into_iter().map(|v| v.under("template")));
            Err(found)
        }
        Some(Ok(_)) | None => Err(found),
    }
}

/// What PreviewTemplate answers: the text as the customer reads it, what it costs in SMS, and
/// the variables given that the template does not use.
pub fn preview_to_proto(
    text: String,
    count: SegmentCount,
    unused: Vec<&str>,
) -> pb::PreviewTemplateResponse {
    let SegmentCount {
        encoding,
        characters,
        segments,
    } = count;
    pb::PreviewTemplateResponse {
        text,
        segments: i32::try_from(segments).unwrap_or(i32::MAX),
        encoding: encoding_to_proto(encoding) as i32,
        length: i32::try_from(characters).unwrap_or(i32::MAX),
        unused_variables: unused.into_iter().map(str::to_owned).collect(),
    }
}

#[cfg(test)]
mod tests {
    use chrono::DateTime;

    use super::*;
    use crate::domain::{ContactChannel, Touchpoint, seed_templates};

    fn message(body: &str) -> pb::Template {
        pb::Template {
            code: "plan_change.custom.sms.zh-cn".into(),
            touchpoint: touchpoint_to_proto(Touchpoint::PlanChange) as i32,
            channel: channel_to_proto(ContactChannel::Sms) as i32,
            locale: "zh-cn".into(),
            name: "套餐变更".into(),
            body: body.into(),
            is_default: false,
            variables: vec!["IGNORED".into()],
            update_time: None,
            updated_by: "someone".into(),
        }
    }

    #[test]
    fn a_template_round_trips_with_its_variables_derived() {
        let template =
            template_from_proto(Some(message("您已订购%PLAN_NAME%,${TRADE_MARK}"))).unwrap();
        assert_eq!(template.locale(), "zh-CN");
        let stored = StoredTemplate {
            template,
            version: 1,
            update_time: DateTime::from_timestamp(1_780_000_000, 0).unwrap(),
            updated_by: "ops".into(),
        };
        let back = template_to_proto(&stored);
        assert_eq!(back.variables, ["PLAN_NAME", "TRADE_MARK"]);
        assert_eq!(back.locale, "zh-CN");
        assert_eq!(back.updated_by, "ops");
    }

    #[test]
    fn refusals_are_named_under_template() {
        let fields = |m: pb::Template| -> Vec<String> {
            template_from_proto(Some(m))
                .unwrap_err()
                .into_iter()
                .map(|v| v.field)
                .collect()
        };
        assert_eq!(fields(message("您已订购%PLAN_NAME")), ["template.body"]);
        let mut m = message("ok");
        m.touchpoint = 0;
        m.channel = 42;
        assert_eq!(fields(m), ["template.touchpoint", "template.channel"]);
        let mut m = message("ok");
        m.code = "Bad Code".into();
        assert_eq!(fields(m), ["template.code"]);
        assert!(template_from_proto(None).is_err());
    }

    #[test]
    fn seeded_templates_convert() {
        for t in seed_templates() {
            let stored = StoredTemplate {
                template: t,
                version: 1,
                update_time: DateTime::from_timestamp(0, 0).unwrap(),
                updated_by: String::new(),
            };
            let back = template_from_proto(Some(template_to_proto(&stored))).unwrap();
            assert_eq!(back, stored.template);
        }
    }
}
