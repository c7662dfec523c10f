//! Templates: stored after their placeholders are checked (nothing stored on refusal), listed
//! by touchpoint, and previewed as the customer would read them with the SMS segments they
//! take; a missing variable is refused by name.

use std::collections::BTreeMap;

use tonic::Code;
use vipcare_proto::common::v1 as common;
use vipcare_proto::reminder::v1 as pb;

use crate::harness::*;

fn template(code: &str, body: &str) -> pb::Template {
    pb::Template {
        code: code.into(),
        touchpoint: common::Touchpoint::Care as i32,
        channel: common::ContactChannel::Sms as i32,
        locale: "zh-cn".into(),
        name: "节日问候".into(),
        body: body.into(),
        ..Default::default()
    }
}

fn upsert(t: pb::Template) -> pb::UpsertTemplateRequest {
    pb::UpsertTemplateRequest {
        template: Some(t),
        request_id: String::new(),
    }
}

fn variables(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

async fn preview(
    suite: &mut Suite,
    code: &str,
    vars: BTreeMap<String, String>,
) -> Result<pb::PreviewTemplateResponse, tonic::Status> {
    let request = pb::PreviewTemplateRequest {
        template_code: code.into(),
        variables: vars,
    };
    suite
        .reminder
        .preview_template(request)
        .await
        .map(|r| r.into_inner())
}

#[tokio::test]
async fn a_stored_template_reads_back_and_lists_under_its_touchpoint() {
    for mut suite in suites().await {
        let label = suite.label;
        let body = "%CUSTOMER_NAME%您好,${TRADE_MARK}祝您中秋快乐!";
        let stored = suite
            .reminder
            .upsert_template(by_clerk(upsert(template(
                "care.mid_autumn.sms.zh-cn",
                body,
            ))))
            .await
            .unwrap_or_else(|s| panic!("[{label}] upsert: {s:?}"))
            .into_inner();
        assert!(stored.created, "[{label}]");
        let t = stored.template.unwrap();
        assert_eq!(t.locale, "zh-CN", "[{label}] canonical case");
        assert_eq!(t.variables, ["CUSTOMER_NAME", "TRADE_MARK"], "[{label}]");
        assert_eq!(t.updated_by, "hall-7", "[{label}]");

        let again = suite
            .reminder
            .upsert_template(upsert(template("care.mid_autumn.sms.zh-cn", "中秋快乐!")))
            .await
            .unwrap()
            .into_inner();
        assert!(!again.created, "[{label}] replaced");
        let got = suite
            .reminder
            .get_template(pb::GetTemplateRequest {
                template_code: "care.mid_autumn.sms.zh-cn".into(),
            })
            .await
            .unwrap()
            .into_inner()
            .template
            .unwrap();
        assert_eq!(got.body, "中秋快乐!", "[{label}]");

        let listed = suite
            .reminder
            .list_templates(pb::ListTemplatesRequest {
                touchpoint: common::Touchpoint::Care as i32,
                page_size: 1,
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        assert_eq!(listed.templates.len(), 1, "[{label}] one per page");
        assert!(!listed.next_page_token.is_empty(), "[{label}]");
        let mut codes = vec![listed.templates[0].code.clone()];
        let mut token = listed.next_page_token;
        while !token.is_empty() {
            let page = suite
                .reminder
                .list_templates(pb::ListTemplatesRequest {
                    touchpoint: common::Touchpoint::Care as i32,
                    page_size: 1,
                    page_token: token,
                    ..Default::default()
                })
                .await
                .unwrap()
                .into_inner();
            codes.extend(page.templates.into_iter().map(|t| t.code));
            token = page.next_page_token;
        }
        assert_eq!(
            codes,
            [
                "care.abnormal_bill.sms.zh-cn",
                "care.birthday.sms.zh-cn",
                "care.mid_autumn.sms.zh-cn"
            ],
            "[{label}] every Care template once, in code order"
        );
    }
}

#[tokio::test]
async fn a_malformed_template_is_refused_by_field_and_not_stored() {
    for mut suite in suites().await {
        let label = suite.label;
        let unbalanced = suite
            .reminder
            .upsert_template(upsert(template(
                "care.broken.sms.zh-cn",
                "您好%CUSTOMER_NAME",
            )))
            .await;
        assert_invalid(label, unbalanced, "template.body");
        let missing = suite
            .reminder
            .get_template(pb::GetTemplateRequest {
                template_code: "care.broken.sms.zh-cn".into(),
            })
            .await;
        assert_eq!(code(missing), Code::NotFound, "[{label}] nothing stored");

        let mut no_channel = template("care.other.sms.zh-cn", "您好");
        no_channel.channel = 0;
        let refused = suite.reminder.upsert_template(upsert(no_channel)).await;
        assert_invalid(label, refused, "template.channel");

        let bad_filter = suite
            .reminder
            .list_templates(pb::ListTemplatesRequest {
                locale: "not a locale".into(),
                ..Default::default()
            })
            .await;
        assert_invalid(label, bad_filter, "locale");
    }
}

#[tokio::test]
async fn a_preview_reads_as_the_customer_would_and_counts_segments() {
    for mut suite in suites().await {
        let label = suite.label;
        let shown = preview(
            &mut suite,
            "plan_change.accepted.sms.zh-cn",
            plan_variables()
                .into_iter()
                .chain([("COLOUR".to_owned(), "red".to_owned())])
                .collect(),
        )
        .await
        .unwrap_or_else(|s| panic!("[{label}] preview: {s:?}"));
        assert_eq!(
            shown.text,
            "尊敬的全球通客户:您已成功订购畅享套餐,2026年7月1日生效,月费128元,含国内流量30GB。中国移动",
            "[{label}]"
        );
        assert_eq!(shown.encoding, pb::SmsEncoding::Ucs2 as i32, "[{label}]");
        assert_eq!(
            shown.length,
            shown.text.encode_utf16().count() as i32,
            "[{label}]"
        );
        assert_eq!(shown.segments, 1, "[{label}] {} characters", shown.length);
        assert_eq!(shown.unused_variables, ["COLOUR"], "[{label}]");

        // 170 GSM-7 characters take two parts of at most 153.
        let english = "x".repeat(160) + "%NAME%";
        suite
            .reminder
            .upsert_template(upsert(template("care.long.sms.en", &english)))
            .await
            .unwrap();
        let long = preview(
            &mut suite,
            "care.long.sms.en",
            variables(&[("NAME", "0123456789")]),
        )
        .await
        .unwrap();
        assert_eq!(
            (long.encoding, long.length, long.segments),
            (pb::SmsEncoding::Gsm7 as i32, 170, 2),
            "[{label}]"
        );
    }
}

#[tokio::test]
async fn a_preview_missing_a_variable_names_it() {
    for mut suite in suites().await {
        let label = suite.label;
        let mut vars = plan_variables();
        vars.remove("PLAN_NAME");
        let missing = preview(&mut suite, "plan_change.accepted.sms.zh-cn", vars).await;
        assert_invalid(label, missing, "variables.PLAN_NAME");
        let unknown = preview(&mut suite, "no.such.template", plan_variables()).await;
        assert_eq!(code(unknown), Code::NotFound, "[{label}]");
        let oversized = preview(
            &mut suite,
            "plan_change.accepted.sms.zh-cn",
            plan_variables()
                .into_iter()
                .chain([("PLAN_DESC".to_owned(), "长".repeat(501))])
                .collect(),
        )
        .await;
        assert_invalid(label, oversized, "variables.PLAN_DESC");
    }
}
