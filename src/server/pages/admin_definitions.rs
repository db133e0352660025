//! The server side of the administrators' definition screen: a definition's versions,
//! text, graph and differences, and a rehearsal of a new text. The typed sample request
//! is parsed here into the use case's types; what runs is decided in
//! `usecases::definitions`.

use super::{fail, request_lang, require_user, state};
use crate::model::definitions::{DefinitionView, DryRun};
use crate::model::{AppError, WorkflowId};
use crate::server::rights::{Granted, ManageDefinitions};
use crate::server::usecases::definitions::dry_run::{dry_run as rehearse, Sample};
use crate::server::usecases::definitions::view;
use assent_engine::runtime::model::{Order, OrderType};
use assent_engine::runtime::rehearsal::Answer;
use assent_engine::UserName;

pub async fn definition(
    path: String,
    version: Option<i32>,
    compare: Option<i32>,
) -> Result<DefinitionView, AppError> {
    let user = require_user().await?;
    let may =
        Granted::<ManageDefinitions>::check(&user).ok_or_else(|| fail(AppError::Forbidden))?;
    view(
        may,
        &state()?.workflows,
        path.trim(),
        version,
        compare,
        request_lang(),
    )
    .await
    .map_err(|e| fail(e.into()))
}

/// The rehearsal form as sent: the text, the real requests ticked, a typed request.
pub struct DryRunForm {
    pub file_name: String,
    pub source: String,
    pub samples: Vec<String>,
    pub requester: String,
    pub subject: String,
    pub item_kind: String,
    pub item: String,
    pub form: String,
    pub answer: String,
}

pub async fn dry_run(sent: DryRunForm) -> Result<DryRun, AppError> {
    let user = require_user().await?;
    let may =
        Granted::<ManageDefinitions>::check(&user).ok_or_else(|| fail(AppError::Forbidden))?;
    let file_name = super::admin::checked_definition_file(&sent.file_name, &sent.source)?;
    let invalid = |message: &str| fail(AppError::Invalid(message.to_owned()));
    let answer = match sent.answer.as_str() {
        "approve" | "" => Answer::Approve,
        "reject" => Answer::Reject,
        _ => return Err(invalid("Choose approve or reject.")),
    };
    let mut samples = sent
        .samples
        .iter()
        .map(|id| id.parse::<WorkflowId>().map(Sample::Workflow))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| invalid("Unknown workflow ID."))?;
    if let Some(typed) = typed_sample(&sent).map_err(invalid)? {
        samples.push(typed);
    }
    rehearse(
        may,
        &state()?.workflows,
        file_name,
        &sent.source,
        samples,
        answer,
        request_lang(),
    )
    .await
    .map_err(|e| fail(e.into()))
}

/// The typed request, if any of its fields is filled in.
fn typed_sample(sent: &DryRunForm) -> Result<Option<Sample>, &'static str> {
    let requester = sent.requester.trim();
    let subject = sent.subject.trim();
    let item = sent.item.trim();
    if requester.is_empty() && subject.is_empty() && item.is_empty() && sent.form.trim().is_empty()
    {
        return Ok(None);
    }
    let requester = UserName::parse(requester).map_err(|_| "Name the requester by user name.")?;
    let subject = if subject.is_empty() {
        requester.clone()
    } else {
        UserName::parse(subject).map_err(|_| "Name the person it is for by user name.")?
    };
    let kind = match sent.item_kind.as_str() {
        "role" | "resource" | "entitlement" => sent.item_kind.as_str(),
        _ if item.is_empty() => "role",
        _ => return Err("Choose role, resource or entitlement."),
    };
    if item.chars().count() > 200 {
        return Err("An item's name has at most 200 characters.");
    }
    let mut form = assent_engine::form::Submission::new();
    for line in sent.form.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (field, value) = line
            .split_once('=')
            .ok_or("Give each form value as field = value, one to a line.")?;
        form.entry(field.trim().to_owned())
            .or_default()
            .push(value.trim().to_owned());
    }
    Ok(Some(Sample::Typed {
        requester,
        subject: Some(Order::new(OrderType::AddOrder, "user", subject.as_str())),
        item: (!item.is_empty()).then(|| Order::new(OrderType::AddOrder, kind, item)),
        form,
    }))
}
