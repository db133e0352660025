//! Requesting one catalog item: the form of the definition that applies to it, and
//! submitting it for oneself or for someone the requester may request for.

use super::catalog::{catalog_line, owner_names};
use super::{
    after_form_post, cart, fail, form_invalid, one_or_not_found, request_lang, require_user, state,
    title_of,
};
use crate::app::types::{FieldView, RequestForm, SubmitOutcome, SUBJECT_ECHO};
use crate::model::AppError;
use crate::server::entities::catalog_item;
use crate::server::workflow::{SubmitRequest, WorkflowError};
use assent_engine::definition::{Definition, FieldKind, RequestFacts};
use assent_engine::runtime::model::{Order, OrderType};
use sea_orm::EntityTrait;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The catalog item and the path of the definition that applies to requesting it.
pub(super) async fn item_and_definition(
    item_id: i32,
) -> Result<(catalog_item::Model, String, Arc<Definition>), AppError> {
    let state = state()?;
    let item = one_or_not_found(
        catalog_item::Entity::find_by_id(item_id),
        &state.db.connection,
    )
    .await?;
    let facts = RequestFacts {
        operation: Some("assign".into()),
        subject_type: Some("user".into()),
        resource_type: Some(item.kind.clone()),
        resource: [
            ("kind".to_owned(), vec![item.kind.clone()]),
            ("category".to_owned(), vec![item.category.clone()]),
            ("name".to_owned(), vec![item.name.clone()]),
        ]
        .into(),
        ..RequestFacts::default()
    };
    let path = state
        .workflows
        .choose_definition(&facts)
        .await
        .map_err(|e| fail(e.into()))?;
    let (_, definition) = state
        .workflows
        .latest_definition(&path)
        .await
        .map_err(|e| fail(e.into()))?;
    Ok((item, path, definition))
}

/// The fields a requester fills in, as the browser renders them.
pub(super) fn field_views(definition: &Definition) -> Vec<FieldView> {
    definition
        .form
        .iter()
        .filter(|f| !f.read_only)
        .map(|f| {
            let (kind, choices) = match &f.kind {
                FieldKind::Text => ("text", vec![]),
                FieldKind::LongText => ("long_text", vec![]),
                FieldKind::Number => ("number", vec![]),
                FieldKind::Date => ("date", vec![]),
                FieldKind::SingleChoice(c) => ("single_choice", c.clone()),
                FieldKind::MultipleChoice(c) => ("multiple_choice", c.clone()),
                FieldKind::Checkbox => ("checkbox", vec![]),
                FieldKind::UserPicker => ("user", vec![]),
                FieldKind::RolePicker => ("role", vec![]),
                FieldKind::ResourcePicker => ("resource", vec![]),
            };
            FieldView {
                name: f.name.clone(),
                label: {
                    let label = f.label.get(request_lang());
                    if label.is_empty() {
                        f.name.replace('_', " ")
                    } else {
                        label.to_owned()
                    }
                },
                kind: kind.to_owned(),
                required: f.required,
                choices,
                pattern: f.pattern.clone(),
                min: f.min,
                max: f.max,
            }
        })
        .collect()
}

pub async fn request_form(item_id: i32) -> Result<RequestForm, AppError> {
    let user = require_user().await?;
    let (item, _, definition) = item_and_definition(item_id).await?;
    let owners = owner_names(&state()?.db.connection).await?;
    let fields = field_views(&definition);
    Ok(RequestForm {
        item: catalog_line(item, &owners),
        workflow: title_of(&definition),
        fields,
        subjects: cart::requestable_subjects(&user).await?,
    })
}

pub async fn submit_request(
    item_id: i32,
    subject: Option<String>,
    fields: BTreeMap<String, Vec<String>>,
) -> Result<SubmitOutcome, AppError> {
    let user = require_user().await?;
    let subject = cart::subject_for(&user, subject).await?;
    let (item, path, _) = item_and_definition(item_id).await?;
    let order = |object_type: &str, id: &str| Order::new(OrderType::AddOrder, object_type, id);
    let result = state()?
        .workflows
        .submit(SubmitRequest {
            definition_path: path,
            initiator: user.username.clone(),
            subject: Some(order("user", subject.as_str())),
            resources: vec![order(&item.kind, &item.name)],
            form: fields.clone(),
        })
        .await;
    let mut typed = fields;
    typed.insert(SUBJECT_ECHO.to_owned(), vec![subject.to_string()]);
    match result {
        Ok(instance) => {
            after_form_post(&format!("/requests/{}?submitted=1", instance.id)).await;
            Ok(SubmitOutcome::Started {
                workflow_id: instance.id,
            })
        }
        Err(WorkflowError::InvalidForm(errors)) => Err(fail(form_invalid(
            errors.into_iter().map(|e| (e.field, e.message)).collect(),
            typed,
        ))),
        Err(other) => Err(fail(other.into())),
    }
}
