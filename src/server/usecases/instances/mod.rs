//! Workflows for administrators: the search behind the instance list and the dashboard's
//! figures of what needs attention ([`attention`]), one workflow taken apart
//! ([`inspect`]), and the repairs that get it moving again ([`repair`]). Every function
//! takes the capability its right gives: reading all workflows, or managing them.

pub mod attention;
pub mod inspect;
pub mod repair;
pub mod replay;

use crate::model::instances::{
    InstanceLine, InstancePage, InstanceQuery, FAILING_JOBS, INSTANCES_COUNT_CAP,
    INSTANCES_PAGE_SIZE, OVERDUE, STUCK,
};
use crate::server::entities::{job, work_item, workflow_definition, workflow_instance as row};
use crate::server::rights::{Granted, ReadAllWorkflows};
use crate::server::usecases::reading::definition_title;
use crate::server::workflow::{WorkflowError, Workflows};
use assent_engine::WorkflowState;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::BTreeMap;

use super::MINUTES;

/// One page of the workflows `query` finds, newest first.
pub async fn search(
    _may: Granted<ReadAllWorkflows>,
    workflows: &Workflows,
    query: &InstanceQuery,
    now: DateTime<Utc>,
    lang: &str,
) -> Result<InstancePage, WorkflowError> {
    // Every deployed version's id and path (not its source text).
    let definitions: Vec<(i32, String)> = workflow_definition::Entity::find()
        .select_only()
        .column(workflow_definition::Column::Id)
        .column(workflow_definition::Column::Path)
        .order_by_asc(workflow_definition::Column::Path)
        .into_tuple()
        .all(&workflows.db)
        .await?;
    let mut paths: Vec<String> = definitions.iter().map(|(_, path)| path.clone()).collect();
    paths.dedup();
    let mut select = row::Entity::find();
    if let Some(state) = given(&query.state) {
        select = select.filter(state_condition(state, now)?);
    }
    if let Some(path) = given(&query.definition) {
        let versions: Vec<i32> = definitions
            .iter()
            .filter(|(_, deployed)| deployed == path)
            .map(|(id, _)| *id)
            .collect();
        select = select.filter(row::Column::DefinitionId.is_in(versions));
    }
    if let Some(initiator) = given(&query.initiator) {
        select = select.filter(row::Column::Initiator.eq(initiator.to_lowercase()));
    }
    if let Some(subject) = given(&query.subject) {
        select = select.filter(row::Column::SubjectId.eq(subject.to_lowercase()));
    }
    let (total, more) = capped_count(workflows, &select).await?;
    let pages = total.div_ceil(INSTANCES_PAGE_SIZE).max(1);
    let page = query.page.unwrap_or(1).clamp(1, pages);
    type Found = (
        String,
        i32,
        String,
        bool,
        String,
        Option<String>,
        DateTime<Utc>,
        DateTime<Utc>,
    );
    // The data column (the whole workflow as JSON) stays in the database.
    let found: Vec<Found> = select
        .select_only()
        .columns([
            row::Column::Id,
            row::Column::DefinitionId,
            row::Column::State,
            row::Column::WaitsInError,
            row::Column::Initiator,
            row::Column::SubjectId,
            row::Column::CreatedAt,
            row::Column::UpdatedAt,
        ])
        .order_by_desc(row::Column::CreatedAt)
        .order_by_desc(row::Column::Id)
        .offset((page - 1) * INSTANCES_PAGE_SIZE)
        .limit(INSTANCES_PAGE_SIZE)
        .into_tuple()
        .all(&workflows.db)
        .await?;
    let mut titles: BTreeMap<i32, (String, String)> = BTreeMap::new();
    let mut lines = Vec::with_capacity(found.len());
    for (id, definition_id, state, waits_in_error, initiator, subject, created, updated) in found {
        if let std::collections::btree_map::Entry::Vacant(entry) = titles.entry(definition_id) {
            let definition = workflows.definition(definition_id).await?;
            entry.insert((definition.path.clone(), definition_title(&definition, lang)));
        }
        let (definition, title) = titles[&definition_id].clone();
        lines.push(InstanceLine {
            id,
            definition,
            title,
            state,
            waits_in_error,
            initiator,
            subject,
            created: created.format(MINUTES).to_string(),
            updated: updated.format(MINUTES).to_string(),
        });
    }
    Ok(InstancePage {
        lines,
        total,
        more,
        page,
        pages,
        definitions: paths,
    })
}

/// How many workflows `select` finds, counted up to [`INSTANCES_COUNT_CAP`], and whether
/// there are more: the count stops where the page would stop being useful.
async fn capped_count(
    workflows: &Workflows,
    select: &sea_orm::Select<row::Entity>,
) -> Result<(u64, bool), WorkflowError> {
    use sea_orm::sea_query::{Alias, Expr};
    use sea_orm::{ConnectionTrait, QueryTrait};
    let found = select
        .clone()
        .select_only()
        .column(row::Column::Id)
        .limit(INSTANCES_COUNT_CAP + 1)
        .into_query();
    let count = Query::select()
        .expr_as(Expr::cust("COUNT(*)"), Alias::new("n"))
        .from_subquery(found, Alias::new("found"))
        .to_owned();
    let db = &workflows.db;
    let counted: i64 = match db
        .query_one(db.get_database_backend().build(&count))
        .await?
    {
        Some(row) => row.try_get("", "n")?,
        None => 0,
    };
    let counted = u64::try_from(counted).unwrap_or(0);
    Ok((
        counted.min(INSTANCES_COUNT_CAP),
        counted > INSTANCES_COUNT_CAP,
    ))
}

/// The condition a state filter stands for: a workflow state, or one of the dashboard's
/// lists (waiting in error, with an overdue work item, with a failing job).
fn state_condition(state: &str, now: DateTime<Utc>) -> Result<sea_orm::Condition, WorkflowError> {
    use sea_orm::Condition;
    Ok(match state {
        STUCK => Condition::all().add(row::Column::WaitsInError.eq(true)),
        OVERDUE => Condition::all().add(
            row::Column::Id.in_subquery(
                Query::select()
                    .column(work_item::Column::InstanceId)
                    .from(work_item::Entity)
                    .and_where(work_item::Column::DueAt.lt(now))
                    .to_owned(),
            ),
        ),
        FAILING_JOBS => Condition::all().add(
            row::Column::Id.in_subquery(
                Query::select()
                    .column(job::Column::InstanceId)
                    .from(job::Entity)
                    .and_where(job::Column::DoneAt.is_null())
                    .and_where(job::Column::LastError.is_not_null())
                    .to_owned(),
            ),
        ),
        other => {
            let known = WorkflowState::ALL
                .into_iter()
                .find(|s| s.as_str() == other)
                .ok_or_else(|| WorkflowError::Invalid(format!("Unknown state {other:?}.")))?;
            Condition::all().add(row::Column::State.eq(known.as_str()))
        }
    })
}

/// A filter's text, unless it was left blank.
fn given(text: &Option<String>) -> Option<&str> {
    text.as_deref().map(str::trim).filter(|t| !t.is_empty())
}
