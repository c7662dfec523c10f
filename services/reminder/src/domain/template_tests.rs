use std::collections::BTreeMap;

use proptest::prelude::*;

use super::seeds::seed_drafts;
use super::*;

fn vars(pairs: &[(&str, &str)]) -> Variables {
    let map = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Variables::new(map).unwrap()
}

fn fields<T: std::fmt::Debug>(result: Result<T, Vec<Violation>>) -> Vec<String> {
    result.unwrap_err().into_iter().map(|v| v.field).collect()
}

fn seeded(code: &str) -> Template {
    seed_templates()
        .into_iter()
        .find(|t| t.code() == code)
        .unwrap()
}

fn draft(body: &str) -> TemplateDraft {
    TemplateDraft {
        code: "care.test.sms.zh-cn".into(),
        touchpoint: Touchpoint::Care,
        channel: ContactChannel::Sms,
        locale: "zh-CN".into(),
        name: "测试".into(),
        body: body.into(),
        is_default: false,
    }
}

#[test]
fn every_seed_is_valid_with_a_unique_code() {
    let drafts = seed_drafts();
    for d in &drafts {
        assert!(
            Template::new(d.clone()).is_ok(),
            "{}: {:?}",
            d.code,
            Template::new(d.clone())
        );
    }
    let templates = seed_templates();
    assert_eq!(templates.len(), drafts.len());
    for (i, t) in templates.iter().enumerate() {
        assert!(
            templates[..i].iter().all(|o| o.code() != t.code()),
            "{}",
            t.code()
        );
        assert_eq!(template_code(t.code()), Ok(()));
    }
}

#[test]
fn every_touchpoint_has_one_default_chinese_sms() {
    let templates = seed_templates();
    for t in Touchpoint::ALL {
        let defaults = templates
            .iter()
            .filter(|x| {
                x.touchpoint() == *t && x.channel() == ContactChannel::Sms && x.is_default()
            })
            .count();
        assert_eq!(defaults, 1, "{}", t.code());
        let found = default_template(&templates, *t, ContactChannel::Sms, "zh-CN").unwrap();
        assert_eq!(found.locale(), "zh-CN");
        // Plain language, in Chinese: most of the text is CJK.
        assert!(
            found
                .body()
                .chars()
                .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
        );
    }
    let task = default_template(
        &templates,
        Touchpoint::StaffTask,
        ContactChannel::AccountManager,
        "zh-CN",
    );
    assert_eq!(
        task.map(Template::code),
        Some("staff_task.task.account_manager.zh-cn")
    );
}

#[test]
fn the_plan_change_texts_are_the_billing_systems_own() {
    let accepted = seeded("plan_change.accepted.sms.zh-cn");
    assert_eq!(
        accepted.body(),
        "尊敬的${TRADE_MARK}客户:您已成功订购%PLAN_NAME%,%YEAR%年%MONTH%月%DATE%日生效,%PLAN_DESC%中国移动"
    );
    assert_eq!(
        accepted.variables(),
        [
            "TRADE_MARK",
            "PLAN_NAME",
            "YEAR",
            "MONTH",
            "DATE",
            "PLAN_DESC"
        ]
    );
    assert!(accepted.is_default());
    let effective = seeded("plan_change.effective.sms.zh-cn");
    assert!(
        effective
            .body()
            .ends_with("您订购的%PLAN_NAME%已生效,%PLAN_DESC%中国移动")
    );
}

#[test]
fn rendering_fills_both_styles() {
    let text = seeded("plan_change.accepted.sms.zh-cn")
        .render(&vars(&[
            ("TRADE_MARK", "全球通"),
            ("PLAN_NAME", "全球通188元套餐"),
            ("YEAR", "2026"),
            ("MONTH", "6"),
            ("DATE", "1"),
            ("PLAN_DESC", "每月含国内流量30GB、通话500分钟。"),
        ]))
        .unwrap();
    assert_eq!(
        text,
        "尊敬的全球通客户:您已成功订购全球通188元套餐,2026年6月1日生效,每月含国内流量30GB、通话500分钟。中国移动"
    );
    let usage = seeded("data_usage_alert.threshold.sms.zh-cn")
        .render(&vars(&[
            ("USED_PERCENT", "80"),
            ("USED", "24GB"),
            ("REMAINING", "6GB"),
        ]))
        .unwrap();
    assert!(usage.contains("已用80%(24GB),还剩6GB"), "{usage}");
}

#[test]
fn a_missing_or_empty_variable_is_refused_by_name() {
    let template = seeded("plan_change.effective.sms.zh-cn");
    let err = template.render(&vars(&[("TRADE_MARK", "动感地带"), ("PLAN_DESC", " ")]));
    assert_eq!(
        fields(err.clone()),
        ["variables.PLAN_NAME", "variables.PLAN_DESC"]
    );
    let reasons: Vec<_> = err.unwrap_err().into_iter().map(|v| v.reason).collect();
    assert!(
        reasons[0].contains("missing") && reasons[1].contains("empty"),
        "{reasons:?}"
    );
    // A name used twice is reported once.
    let twice = Template::new(draft("%A%和%A%")).unwrap();
    assert_eq!(fields(twice.render(&Variables::default())), ["variables.A"]);
}

#[test]
fn unused_variables_are_listed() {
    let template = seeded("low_balance.topup_credited.sms.zh-cn");
    let given = vars(&[("AMOUNT", "100"), ("BALANCE", "123.50"), ("BALANSE", "x")]);
    assert_eq!(template.unused(&given), ["BALANSE"]);
}

#[test]
fn variables_are_bounded() {
    let many: BTreeMap<_, _> = (0..=MAX_VARIABLES)
        .map(|i| (format!("V{i}"), "x".to_owned()))
        .collect();
    assert_eq!(fields(Variables::new(many)), ["variables"]);
    let oversized = BTreeMap::from([("PLAN_DESC".to_owned(), "长".repeat(MAX_VALUE_CHARS + 1))]);
    assert_eq!(fields(Variables::new(oversized)), ["variables.PLAN_DESC"]);
    let exact = BTreeMap::from([("PLAN_DESC".to_owned(), "长".repeat(MAX_VALUE_CHARS))]);
    assert!(Variables::new(exact).is_ok());
    let bad = BTreeMap::from([
        ("plan_name".to_owned(), "x".to_owned()),
        ("A".to_owned(), "第一行\n第二行".to_owned()),
        ("B".to_owned(), "含%FLOW%流量".to_owned()),
        ("C".to_owned(), "已用80%".to_owned()),
    ]);
    assert_eq!(
        fields(Variables::new(bad)),
        ["variables.A", "variables.B", "variables"]
    );
}

#[test]
fn a_text_too_long_to_send_is_refused() {
    let template = Template::new(draft("%A%%B%%C%")).unwrap();
    let long = "长".repeat(MAX_VALUE_CHARS);
    let given = vars(&[("A", &long), ("B", &long), ("C", "x")]);
    assert_eq!(fields(template.render(&given)), ["variables"]);
}

#[test]
fn bad_templates_name_every_field() {
    let bad = TemplateDraft {
        code: "Plan Change".into(),
        locale: "zh_CN".into(),
        name: "".into(),
        ..draft("尊敬的${TRADE_MARK客户")
    };
    let err = Template::new(bad).unwrap_err();
    let named: Vec<_> = err.iter().map(|v| v.field.as_str()).collect();
    assert_eq!(named, ["code", "locale", "name", "body"]);
    assert!(err[3].reason.contains("character 4"), "{}", err[3].reason);
    assert_eq!(fields(Template::new(draft("  "))), ["body"]);
    assert_eq!(
        fields(Template::new(draft(&"长".repeat(MAX_BODY_CHARS + 1)))),
        ["body"]
    );
    assert_eq!(fields(Template::new(draft("a\u{7}b"))), ["body"]);
    assert!(Template::new(draft("第一行\n第二行")).is_ok());
}

#[test]
fn locales_are_kept_in_canonical_case() {
    assert_eq!(canonical_locale("zh-cn").as_deref(), Ok("zh-CN"));
    assert_eq!(canonical_locale("ZH-hant-tw").as_deref(), Ok("zh-Hant-TW"));
    assert_eq!(canonical_locale("yue").as_deref(), Ok("yue"));
    for bad in ["", "z", "zh_CN", "zh-", "中文", "zh-CN-toolongpart"] {
        assert!(canonical_locale(bad).is_err(), "{bad}");
    }
    let template = Template::new(TemplateDraft {
        locale: "ZH-cn".into(),
        ..draft("x")
    })
    .unwrap();
    assert_eq!(template.locale(), "zh-CN");
}

#[test]
fn the_default_falls_back_to_the_language_then_the_operators_locale() {
    let make = |code: &str, locale: &str, is_default: bool| {
        Template::new(TemplateDraft {
            code: code.into(),
            locale: locale.into(),
            is_default,
            ..draft("x")
        })
        .unwrap()
    };
    let all = [
        make("a", "zh-CN", true),
        make("b", "en", true),
        make("c", "zh-HK", false),
        make("d", "yue", true),
    ];
    let pick = |locale: &str| {
        default_template(&all, Touchpoint::Care, ContactChannel::Sms, locale).map(Template::code)
    };
    assert_eq!(pick("en"), Some("b"));
    assert_eq!(pick("en-GB"), Some("b"));
    assert_eq!(pick("zh-HK"), Some("a"), "zh-HK is not a default");
    assert_eq!(pick("fr"), Some("a"));
    assert_eq!(pick("not a locale"), Some("a"));
    assert_eq!(
        default_template(&all, Touchpoint::Care, ContactChannel::Email, "zh-CN"),
        None
    );
}

proptest! {
    #[test]
    fn parsing_never_panics(source in "\\PC{0,40}") {
        let _ = TemplateText::parse(&source);
    }

    /// Whatever (valid) values a reminder carries, no seeded placeholder reaches the customer.
    #[test]
    fn a_rendered_seed_has_no_placeholder_left(value in "[0-9A-Za-z\u{4e00}-\u{4e80}.,:]{1,20}") {
        for template in seed_templates() {
            let given: BTreeMap<_, _> = template
                .variables()
                .iter()
                .map(|n| (n.to_string(), value.clone()))
                .collect();
            let text = template.render(&Variables::new(given).unwrap()).unwrap();
            for name in template.variables() {
                prop_assert!(!text.contains(&format!("%{name}%")), "{}", template.code());
                prop_assert!(!text.contains(&format!("${{{name}}}")), "{}", template.code());
            }
            prop_assert!(template.variables().is_empty() || text.contains(&value));
        }
    }
}
