//! Relations between customers and the account manager's work log.

use tonic::Code;
use vipcare_proto::common::v1 as common;
use vipcare_proto::profile::v1 as pb;

use crate::harness::*;

async fn relate(
    svc: &mut Service,
    a: &str,
    b: &str,
    kind: pb::RelationKind,
) -> Result<pb::Relation, tonic::Status> {
    let request = pb::AddRelationRequest {
        customer_id: a.into(),
        related_customer_id: b.into(),
        kind: kind as i32,
    };
    Ok(svc
        .client
        .add_relation(request)
        .await?
        .into_inner()
        .relation
        .unwrap())
}

async fn related(svc: &mut Service, id: &str) -> Vec<(String, i32)> {
    let request = pb::ListRelationsRequest {
        customer_id: id.into(),
        ..Default::default()
    };
    let found = svc
        .client
        .list_relations(request)
        .await
        .unwrap()
        .into_inner()
        .relations;
    found
        .into_iter()
        .map(|r| (r.related_customer_id, r.kind))
        .collect()
}

#[tokio::test]
async fn family_is_mutual_referral_is_directed() {
    for mut svc in services().await {
        let label = svc.label;
        let ids: Vec<String> = create_many(&mut svc, 3)
            .await
            .into_iter()
            .map(|c| c.customer_id)
            .collect();
        let (a, b, c) = (&ids[0], &ids[1], &ids[2]);
        use pb::RelationKind::{Family, Referral};
        let first = relate(&mut svc, a, b, Family).await.unwrap();
        let again = relate(&mut svc, a, b, Family).await.unwrap();
        assert_eq!(
            again, first,
            "[{label}] adding twice returns the existing relation"
        );
        relate(&mut svc, a, c, Referral).await.unwrap();
        assert_eq!(
            related(&mut svc, a).await,
            [(b.clone(), Family as i32), (c.clone(), Referral as i32)],
            "[{label}]"
        );
        assert_eq!(
            related(&mut svc, b).await,
            [(a.clone(), Family as i32)],
            "[{label}] mutual"
        );
        assert!(
            related(&mut svc, c).await.is_empty(),
            "[{label}] a referral points one way"
        );

        let page = pb::ListRelationsRequest {
            customer_id: a.clone(),
            page_size: 1,
            ..Default::default()
        };
        let page = svc.client.list_relations(page).await.unwrap().into_inner();
        assert_eq!(page.relations.len(), 1, "[{label}]");
        let rest = pb::ListRelationsRequest {
            customer_id: a.clone(),
            page_size: 1,
            page_token: page.next_page_token,
            ..Default::default()
        };
        let rest = svc.client.list_relations(rest).await.unwrap().into_inner();
        assert_eq!(rest.relations[0].related_customer_id, *c, "[{label}]");
        let only_family = pb::ListRelationsRequest {
            customer_id: a.clone(),
            kind: Family as i32,
            ..Default::default()
        };
        assert_eq!(
            svc.client
                .list_relations(only_family)
                .await
                .unwrap()
                .into_inner()
                .relations
                .len(),
            1
        );

        // Removing from the other side removes both directions.
        let remove = pb::RemoveRelationRequest {
            customer_id: b.clone(),
            related_customer_id: a.clone(),
            kind: Family as i32,
        };
        svc.client.remove_relation(remove.clone()).await.unwrap();
        assert_eq!(
            related(&mut svc, a).await,
            [(c.clone(), Referral as i32)],
            "[{label}]"
        );
        assert_eq!(
            code(svc.client.remove_relation(remove).await),
            Code::NotFound,
            "[{label}]"
        );
    }
}

#[tokio::test]
async fn bad_relations_are_refused() {
    for mut svc in services().await {
        let label = svc.label;
        let a = create(&mut svc, customer("13800138000", "张三丰"))
            .await
            .customer_id;
        let unknown = "01900000-0000-7000-8000-000000000000";
        assert_invalid(
            label,
            relate(&mut svc, &a, &a, pb::RelationKind::Family).await,
            "related_customer_id",
        );
        assert_invalid(
            label,
            relate(&mut svc, &a, "nope", pb::RelationKind::Family).await,
            "related_customer_id",
        );
        assert_invalid(
            label,
            relate(&mut svc, &a, unknown, pb::RelationKind::Unspecified).await,
            "kind",
        );
        assert_eq!(
            code(relate(&mut svc, &a, unknown, pb::RelationKind::Family).await),
            Code::NotFound,
            "[{label}]"
        );
        assert!(related(&mut svc, &a).await.is_empty(), "[{label}]");
    }
}

#[tokio::test]
async fn work_log_lists_newest_first_with_the_callers_channel() {
    for mut svc in services().await {
        let label = svc.label;
        let id = create(&mut svc, customer("13800138000", "张三丰"))
            .await
            .customer_id;
        let note = |kind: pb::NoteKind, text: &str, channel: common::Channel, request_id: &str| {
            pb::AddServiceNoteRequest {
                customer_id: id.clone(),
                kind: kind as i32,
                text: text.into(),
                author: "am-1".into(),
                channel: channel as i32,
                request_id: request_id.into(),
            }
        };
        let first = note(
            pb::NoteKind::Need,
            "wants airport lounge access",
            common::Channel::Unspecified,
            "n-1",
        );
        let added = svc
            .client
            .add_service_note(as_caller(&clerk(), first.clone()))
            .await
            .unwrap()
            .into_inner()
            .note
            .unwrap();
        assert_eq!(
            added.channel,
            common::Channel::Hall as i32,
            "[{label}] the caller's channel by default"
        );
        let repeat = svc
            .client
            .add_service_note(as_caller(&clerk(), first))
            .await
            .unwrap()
            .into_inner()
            .note
            .unwrap();
        assert_eq!(repeat, added, "[{label}] same request_id, same note");
        let second = note(
            pb::NoteKind::Care,
            "birthday call done",
            common::Channel::AccountManager,
            "",
        );
        svc.client
            .add_service_note(as_caller(&clerk(), second))
            .await
            .unwrap();

        let list =
            |kind: pb::NoteKind, page_size: i32, page_token: String| pb::ListServiceNotesRequest {
                customer_id: id.clone(),
                kind: kind as i32,
                page_size,
                page_token,
            };
        let all = svc
            .client
            .list_service_notes(list(pb::NoteKind::Unspecified, 0, String::new()))
            .await
            .unwrap()
            .into_inner();
        let texts: Vec<&str> = all.notes.iter().map(|n| n.text.as_str()).collect();
        assert_eq!(
            texts,
            ["birthday call done", "wants airport lounge access"],
            "[{label}] newest first"
        );
        assert_eq!(
            all.notes[0].channel,
            common::Channel::AccountManager as i32,
            "[{label}]"
        );
        let needs = svc
            .client
            .list_service_notes(list(pb::NoteKind::Need, 0, String::new()))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(needs.notes, [added], "[{label}]");
        let page = svc
            .client
            .list_service_notes(list(pb::NoteKind::Unspecified, 1, String::new()))
            .await
            .unwrap()
            .into_inner();
        let rest = svc
            .client
            .list_service_notes(list(pb::NoteKind::Unspecified, 1, page.next_page_token))
            .await
            .unwrap()
            .into_inner();
        assert_eq!([page.notes, rest.notes].concat(), all.notes, "[{label}]");

        let too_long = note(
            pb::NoteKind::Problem,
            &"长".repeat(2001),
            common::Channel::Hall,
            "",
        );
        assert_invalid(label, svc.client.add_service_note(too_long).await, "text");
        let no_kind = note(pb::NoteKind::Unspecified, "x", common::Channel::Hall, "");
        assert_invalid(label, svc.client.add_service_note(no_kind).await, "kind");
    }
}
