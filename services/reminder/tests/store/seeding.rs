//! Seeding: the default rules and templates go in once; seeding again (every replica does at
//! start) adds nothing and never undoes an operator's edit.

use vipcare_reminder::domain::{
    ContactChannel, Priority, RuleChange, Template, TemplateDraft, Touchpoint, seed_templates,
};
use vipcare_reminder::store::templates::{self, TemplateFilter};
use vipcare_reminder::store::{rules, seed};

use crate::harness::{now, stores};

#[tokio::test]
async fn seeding_twice_adds_nothing_and_keeps_operator_edits() {
    for store in stores().await {
        let (label, conn) = (store.label, store.db.conn());
        let first = seed::defaults(conn, now()).await.unwrap();
        assert_eq!(first.rules, 15, "{label}");
        assert_eq!(first.templates, seed_templates().len() as u64, "{label}");

        // An operator changes a rule and rewrites a seeded template.
        let rule = rules::get(conn, Touchpoint::LowBalance).await.unwrap();
        let change = RuleChange {
            priority: Some(Priority::new(77).unwrap()),
            ..RuleChange::default()
        };
        rules::update(
            conn,
            Touchpoint::LowBalance,
            &rule.etag(),
            change,
            "ops",
            now(),
        )
        .await
        .unwrap();
        let code = "plan_change.accepted.sms.zh-cn";
        let seeded = templates::get(conn, code).await.unwrap().expect("seeded");
        let edited = Template::new(TemplateDraft {
            code: code.into(),
            touchpoint: Touchpoint::PlanChange,
            channel: ContactChannel::Sms,
            locale: "zh-CN".into(),
            name: "套餐变更受理(新)".into(),
            body: "您已成功订购%PLAN_NAME%,次月生效。".into(),
            is_default: true,
        })
        .unwrap();
        templates::upsert(conn, &edited, Some(&seeded.etag()), "ops", now())
            .await
            .unwrap();

        let again = seed::defaults(conn, now()).await.unwrap();
        assert_eq!((again.rules, again.templates), (0, 0), "{label}");
        let rule = rules::get(conn, Touchpoint::LowBalance).await.unwrap();
        assert_eq!(rule.rule.priority.get(), 77, "{label}: the edit stands");
        assert_eq!(rule.updated_by, "ops");
        let template = templates::get(conn, code).await.unwrap().unwrap();
        assert_eq!(template.template.body(), edited.body(), "{label}");
        assert_eq!(template.version, 2, "{label}");
    }
}

#[tokio::test]
async fn every_touchpoint_starts_with_a_rule_and_one_default_template() {
    for store in stores().await {
        let (label, conn) = (store.label, store.db.conn());
        seed::defaults(conn, now()).await.unwrap();
        let all = rules::list(conn).await.unwrap();
        let order: Vec<_> = all.iter().map(|r| r.rule.touchpoint).collect();
        assert_eq!(order, Touchpoint::ALL, "{label}: in touchpoint order");
        assert!(
            all.iter()
                .all(|r| r.version == 1 && r.update_time.is_none())
        );
        for touchpoint in Touchpoint::ALL {
            let filter = TemplateFilter {
                touchpoint: Some(*touchpoint),
                ..TemplateFilter::default()
            };
            let (found, next) = templates::list(conn, &filter, "", 100).await.unwrap();
            assert!(next.is_empty());
            let defaults = found.iter().filter(|t| t.template.is_default()).count();
            assert!(
                defaults >= 1,
                "{label}: {} has no default",
                touchpoint.code()
            );
            assert!(found.iter().all(|t| t.template.touchpoint() == *touchpoint));
            assert!(found.iter().all(|t| t.updated_by.is_empty()));
        }
    }
}
