//! The worklist: the open items of a participant under a filter, a page at a time (the
//! portal's worklist screen), all of them (for "all matching" bulk decisions), and the
//! workflows with open work (the API's getWorklist and listInstances narrow by it).

use crate::app::types::WorklistFilter;
use crate::model::{WorkItemRef, WorkflowId};
use crate::server::entities::{work_item, workflow_definition, workflow_instance};
use crate::server::workflow::{decode_stored, WorkflowError, Workflows};
use assent_engine::definition::Definition;
use assent_engine::runtime::model::Instance;
use assent_engine::UserName;
use sea_orm::sea_query::{Expr, Func, LikeExpr, SelectStatement};
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait, Select,
};
use std::sync::Arc;

/// Items on one page of the worklist screen.
pub const PAGE_SIZE: u64 = 50;
/// The longest text a filter field may hold.
const MAX_FILTER_CHARS: usize = 200;
/// Words of a search that are looked for; more are ignored.
const MAX_SEARCH_WORDS: usize = 8;

/// A filter the worklist cannot apply; the text says which part and why.
#[derive(Debug, thiserror::Error)]
pub enum WorklistError {
    #[error("The {0} filter has at most {MAX_FILTER_CHARS} characters.")]
    TooLong(&'static str),
    #[error("The state filter is one of personal, pool or claimed.")]
    UnknownState,
    #[error("Sort by due, oldest, newest or requester.")]
    UnknownOrder,
    #[error(transparent)]
    Workflow(#[from] WorkflowError),
}

/// Which of one's items: asked personally, offered to a pool, or taken from one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemState {
    Personal,
    Pool,
    Claimed,
}

impl ItemState {
    fn stored(self) -> &'static str {
        match self {
            ItemState::Personal => "personal",
            ItemState::Pool => "pool",
            ItemState::Claimed => "claimed",
        }
    }
}

/// The order of the worklist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WorklistOrder {
    /// Soonest due first; items without a due date last.
    #[default]
    Due,
    Oldest,
    Newest,
    Requester,
}

/// A worklist filter parsed: what the screen's fields ask for.
#[derive(Debug, Clone, Default)]
pub struct WorklistQuery {
    pub state: Option<ItemState>,
    pub overdue: bool,
    pub definition_path: Option<String>,
    pub requester: Option<String>,
    pub subject: Option<String>,
    pub words: Vec<String>,
    pub order: WorklistOrder,
}

fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

impl TryFrom<&WorklistFilter> for WorklistQuery {
    type Error = WorklistError;

    fn try_from(filter: &WorklistFilter) -> Result<Self, Self::Error> {
        for (name, value) in [
            ("search", &filter.q),
            ("definition", &filter.definition),
            ("requester", &filter.requester),
            ("subject", &filter.subject),
        ] {
            if value
                .as_ref()
                .is_some_and(|v| v.chars().count() > MAX_FILTER_CHARS)
            {
                return Err(WorklistError::TooLong(name));
            }
        }
        let state = match given(&filter.status) {
            None => None,
            Some("personal") => Some(ItemState::Personal),
            Some("pool") => Some(ItemState::Pool),
            Some("claimed") => Some(ItemState::Claimed),
            Some(_) => return Err(WorklistError::UnknownState),
        };
        let order = match given(&filter.sort).unwrap_or("due") {
            "due" => WorklistOrder::Due,
            "oldest" => WorklistOrder::Oldest,
            "newest" => WorklistOrder::Newest,
            "requester" => WorklistOrder::Requester,
            _ => return Err(WorklistError::UnknownOrder),
        };
        Ok(Self {
            state,
            overdue: filter.overdue,
            definition_path: given(&filter.definition).map(str::to_owned),
            requester: given(&filter.requester).map(str::to_owned),
            subject: given(&filter.subject).map(str::to_owned),
            words: given(&filter.q)
                .map(|q| {
                    q.split_whitespace()
                        .take(MAX_SEARCH_WORDS)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default(),
            order,
        })
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
pub fn contains_ignoring_case(column: workflow_instance::Column, text: &str) -> Condition {
    Condition::all().add(
        Expr::expr(Func::lower(Expr::col((workflow_instance::Entity, column))))
            .like(LikeExpr::new(like_pattern(text)).escape('\\')),
    )
}

/// The IDs of the workflows where `participant` has an open item, as a subquery.
pub fn workflows_with_open_work(participant: &UserName) -> SelectStatement {
    work_item::Entity::find()
        .select_only()
        .column(work_item::Column::InstanceId)
        .filter(work_item::Column::Username.eq(participant.as_str()))
        .into_query()
}

/// The participant's work items joined with their workflows, narrowed by `query`.
async fn matching(
    workflows: &Workflows,
    participant: &UserName,
    query: &WorklistQuery,
) -> Result<Select<work_item::Entity>, WorklistError> {
    let mut select = work_item::Entity::find()
        .inner_join(workflow_instance::Entity)
        .filter(work_item::Column::Username.eq(participant.as_str()));
    if let Some(state) = query.state {
        select = select.filter(work_item::Column::Status.eq(state.stored()));
    }
    if query.overdue {
        select = select.filter(work_item::Column::DueAt.lt(workflows.now()));
    }
    if let Some(path) = &query.definition_path {
        let ids: Vec<i32> = workflow_definition::Entity::find()
            .filter(workflow_definition::Column::Path.eq(path.as_str()))
            .all(&workflows.db)
            .await
            .map_err(WorkflowError::from)?
            .into_iter()
            .map(|d| d.id)
            .collect();
        select = select.filter(workflow_instance::Column::DefinitionId.is_in(ids));
    }
    if let Some(requester) = &query.requester {
        select = select.filter(contains_ignoring_case(
            workflow_instance::Column::Initiator,
            requester,
        ));
    }
    if let Some(subject) = &query.subject {
        select = select.filter(contains_ignoring_case(
            workflow_instance::Column::SubjectId,
            subject,
        ));
    }
    // The stored instance holds the request's fields, subject, items and requester.
    for word in &query.words {
        select = select.filter(contains_ignoring_case(
            workflow_instance::Column::Data,
            word,
        ));
    }
    Ok(ordered(select, query.order))
}

fn ordered(select: Select<work_item::Entity>, order: WorklistOrder) -> Select<work_item::Entity> {
    let due = (work_item::Entity, work_item::Column::DueAt);
    match order {
        // Items without a due date come last on both databases.
        WorklistOrder::Due => select
            .order_by_asc(Expr::col(due).is_null())
            .order_by_asc(work_item::Column::DueAt)
            .order_by_asc(work_item::Column::CreatedAt),
        WorklistOrder::Oldest => select.order_by_asc(work_item::Column::CreatedAt),
        WorklistOrder::Newest => select.order_by_desc(work_item::Column::CreatedAt),
        WorklistOrder::Requester => select
            .order_by_asc(workflow_instance::Column::Initiator)
            .order_by_asc(work_item::Column::CreatedAt),
    }
    .order_by_asc(work_item::Column::InstanceId)
    .order_by_asc(work_item::Column::RunSeq)
}

/// One open item, with its workflow and that workflow's definition.
pub struct OpenItem {
    pub reference: WorkItemRef,
    pub item: work_item::Model,
    pub instance: Instance,
    pub definition: Arc<Definition>,
}

/// One page of a worklist.
pub struct ItemsPage {
    pub items: Vec<OpenItem>,
    pub total: u64,
    /// From 1; a page past the end is the last page.
    pub page: u32,
    pub pages: u32,
}

/// Page `page` (from 1) of `participant`'s items matching `query`.
pub async fn items_page(
    workflows: &Workflows,
    participant: &UserName,
    query: &WorklistQuery,
    page: Option<u32>,
) -> Result<ItemsPage, WorklistError> {
    let select = matching(workflows, participant, query).await?;
    let db = &workflows.db;
    let total = select
        .clone()
        .count(db)
        .await
        .map_err(WorkflowError::from)?;
    let pages = total.div_ceil(PAGE_SIZE).max(1) as u32;
    let page = page.unwrap_or(1).clamp(1, pages);
    let rows = select
        .select_also(workflow_instance::Entity)
        .offset(u64::from(page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
        .all(db)
        .await
        .map_err(WorkflowError::from)?;
    let mut items = Vec::with_capacity(rows.len());
    for (item, stored) in rows {
        let Some(stored) = stored else { continue };
        let instance = decode_stored(&stored)?;
        let definition = workflows.definition(stored.definition_id).await?;
        let workflow: WorkflowId = instance
            .id
            .parse()
            .map_err(|_| WorkflowError::Corrupt(format!("stored workflow ID {:?}", instance.id)))?;
        items.push(OpenItem {
            reference: WorkItemRef::new(workflow, item.run_seq as u32),
            item,
            instance,
            definition,
        });
    }
    Ok(ItemsPage {
        items,
        total,
        page,
        pages,
    })
}

/// Every item of `participant` matching `query`, in its order, up to `limit`.
pub async fn matching_items(
    workflows: &Workflows,
    participant: &UserName,
    query: &WorklistQuery,
    limit: usize,
) -> Result<Vec<WorkItemRef>, WorklistError> {
    let rows = matching(workflows, participant, query)
        .await?
        .limit(limit as u64)
        .all(&workflows.db)
        .await
        .map_err(WorkflowError::from)?;
    Ok(rows
        .into_iter()
        .filter_map(|item| {
            let workflow: WorkflowId = item.instance_id.parse().ok()?;
            Some(WorkItemRef::new(workflow, item.run_seq as u32))
        })
        .collect())
}

/// A fingerprint of the participant's open items: it changes when one arrives or leaves.
pub async fn stamp(workflows: &Workflows, participant: &UserName) -> Result<String, WorkflowError> {
    use std::hash::{Hash, Hasher};
    let rows: Vec<(String, i32, String)> = work_item::Entity::find()
        .select_only()
        .column(work_item::Column::InstanceId)
        .column(work_item::Column::RunSeq)
        .column(work_item::Column::Status)
        .filter(work_item::Column::Username.eq(participant.as_str()))
        .order_by_asc(work_item::Column::InstanceId)
        .order_by_asc(work_item::Column::RunSeq)
        .into_tuple()
        .all(&workflows.db)
        .await?;
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    rows.hash(&mut hasher);
    Ok(format!("{}-{:x}", rows.len(), hasher.finish()))
}
