//! The server side of the pages' server functions: load, authorize, answer.

use super::auth::Viewer;
use super::entities::{audit_event, catalog_item, department, user};
use super::AppState;
use crate::app::error::AppError;
use crate::app::types::{
    AdminOverview, AuditLine, DefinitionLine, DeployResult, SessionUser, ShellInfo,
};
use crate::app::types::{HistoryLine, RequestLine, WorkItemDetail};
use crate::server::entities::workflow_instance;
use crate::server::workflow::DeployOutcome;

pub mod cart;
pub mod delegations;
pub mod mail_decision;
pub mod tokens;
pub mod worklist;
use assent_engine::Role;
use axum::http::StatusCode;
use axum::Extension;
use leptos::prelude::use_context;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};

/// How the pages show a time: to the minute, UTC.
const MINUTES: &str = "%Y-%m-%d %H:%M";

/// Mistakes in a form, with what was typed (dropped when too long to travel back in the
/// URL of a page rendered again without JavaScript).
fn form_invalid(
    errors: Vec<(String, String)>,
    values: std::collections::BTreeMap<String, Vec<String>>,
) -> AppError {
    const MAX_ECHO_BYTES: usize = 3000;
    let size: usize = values.values().flatten().map(String::len).sum();
    AppError::FormInvalid {
        errors,
        values: if size <= MAX_ECHO_BYTES {
            values
        } else {
            Default::default()
        },
    }
}

/// Whether the server function was called by a plain HTML form (no JavaScript): the
/// browser asks for HTML, the hydrated page for the function's encoding.
pub(crate) fn plain_form_post() -> bool {
    use_context::<axum::http::request::Parts>()
        .filter(|parts| parts.method == axum::http::Method::POST)
        .and_then(|parts| {
            parts
                .headers
                .get(axum::http::header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .map(|accept| accept.contains("text/html"))
        })
        .unwrap_or(false)
}

/// A form posted without JavaScript gets a redirect to `target`, where the page shows
/// the result; a call from the hydrated page just gets the value.
async fn after_form_post(target: &str) {
    if plain_form_post() {
        leptos_axum::redirect(target);
    }
}

/// `%`, `_` and `\` match literally in a LIKE pattern escaped with `\`.
fn like_pattern(text: &str) -> String {
    let mut pattern = String::from("%");
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// `column` contains `text`, ignoring case, on SQLite and PostgreSQL alike.
fn contains_ignoring_case(column: workflow_instance::Column, text: &str) -> sea_orm::Condition {
    use sea_orm::sea_query::{Expr, Func, LikeExpr};
    sea_orm::Condition::all().add(
        Expr::expr(Func::lower(Expr::col((workflow_instance::Entity, column))))
            .like(LikeExpr::new(like_pattern(text)).escape('\\')),
    )
}

/// Records the error's status on the response, then hands the error back.
/// A plain form post keeps the redirect Leptos answers it with (back to the page, the
/// error in its URL), so its status is left alone.
fn fail(error: AppError) -> AppError {
    if plain_form_post() {
        return error;
    }
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(
            StatusCode::from_u16(error.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        );
    }
    error
}

fn state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| fail(AppError::Internal))
}

async fn viewer() -> Result<Option<SessionUser>, AppError> {
    let Extension(Viewer(viewer)) =
        leptos_axum::extract::<Extension<Viewer>>()
            .await
            .map_err(|error| {
                tracing::error!(?error, "request without a resolved viewer");
                fail(AppError::Internal)
            })?;
    Ok(viewer)
}

pub async fn require_user() -> Result<SessionUser, AppError> {
    viewer()
        .await?
        .ok_or_else(|| fail(AppError::Unauthenticated))
}

pub async fn require_role(role: Role) -> Result<SessionUser, AppError> {
    let user = require_user().await?;
    if user.has_role(role) {
        Ok(user)
    } else {
        Err(fail(AppError::Forbidden))
    }
}

pub async fn shell_info() -> Result<Option<ShellInfo>, AppError> {
    let Some(user) = viewer().await? else {
        return Ok(None);
    };
    let open = state()?
        .workflows
        .open_item_count(&user.username)
        .await
        .map_err(|e| fail(e.into()))?;
    Ok(Some(ShellInfo {
        user,
        open_work_items: u32::try_from(open).unwrap_or(u32::MAX),
    }))
}

pub async fn admin_overview() -> Result<AdminOverview, AppError> {
    require_role(Role::Admin).await?;
    let db = &state()?.db.connection;
    let users = user::Entity::find()
        .count(db)
        .await
        .map_err(|e| fail(e.into()))?;
    let disabled_users = user::Entity::find()
        .filter(user::Column::Disabled.eq(true))
        .count(db)
        .await
        .map_err(|e| fail(e.into()))?;
    let departments = department::Entity::find()
        .count(db)
        .await
        .map_err(|e| fail(e.into()))?;
    let catalog_items = catalog_item::Entity::find()
        .count(db)
        .await
        .map_err(|e| fail(e.into()))?;
    let recent_audit = audit_event::Entity::find()
        .order_by_desc(audit_event::Column::Id)
        .limit(20)
        .all(db)
        .await
        .map_err(|e| fail(e.into()))?
        .into_iter()
        .map(|event| AuditLine {
            occurred_at: event.occurred_at.format("%Y-%m-%d %H:%M:%S").to_string(),
            actor: event.actor,
            action: event.action,
            detail: event.detail,
        })
        .collect();
    let running_workflows = workflow_instance::Entity::find()
        .filter(workflow_instance::Column::State.is_in(["RUNNING", "SUSPENDED"]))
        .count(db)
        .await
        .map_err(|e| fail(e.into()))?;
    let definitions = state()?
        .workflows
        .latest_definitions()
        .await
        .map_err(|e| fail(e.into()))?
        .into_iter()
        .map(|(stored, _)| DefinitionLine {
            path: stored.path,
            name: stored.name,
            version: stored.version,
            deployed_at: stored.deployed_at.format(MINUTES).to_string(),
            deployed_by: stored.deployed_by,
        })
        .collect();
    Ok(AdminOverview {
        users,
        disabled_users,
        departments,
        catalog_items,
        running_workflows,
        definitions,
        recent_audit,
    })
}

/// Largest definition file accepted, in bytes.
const MAX_DEFINITION_BYTES: usize = 256 * 1024;

pub async fn deploy_definition(
    file_name: String,
    source: String,
) -> Result<DeployResult, AppError> {
    let admin = require_role(Role::Admin).await?;
    let file_name = file_name.trim();
    let valid_name = !file_name.is_empty()
        && file_name.len() <= 200
        && file_name.ends_with(".toml")
        && file_name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    if !valid_name {
        return Err(fail(AppError::Invalid(
            "The file name must end in .toml and use only letters, digits, - _ and .".into(),
        )));
    }
    if source.len() > MAX_DEFINITION_BYTES {
        return Err(fail(AppError::Invalid(format!(
            "A definition has at most {} KiB.",
            MAX_DEFINITION_BYTES / 1024
        ))));
    }
    let outcome = state()?
        .workflows
        .deploy(file_name, &source, Some(admin.username.as_str()))
        .await
        .map_err(|e| fail(e.into()))?;
    Ok(match outcome {
        DeployOutcome::Deployed { path, version, .. } => DeployResult {
            path,
            version,
            changed: true,
        },
        DeployOutcome::Unchanged { path, version, .. } => DeployResult {
            path,
            version,
            changed: false,
        },
    })
}

/// The language the caller reads (their choice, else their browser's), for the texts
/// that come from definitions (titles, step names, field labels).
fn request_lang() -> &'static str {
    use_context::<axum::http::request::Parts>()
        .map(|parts| crate::app::i18n::Lang::of_request(&parts))
        .unwrap_or_default()
        .code()
}

fn title_of(definition: &assent_engine::definition::Definition) -> String {
    let title = definition.title.get(request_lang());
    if title.is_empty() {
        definition.name.clone()
    } else {
        title.to_owned()
    }
}

fn step_title(definition: &assent_engine::definition::Definition, activity: &str) -> String {
    definition
        .activity(&assent_engine::definition::ActivityId(activity.to_owned()))
        .map(|a| a.title.get(request_lang()).to_owned())
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| activity.replace('_', " "))
}

const SHOWN: u64 = 200;

pub async fn my_requests(
    status: Option<String>,
    q: Option<String>,
) -> Result<Vec<RequestLine>, AppError> {
    let user = require_user().await?;
    let state = state()?;
    let mut select = workflow_instance::Entity::find()
        .filter(workflow_instance::Column::Initiator.eq(user.username.as_str()));
    select = match status.as_deref().unwrap_or("") {
        "" => select,
        "open" => select.filter(workflow_instance::Column::State.is_in(["RUNNING", "SUSPENDED"])),
        "accepted" => select.filter(workflow_instance::Column::ApplicationState.eq("ACCEPTED")),
        "rejected" => select.filter(workflow_instance::Column::ApplicationState.eq("REJECTED")),
        "withdrawn" => select.filter(workflow_instance::Column::State.eq("ABORTED")),
        "failed" => select.filter(workflow_instance::Column::State.eq("FAILED")),
        _ => {
            return Err(fail(AppError::Invalid(
                "The state filter is one of open, accepted, rejected, withdrawn or failed.".into(),
            )))
        }
    };
    let words = q.unwrap_or_default();
    if words.chars().count() > 200 {
        return Err(fail(AppError::Invalid(
            "The search has at most 200 characters.".into(),
        )));
    }
    for word in words.split_whitespace().take(8) {
        select = select.filter(contains_ignoring_case(
            workflow_instance::Column::Data,
            word,
        ));
    }
    let rows = select
        .order_by_desc(workflow_instance::Column::CreatedAt)
        .limit(SHOWN)
        .all(&state.db.connection)
        .await
        .map_err(|e| fail(e.into()))?;
    let mut lines = Vec::with_capacity(rows.len());
    for stored in rows {
        let instance =
            crate::server::workflow::decode_stored(&stored).map_err(|e| fail(e.into()))?;
        let definition = state
            .workflows
            .definition(stored.definition_id)
            .await
            .map_err(|e| fail(e.into()))?;
        let current_steps = instance
            .runs
            .iter()
            .filter(|r| {
                matches!(
                    r.state,
                    assent_engine::ActivityState::Running
                        | assent_engine::ActivityState::WaitInError
                ) && r.activity_type != "merge"
            })
            .map(|r| step_title(&definition, &r.activity.0))
            .collect();
        lines.push(RequestLine {
            workflow_id: instance.id.clone(),
            workflow: title_of(&definition),
            subject: instance.subject_id(),
            items: instance.item_ids(),
            state: instance.state.as_str().to_owned(),
            outcome: stored.application_state,
            current_steps,
            created: stored.created_at.format(MINUTES).to_string(),
        });
    }
    Ok(lines)
}

/// Why the user is asked, in their language. The rule itself ("manager of alice") comes
/// from the definition as written.
fn because_text(because: &assent_engine::runtime::model::Because) -> String {
    use assent_engine::runtime::model::Because;
    let german = request_lang() == "de";
    match (because, german) {
        (Because::Rule { rule }, false) => format!("You are the {rule}."),
        (Because::Rule { rule }, true) => {
            // The engine words its three rules in English: "manager of", "owner of",
            // "member of".
            let words = [
                ("manager of ", "Sie sind Vorgesetzte(r) von "),
                ("owner of ", "Sie sind verantwortlich für "),
                ("member of ", "Sie sind Mitglied von "),
            ];
            match words
                .iter()
                .find_map(|(en, de)| rule.strip_prefix(en).map(|rest| format!("{de}{rest}.")))
            {
                Some(text) => text,
                None => format!("Sie sind gefragt als: {rule}."),
            }
        }
        (Because::Substitute { for_user }, false) => format!("You stand in for {for_user}."),
        (Because::Substitute { for_user }, true) => format!("Sie vertreten {for_user}."),
        (Because::Escalation { from }, false) => {
            format!("{from} did not answer in time; it came up to you.")
        }
        (Because::Escalation { from }, true) => {
            format!("{from} hat nicht rechtzeitig geantwortet; der Vorgang wurde an Sie eskaliert.")
        }
        (Because::Forwarded { by }, false) => format!("{by} forwarded it to you."),
        (Because::Forwarded { by }, true) => format!("{by} hat den Vorgang an Sie weitergeleitet."),
        (Because::InsteadOfRequester { requester }, false) => {
            format!("{requester} asked, and may not decide on their own request; you are their manager.")
        }
        (Because::InsteadOfRequester { requester }, true) => {
            format!("{requester} hat den Antrag gestellt und darf nicht selbst entscheiden; Sie sind die Führungskraft.")
        }
        (Because::InsteadOfBeneficiary { beneficiary }, false) => {
            format!("The request is for {beneficiary}, who may not decide on their own access; you are their manager.")
        }
        (Because::InsteadOfBeneficiary { beneficiary }, true) => {
            format!("Der Antrag gilt {beneficiary}, und niemand entscheidet über die eigene Berechtigung; Sie sind die Führungskraft.")
        }
    }
}

/// The steps a request went through, with who was asked, who decided and why.
fn history_lines(
    instance: &assent_engine::runtime::model::Instance,
    definition: &assent_engine::definition::Definition,
) -> Vec<HistoryLine> {
    use assent_engine::runtime::model::Verdict;
    let german = request_lang() == "de";
    let (asked_word, approved, rejected, due_word) = if german {
        ("gefragt", "genehmigt", "abgelehnt", "fällig")
    } else {
        ("asked", "approved", "rejected", "due")
    };
    instance
        .runs
        .iter()
        .filter(|r| {
            !matches!(
                r.activity_type.as_str(),
                "start" | "finish" | "merge" | "branch"
            )
        })
        .map(|r| {
            let detail = match &r.approval {
                Some(a) => {
                    let asked: Vec<String> =
                        a.participants.iter().map(|p| p.user.to_string()).collect();
                    let decided: Vec<String> = a
                        .decisions
                        .iter()
                        .map(|d| {
                            let verdict = match d.verdict {
                                Verdict::Approve => approved,
                                Verdict::Reject => rejected,
                            };
                            // Someone who decided for the participant is named too.
                            let who = match &d.by {
                                Some(by) if german => format!("{by} für {}", d.user),
                                Some(by) => format!("{by} for {}", d.user),
                                None => d.user.to_string(),
                            };
                            match &d.reason {
                                Some(reason) => format!("{who} {verdict} ({reason})"),
                                None => format!("{who} {verdict}"),
                            }
                        })
                        .collect();
                    let mut text = format!("{asked_word}: {}", asked.join(", "));
                    if !decided.is_empty() {
                        text.push_str(&format!("; {}", decided.join("; ")));
                    }
                    if let (Some(due), true) = (a.due_at, a.outcome.is_none()) {
                        text.push_str(&format!(
                            "; {due_word} {}",
                            crate::server::workflow::format_timestamp(due)
                        ));
                    }
                    text
                }
                None => r.error.clone().unwrap_or_default(),
            };
            HistoryLine {
                step: step_title(definition, &r.activity.0),
                state: r.state.as_str().to_owned(),
                started: crate::server::workflow::format_timestamp(r.started_at),
                detail,
            }
        })
        .collect()
}

pub async fn work_item(workflow_id: String, run: u32) -> Result<WorkItemDetail, AppError> {
    use assent_engine::definition::ActivityKind;
    let user = require_user().await?;
    let state = state()?;
    let instance = state
        .workflows
        .instance(&workflow_id)
        .await
        .map_err(|e| fail(e.into()))?;
    // Only the people asked may look at an item: the object itself is checked here, and
    // an item of someone else's answers exactly like one that does not exist.
    let activity_run = instance.run(run).ok_or_else(|| fail(AppError::NotFound))?;
    let approval = activity_run
        .approval
        .as_ref()
        .ok_or_else(|| fail(AppError::NotFound))?;
    let me = approval
        .participants
        .iter()
        .find(|p| p.user == user.username)
        .ok_or_else(|| fail(AppError::NotFound))?;
    let stored = workflow_instance::Entity::find_by_id(&workflow_id)
        .one(&state.db.connection)
        .await
        .map_err(|e| fail(e.into()))?
        .ok_or_else(|| fail(AppError::NotFound))?;
    let definition = state
        .workflows
        .definition(stored.definition_id)
        .await
        .map_err(|e| fail(e.into()))?;
    let reason_required_on_reject = matches!(
        definition.activity(&activity_run.activity).map(|a| &a.kind),
        Some(ActivityKind::Approval(a)) if a.reason_required_on_reject
    );
    let request_fields = instance
        .flowdata
        .node(&assent_engine::flowdata::FlowPath::parse("request").expect("valid path"))
        .map(|node| {
            node.children
                .iter()
                .map(|(name, child)| {
                    // The form's own label, in the reader's language.
                    let label = definition
                        .form
                        .iter()
                        .find(|f| &f.name == name)
                        .map(|f| f.label.get(request_lang()).to_owned())
                        .filter(|l| !l.is_empty())
                        .unwrap_or_else(|| name.replace('_', " "));
                    (
                        label,
                        child
                            .values
                            .iter()
                            .map(|v| v.as_text())
                            .collect::<Vec<_>>()
                            .join(", "),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let time =
        |t: assent_engine::runtime::model::Timestamp| crate::server::workflow::format_timestamp(t);
    let history = history_lines(&instance, &definition);
    Ok(WorkItemDetail {
        workflow_id: instance.id.clone(),
        run,
        version: instance.version,
        workflow: title_of(&definition),
        step: step_title(&definition, &activity_run.activity.0),
        requester: instance.initiator.to_string(),
        subject: instance.subject_id(),
        items: instance.item_ids(),
        request_fields,
        why_me: because_text(&me.because),
        reason_required_on_reject,
        can_decide: activity_run.state == assent_engine::ActivityState::Running
            && approval.awaits_decision_from(&user.username),
        status: match &approval.claimed_by {
            Some(claimant) if claimant == &user.username => "claimed".into(),
            Some(_) => "taken".into(),
            None if approval.is_pool() => "pool".into(),
            None => "personal".into(),
        },
        claimed_by: approval.claimed_by.as_ref().map(|c| c.to_string()),
        due: approval.due_at.map(time),
        conflicts: instance
            .flowdata
            .get(&assent_engine::flowdata::FlowPath::parse("sod/conflicts").expect("valid path"))
            .iter()
            .map(|v| v.as_text())
            .collect(),
        history,
    })
}

pub async fn decide(
    workflow_id: String,
    run: u32,
    version: u64,
    approve: bool,
    reason: Option<String>,
) -> Result<String, AppError> {
    use assent_engine::runtime::model::Verdict;
    let user = require_user().await?;
    let verdict = if approve {
        Verdict::Approve
    } else {
        Verdict::Reject
    };
    let result = state()?
        .workflows
        .decide(
            &user.username,
            &workflow_id,
            run,
            verdict,
            reason,
            Some(version),
        )
        .await;
    match result {
        Ok(_) => {
            after_form_post(if approve {
                "/worklist?done=approved"
            } else {
                "/worklist?done=rejected"
            })
            .await;
            Ok(if approve {
                "Approved.".into()
            } else {
                "Rejected.".into()
            })
        }
        Err(error) => Err(decision_refused(error)),
    }
}

/// Why a decision was refused, in the words the decision pages show (the item page and
/// the mailed link's page alike).
fn decision_refused(error: crate::server::workflow::WorkflowError) -> AppError {
    use crate::server::workflow::WorkflowError;
    use assent_engine::runtime::EngineError;
    fail(match error {
        WorkflowError::Engine(EngineError::ReasonRequired) => {
            AppError::Invalid("Please give a reason for rejecting.".into())
        }
        WorkflowError::Engine(EngineError::NotAwaitingDecision | EngineError::AlreadyDecided) => {
            AppError::Invalid("This item has already been decided.".into())
        }
        WorkflowError::Engine(EngineError::InvalidState(_)) => {
            AppError::Invalid("This request is no longer running.".into())
        }
        other => other.into(),
    })
}

fn catalog_line(
    item: catalog_item::Model,
    owners: &std::collections::HashMap<i32, String>,
) -> crate::app::types::CatalogLine {
    crate::app::types::CatalogLine {
        owner: owners.get(&item.owner_id).cloned().unwrap_or_default(),
        id: item.id,
        kind: item.kind,
        name: item.name,
        category: item.category,
        description: item.description,
    }
}

async fn owner_names(
    db: &sea_orm::DatabaseConnection,
) -> Result<std::collections::HashMap<i32, String>, AppError> {
    Ok(user::Entity::find()
        .all(db)
        .await
        .map_err(|e| fail(e.into()))?
        .into_iter()
        .map(|u| (u.id, u.display_name))
        .collect())
}

pub async fn catalog(
    query: Option<String>,
    category: Option<String>,
) -> Result<crate::app::types::Catalog, AppError> {
    require_user().await?;
    let db = &state()?.db.connection;
    let owners = owner_names(db).await?;
    let all = catalog_item::Entity::find()
        .order_by_asc(catalog_item::Column::Name)
        .all(db)
        .await
        .map_err(|e| fail(e.into()))?;
    let mut categories: Vec<String> = all.iter().map(|i| i.category.clone()).collect();
    categories.sort();
    categories.dedup();
    let words: Vec<String> = query
        .unwrap_or_default()
        .split_whitespace()
        .take(8)
        .map(str::to_lowercase)
        .collect();
    let category = category.filter(|c| !c.is_empty());
    let items = all
        .into_iter()
        .filter(|item| category.as_ref().is_none_or(|c| &item.category == c))
        .filter(|item| {
            let text =
                format!("{} {} {}", item.name, item.description, item.category).to_lowercase();
            words.iter().all(|w| text.contains(w.as_str()))
        })
        .map(|item| catalog_line(item, &owners))
        .collect();
    Ok(crate::app::types::Catalog { items, categories })
}

/// The catalog item and the path of the definition that applies to requesting it.
async fn item_and_definition(
    item_id: i32,
) -> Result<
    (
        catalog_item::Model,
        String,
        std::sync::Arc<assent_engine::definition::Definition>,
    ),
    AppError,
> {
    use assent_engine::definition::RequestFacts;
    let state = state()?;
    let item = catalog_item::Entity::find_by_id(item_id)
        .one(&state.db.connection)
        .await
        .map_err(|e| fail(e.into()))?
        .ok_or_else(|| fail(AppError::NotFound))?;
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
fn field_views(
    definition: &assent_engine::definition::Definition,
) -> Vec<crate::app::types::FieldView> {
    use assent_engine::definition::FieldKind;
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
            crate::app::types::FieldView {
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

pub async fn request_form(item_id: i32) -> Result<crate::app::types::RequestForm, AppError> {
    let user = require_user().await?;
    let (item, _, definition) = item_and_definition(item_id).await?;
    let owners = owner_names(&state()?.db.connection).await?;
    let fields = field_views(&definition);
    Ok(crate::app::types::RequestForm {
        item: catalog_line(item, &owners),
        workflow: title_of(&definition),
        fields,
        subjects: cart::requestable_subjects(&user).await?,
    })
}

pub async fn submit_request(
    item_id: i32,
    subject: Option<String>,
    fields: std::collections::BTreeMap<String, Vec<String>>,
) -> Result<crate::app::types::SubmitOutcome, AppError> {
    use crate::app::types::SubmitOutcome;
    use crate::server::workflow::{SubmitRequest, WorkflowError};
    use assent_engine::runtime::model::{Order, OrderType};
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
    typed.insert(
        crate::app::types::SUBJECT_ECHO.to_owned(),
        vec![subject.to_string()],
    );
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

pub async fn request_detail(
    workflow_id: String,
) -> Result<crate::app::types::RequestDetail, AppError> {
    let user = require_user().await?;
    let state = state()?;
    let stored = workflow_instance::Entity::find_by_id(&workflow_id)
        .one(&state.db.connection)
        .await
        .map_err(|e| fail(e.into()))?
        .ok_or_else(|| fail(AppError::NotFound))?;
    let instance = crate::server::workflow::decode_stored(&stored).map_err(|e| fail(e.into()))?;
    // The requester, the person it is for, and administrators may follow a request;
    // anyone else is answered as if it did not exist.
    let allowed = instance.initiator == user.username
        || instance.subject_user().as_ref() == Some(&user.username)
        || user.has_role(Role::Admin);
    if !allowed {
        return Err(fail(AppError::NotFound));
    }
    let definition = state
        .workflows
        .definition(stored.definition_id)
        .await
        .map_err(|e| fail(e.into()))?;
    Ok(crate::app::types::RequestDetail {
        workflow_id: instance.id.clone(),
        version: instance.version,
        workflow: title_of(&definition),
        subject: instance.subject_id(),
        items: instance.item_ids(),
        state: instance.state.as_str().to_owned(),
        outcome: stored.application_state,
        created: stored.created_at.format(MINUTES).to_string(),
        can_withdraw: instance.initiator == user.username && !instance.state.is_terminal(),
        history: history_lines(&instance, &definition),
    })
}

pub async fn withdraw(workflow_id: String, version: u64) -> Result<String, AppError> {
    let user = require_user().await?;
    state()?
        .workflows
        .withdraw(&user.username, &workflow_id, version)
        .await
        .map_err(|e| fail(e.into()))?;
    Ok("Your request was withdrawn.".into())
}

pub async fn forward(workflow_id: String, run: u32, to: String) -> Result<String, AppError> {
    use crate::server::workflow::WorkflowError;
    use assent_engine::runtime::EngineError;
    use assent_engine::UserName;
    let user = require_user().await?;
    let to =
        UserName::parse(&to).map_err(|e| fail(AppError::Invalid(format!("Forward to: {e}"))))?;
    match state()?
        .workflows
        .forward(&user.username, &workflow_id, run, &to)
        .await
    {
        Ok(_) => Ok(format!("Forwarded to {to}.")),
        Err(WorkflowError::Engine(EngineError::CannotForward(who, why))) => Err(fail(
            AppError::Invalid(format!("Cannot forward to {who}: {why}.")),
        )),
        Err(WorkflowError::Engine(EngineError::NotAwaitingDecision)) => Err(fail(
            AppError::Invalid("This item has already been decided.".into()),
        )),
        Err(other) => Err(fail(other.into())),
    }
}
