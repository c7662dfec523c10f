//! Rules and templates change only over the version the caller read: a stale etag is refused
//! and changes nothing, and of two concurrent updates from one read exactly one lands.

use vipcare_reminder::domain::{
    ContactChannel, Priority, RuleChange, Template, TemplateDraft, Touchpoint,
};
use vipcare_reminder::store::templates::{self, TemplateFilter};
use vipcare_reminder::store::{StoreError, rules, seed};

use crate::harness::{minutes, now, stores};

fn priority(n: i32) -> RuleChange {
    RuleChange {
        priority: Some(Priority::new(n).unwrap()),
        ..RuleChange::default()
    }
}

#[tokio::test]
async fn a_stale_rule_etag_is_refused_and_changes_nothing() {
    for store in stores().await {
        let (label, conn) = (store.label, store.db.conn());
        seed::defaults(conn, now()).await.unwrap();
        let read = rules::get(conn, Touchpoint::Care).await.unwrap();
        assert_eq!(read.etag(), "\"v1\"");
        let later = now() + minutes(1);
        let updated = rules::update(
            conn,
            Touchpoint::Care,
            &read.etag(),
            priority(12),
            "ops",
            later,
        )
        .await
        .unwrap();
        assert_eq!((updated.version, updated.rule.priority.get()), (2, 12));
        assert_eq!(updated.update_time, Some(later));

        let stale = rules::update(
            conn,
            Touchpoint::Care,
            &read.etag(),
            priority(99),
            "ops",
            later,
        )
        .await;
        match stale {
            Err(StoreError::StaleEtag { given, current }) => {
                assert_eq!(
                    (given.as_str(), current.as_str()),
                    ("\"v1\"", "\"v2\""),
                    "{label}"
                );
            }
            other => panic!("{label}: expected a stale etag, got {other:?}"),
        }
        let now_stored = rules::get(conn, Touchpoint::Care).await.unwrap();
        assert_eq!(
            now_stored, updated,
            "{label}: the stale update changed nothing"
        );
    }
}

#[tokio::test]
async fn of_two_updates_from_one_read_exactly_one_lands() {
    for store in stores().await {
        let label = store.label;
        seed::defaults(store.db.conn(), now()).await.unwrap();
        let etag = rules::get(store.db.conn(), Touchpoint::PlanChange)
            .await
            .unwrap()
            .etag();
        let tasks: Vec<_> = (0..6)
            .map(|i| {
                let (db, etag) = (store.db.clone(), etag.clone());
                tokio::spawn(async move {
                    rules::update(
                        db.conn(),
                        Touchpoint::PlanChange,
                        &etag,
                        priority(20 + i),
                        "ops",
                        now(),
                    )
                    .await
                })
            })
            .collect();
        let mut landed = 0;
        for task in tasks {
            match task.await.unwrap() {
                Ok(_) => landed += 1,
                Err(StoreError::StaleEtag { .. }) => {}
                Err(other) => panic!("{label}: {other:?}"),
            }
        }
        assert_eq!(landed, 1, "{label}");
        let rule = rules::get(store.db.conn(), Touchpoint::PlanChange)
            .await
            .unwrap();
        assert_eq!(rule.version, 2, "{label}");
    }
}

#[tokio::test]
async fn a_change_leaving_an_invalid_rule_names_the_field() {
    for store in stores().await {
        let conn = store.db.conn();
        seed::defaults(conn, now()).await.unwrap();
        let etag = rules::get(conn, Touchpoint::Care).await.unwrap().etag();
        let urgent = RuleChange {
            urgent: Some(true),
            ..RuleChange::default()
        };
        match rules::update(conn, Touchpoint::Care, &etag, urgent, "ops", now()).await {
            Err(StoreError::Invalid(v)) => assert_eq!(v[0].field, "mergeable", "{}", store.label),
            other => panic!("{}: {other:?}", store.label),
        }
        assert_eq!(rules::get(conn, Touchpoint::Care).await.unwrap().version, 1);
    }
}

fn template(code: &str, body: &str, is_default: bool) -> Template {
    Template::new(TemplateDraft {
        code: code.into(),
        touchpoint: Touchpoint::Care,
        channel: ContactChannel::Sms,
        locale: "zh-CN".into(),
        name: "关怀".into(),
        body: body.into(),
        is_default,
    })
    .unwrap()
}

#[tokio::test]
async fn templates_replace_by_etag_and_keep_one_default() {
    for store in stores().await {
        let (label, conn) = (store.label, store.db.conn());
        seed::defaults(conn, now()).await.unwrap();
        let filter = TemplateFilter {
            touchpoint: Some(Touchpoint::Care),
            channel: Some(ContactChannel::Sms),
            locale: Some("zh-CN".into()),
        };
        let (before, _) = templates::list(conn, &filter, "", 50).await.unwrap();
        let old_default = before
            .iter()
            .find(|t| t.template.is_default())
            .unwrap()
            .clone();

        let (stored, created) = templates::upsert(
            conn,
            &template("care.new.sms.zh-cn", "生日快乐!", true),
            None,
            "ops",
            now(),
        )
        .await
        .unwrap();
        assert!(created, "{label}");
        assert_eq!(stored.version, 1);
        let (after, _) = templates::list(conn, &filter, "", 50).await.unwrap();
        let defaults: Vec<_> = after
            .iter()
            .filter(|t| t.template.is_default())
            .map(|t| t.template.code())
            .collect();
        assert_eq!(defaults, ["care.new.sms.zh-cn"], "{label}: one default");
        let demoted = templates::get(conn, old_default.template.code())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(demoted.version, old_default.version + 1, "{label}");

        // Replacing with a stale etag is refused; with the current one it lands.
        let v2 = template("care.new.sms.zh-cn", "节日快乐!", true);
        let stale = templates::upsert(conn, &v2, Some("\"v0\""), "ops", now()).await;
        assert!(
            matches!(stale, Err(StoreError::StaleEtag { .. })),
            "{label}: {stale:?}"
        );
        let (replaced, created) = templates::upsert(conn, &v2, Some(&stored.etag()), "ops", now())
            .await
            .unwrap();
        assert!(!created);
        assert_eq!(replaced.version, 2);
        let read = templates::get(conn, "care.new.sms.zh-cn")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(read.template.body(), "节日快乐!", "{label}");
        // An etag for a template that does not exist is stale too.
        let missing = templates::upsert(
            conn,
            &template("care.none.sms.zh-cn", "x", false),
            Some("\"v1\""),
            "ops",
            now(),
        )
        .await;
        assert!(
            matches!(missing, Err(StoreError::StaleEtag { .. })),
            "{label}"
        );
    }
}

#[tokio::test]
async fn templates_page_in_code_order() {
    for store in stores().await {
        let (label, conn) = (store.label, store.db.conn());
        for i in 0..7 {
            let code = format!("care.t{i}.sms.zh-cn");
            templates::upsert(conn, &template(&code, "您好", false), None, "ops", now())
                .await
                .unwrap();
        }
        let filter = TemplateFilter {
            touchpoint: Some(Touchpoint::Care),
            ..TemplateFilter::default()
        };
        let (mut codes, mut token) = (Vec::new(), String::new());
        loop {
            let (page, next) = templates::list(conn, &filter, &token, 3).await.unwrap();
            assert!(page.len() <= 3);
            codes.extend(page.into_iter().map(|t| t.template.code().to_owned()));
            if next.is_empty() {
                break;
            }
            token = next;
        }
        let expected: Vec<_> = (0..7).map(|i| format!("care.t{i}.sms.zh-cn")).collect();
        assert_eq!(codes, expected, "{label}");
        let bad = templates::list(conn, &filter, "not-a-token", 3).await;
        assert!(matches!(bad, Err(StoreError::Invalid(_))), "{label}");
    }
}

#[tokio::test]
async fn the_catalogue_keeps_what_it_read_until_told_or_until_it_is_no_longer_fresh() {
    use std::time::Duration;
    use vipcare_reminder::catalogue::Catalogue;

    for store in stores().await {
        let (label, conn) = (store.label, store.db.conn());
        seed::defaults(conn, now()).await.unwrap();
        let keeping = Catalogue::keeping(store.db.clone(), Duration::from_secs(3600));
        let reading = Catalogue::keeping(store.db.clone(), Duration::ZERO);
        let before = keeping.rule(Touchpoint::Care).await.unwrap().priority;
        assert_eq!(
            reading.rule(Touchpoint::Care).await.unwrap().priority,
            before
        );
        let none_yet = keeping.template("care.new.sms.zh-cn").await.unwrap();
        assert!(none_yet.is_none(), "{label}: no such template yet");

        // Changed behind the catalogue's back (another replica, say).
        let read = rules::get(conn, Touchpoint::Care).await.unwrap();
        rules::update(
            conn,
            Touchpoint::Care,
            &read.etag(),
            priority(12),
            "ops",
            now(),
        )
        .await
        .unwrap();
        let new = template("care.new.sms.zh-cn", "生日快乐!", false);
        templates::upsert(conn, &new, None, "ops", now())
            .await
            .unwrap();
        let twelve = Priority::new(12).unwrap();
        assert_eq!(
            reading.rule(Touchpoint::Care).await.unwrap().priority,
            twelve
        );
        assert!(
            reading
                .template("care.new.sms.zh-cn")
                .await
                .unwrap()
                .is_some()
        );
        assert_eq!(
            keeping.rule(Touchpoint::Care).await.unwrap().priority,
            before,
            "{label}: kept while fresh"
        );
        assert!(
            keeping
                .template("care.new.sms.zh-cn")
                .await
                .unwrap()
                .is_none()
        );

        // A change this process made: forgotten, read anew.
        keeping.forget();
        assert_eq!(
            keeping.rule(Touchpoint::Care).await.unwrap().priority,
            twelve
        );
        let body = keeping.template("care.new.sms.zh-cn").await.unwrap();
        assert_eq!(body.unwrap().body(), "生日快乐!", "{label}");
    }
}
