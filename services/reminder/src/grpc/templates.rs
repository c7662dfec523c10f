//! UpsertTemplate, GetTemplate, ListTemplates and PreviewTemplate. A template is checked when
//! stored (balanced, well-formed placeholders); a preview renders it as the customer would read
//! it and counts its SMS segments, refusing a missing variable by name.

use tonic::{Request, Response};
use vipcare_domain::Invalid;
use vipcare_proto::reminder::v1 as pb;

use super::convert::{
    channel_from_proto, page_size_from_proto, preview_to_proto, template_from_proto,
    template_to_proto, touchpoint_from_proto,
};
use super::request::{Begun, Calling, begin, finish};
use super::{ReminderApi, Reply};
use crate::domain::segments;
use crate::domain::template::{canonical_locale, template_code};
use crate::domain::{Template, Variables};
use crate::error::Error;
use crate::store::templates::{self, TemplateFilter};

const UPSERT: &str = "vipcare.reminder.v1.ReminderService/UpsertTemplate";

pub async fn upsert(
    api: &ReminderApi,
    r: Request<pb::UpsertTemplateRequest>,
) -> Reply<pb::UpsertTemplateResponse> {
    let calling = Calling::from(r.metadata());
    let key = calling.key(UPSERT, &r.get_ref().request_id, r.get_ref())?;
    let pb::UpsertTemplateRequest {
        template,
        request_id: _,
    } = r.into_inner();
    let template = template_from_proto(template)?;
    let fresh = match begin(&api.requests, key.as_ref()).await? {
        Begun::Replayed(answer) => return Ok(Response::new(answer)),
        Begun::Fresh(fresh) => fresh,
    };
    let by = calling.client();
    let now = api.clock.now();
    let answer = finish(fresh, async |txn| {
        let (stored, created) = templates::upsert(txn, &template, None, &by, now).await?;
        api.catalogue.forget();
        Ok(pb::UpsertTemplateResponse {
            template: Some(template_to_proto(&stored)),
            created,
        })
    })
    .await?;
    tracing::info!(code = template.code(), by = %by, created = answer.created, "template stored");
    Ok(Response::new(answer))
}

pub async fn get(
    api: &ReminderApi,
    r: Request<pb::GetTemplateRequest>,
) -> Reply<pb::GetTemplateResponse> {
    let pb::GetTemplateRequest { template_code } = r.into_inner();
    let stored = stored_template(api, &template_code).await?;
    Ok(Response::new(pb::GetTemplateResponse {
        template: Some(template_to_proto(&stored)),
    }))
}

pub async fn list(
    api: &ReminderApi,
    r: Request<pb::ListTemplatesRequest>,
) -> Reply<pb::ListTemplatesResponse> {
    let pb::ListTemplatesRequest {
        touchpoint,
        channel,
        locale,
        page_size,
        page_token,
    } = r.into_inner();
    let mut found = Vec::new();
    let touchpoint = touchpoint_from_proto(touchpoint)
        .map_err(|e| found.push(e.at("touchpoint")))
        .ok()
        .flatten();
    let channel = channel_from_proto(channel)
        .map_err(|e| found.push(e.at("channel")))
        .ok()
        .flatten();
    // Stored in canonical case, so "zh-cn" finds "zh-CN".
    let locale = match locale.as_str() {
        "" => None,
        tag => canonical_locale(tag)
            .map_err(|e| found.push(e.at("locale")))
            .ok(),
    };
    let size = page_size_from_proto(page_size)
        .map_err(|v| found.push(v))
        .unwrap_or_default();
    if !found.is_empty() {
        return Err(Error::Invalid(found));
    }
    let filter = TemplateFilter {
        touchpoint,
        channel,
        locale,
    };
    let (page, next_page_token) =
        templates::list(api.db.conn(), &filter, &page_token, size).await?;
    Ok(Response::new(pb::ListTemplatesResponse {
        templates: page.iter().map(template_to_proto).collect(),
        next_page_token,
    }))
}

pub async fn preview(
    api: &ReminderApi,
    r: Request<pb::PreviewTemplateRequest>,
) -> Reply<pb::PreviewTemplateResponse> {
    let pb::PreviewTemplateRequest {
        template_code,
        variables,
    } = r.into_inner();
    let variables = Variables::new(variables)?;
    let stored = stored_template(api, &template_code).await?;
    let template: &Template = &stored.template;
    let text = template.render(&variables)?;
    let count = segments::count(&text);
    let unused = template.unused(&variables);
    Ok(Response::new(preview_to_proto(text, count, unused)))
}

/// The template named by a request's `template_code`, or NOT_FOUND.
async fn stored_template(
    api: &ReminderApi,
    code: &str,
) -> Result<templates::StoredTemplate, Error> {
    if code.is_empty() {
        return Err(Invalid::new("required").at("template_code").into());
    }
    template_code(code).map_err(|e| e.at("template_code"))?;
    templates::get(api.db.conn(), code)
        .await?
        .ok_or_else(|| Error::not_found("template", code))
}
