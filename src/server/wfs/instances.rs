//! Reading workflows: getInstance, listInstances and getWorklist.

use super::contract::{
    expiration_of, instance_view, wfs_request, ActivityFilter, ApplyTo, DefinitionFacts,
    InstanceAnswer, ResultConstraints, ReturnData, SortCriterion, SortKey, WorkflowInstanceFilter,
    WorkflowInstanceView, LIST_FAULTS, OTHER_PARTICIPANT_FAULTS,
};
use super::{
    has_right, named_or_caller, About, Call, Failure, FaultCode, NamedUser, Operation, Right,
};
use crate::server::entities::{workflow_definition as definition_row, workflow_instance as row};
use crate::server::usecases::worklist::workflows_with_open_work;
use crate::server::workflow::WorkflowError;
use assent_engine::definition::Definition;
use assent_engine::runtime::model::{ActivityRun, Instance};
use assent_engine::UserName;
use schemars::JsonSchema;
use sea_orm::{ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The newest version of every deployed definition, for the names and operations the
/// views of instances show.
pub struct Catalogue {
    by_path: BTreeMap<String, Arc<Definition>>,
}

impl Catalogue {
    pub async fn load(call: &Call<'_>) -> Result<Self, Failure> {
        let by_path = call
            .state
            .workflows
            .latest_definitions()
            .await?
            .into_iter()
            .map(|(stored, definition)| (stored.path, definition))
            .collect();
        Ok(Self { by_path })
    }

    pub fn facts<'a>(&'a self, instance: &'a Instance, language: &str) -> DefinitionFacts<'a> {
        match self.by_path.get(&instance.definition.id) {
            Some(definition) => DefinitionFacts {
                name: &definition.name,
                operation: &definition.operation,
                request_workflow_type: &definition.request_workflow_type,
                owner: definition.owner.as_str(),
                description: Some(definition.description.get(language).to_owned())
                    .filter(|d| !d.is_empty()),
            },
            None => DefinitionFacts {
                name: &instance.definition.id,
                operation: "",
                request_workflow_type: "",
                owner: "",
                description: None,
            },
        }
    }
}

/// The workflow as `return_data` asks, its definition's names in the caller's language;
/// `activities` chooses the runs `matchingActivities` keeps (all when none).
pub async fn instance_answer(
    call: &Call<'_>,
    return_data: ReturnData,
    instance: &Instance,
    activities: Option<&ActivityFilter>,
) -> Result<InstanceAnswer, Failure> {
    let catalogue = Catalogue::load(call).await?;
    let facts = catalogue.facts(instance, &call.language);
    Ok(InstanceAnswer::new(
        return_data,
        instance,
        &facts,
        activities,
    ))
}

pub use crate::server::usecases::reading::may_read;

/// Checks a workflow id's shape before any look-up.
pub fn checked_id(workflow_id: &str) -> Result<&str, Failure> {
    match workflow_id.parse::<crate::model::WorkflowId>() {
        Ok(_) => Ok(workflow_id),
        Err(_) => Err(Failure::invalid(
            "workflowID: at most 64 letters, digits, '-' or '_'",
        )),
    }
}

/// Loads a workflow the caller may read. Without the right to read every workflow, a
/// missing one and a forbidden one get the same refusal, so nothing is revealed.
pub async fn readable(call: &Call<'_>, workflow_id: &str) -> Result<Instance, Failure> {
    let workflow_id = checked_id(workflow_id)?;
    let sees_all = has_right(call.user, Right::ReadAllWorkflows);
    match call.state.workflows.instance(workflow_id).await {
        Ok(instance) if may_read(call.user, &instance) => Ok(instance),
        Ok(_) => Err(Failure::denied()),
        Err(crate::server::workflow::WorkflowError::WorkflowNotFound) if !sees_all => {
            Err(Failure::denied())
        }
        Err(other) => Err(other.into()),
    }
}

wfs_request! {
    pub struct GetInstanceRequest {
        #[serde(rename = "workflowID")]
        #[schemars(pattern(super::contract::WORKFLOW_ID_PATTERN))]
        pub workflow_id: String,
        /// Which activities `returnData: matchingActivities` keeps.
        #[serde(default)]
        pub workflow_activity_filter: Option<ActivityFilter>,
    }
}

/// Faults of getInstance besides the common ones: the workflow is not the caller's to
/// read, or (to one who may read every workflow) missing.
const READING_FAULTS: &[FaultCode] = &[FaultCode::AccessDenied, FaultCode::WorkflowNotFound];

pub struct GetInstance;

impl Operation for GetInstance {
    const ABOUT: About = About {
        name: "getInstance",
        summary: "One workflow instance, for the people involved in it",
        faults: READING_FAULTS,
    };
    type Request = GetInstanceRequest;
    type Response = InstanceAnswer;

    async fn run(call: &Call<'_>, request: Self::Request) -> Result<Self::Response, Failure> {
        let instance = readable(call, &request.workflow_id).await?;
        let activities = request.workflow_activity_filter.as_ref();
        instance_answer(call, request.return_data, &instance, activities).await
    }
}

/// Candidates read from the database per page while filtering.
const SCAN_PAGE: u64 = 500;
/// Candidates read at most for one answer that must be sorted in memory (by name or
/// expiration date); beyond it the answer says `sizeLimitExceeded`.
pub const MAX_SCAN: usize = 10_000;

wfs_request! {
    pub struct ListInstancesRequest {
        #[serde(default)]
        pub workflow_instance_filter: Option<WorkflowInstanceFilter>,
        #[serde(default)]
        pub result_constraints: Option<ResultConstraints>,
    }
}

wfs_request! {
    pub struct GetWorklistRequest {
        /// Whose work (user name); default the caller. Another's needs the right to read
        /// others' work.
        #[serde(default)]
        #[schemars(pattern(super::contract::USER_NAME_PATTERN))]
        pub participant: Option<String>,
        #[serde(default)]
        pub workflow_instance_filter: Option<WorkflowInstanceFilter>,
        #[serde(default)]
        pub result_constraints: Option<ResultConstraints>,
    }
}

#[derive(Debug, Default, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ListInstancesResponse {
    /// With `returnData` `identifier` (the default).
    #[serde(rename = "workflowID", skip_serializing_if = "Option::is_none")]
    pub workflow_id: Option<Vec<String>>,
    /// With `returnData` `everything` or `matchingActivities`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workflow_instance: Option<Vec<WorkflowInstanceView>>,
    /// True when more matched than `resultConstraints.range.itemTo` allowed.
    pub size_limit_exceeded: bool,
}

#[derive(Debug, Default, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct GetWorklistResponse {
    /// Each holding only the activities where the participant is asked now.
    pub workflow_instance: Vec<WorkflowInstanceView>,
    pub size_limit_exceeded: bool,
}

/// A workflow that matched, with the activities it shows.
struct Found {
    instance: Instance,
    activities: Vec<u32>,
}

fn sql_sortable(key: SortKey) -> Option<row::Column> {
    match key {
        SortKey::StartDate => Some(row::Column::CreatedAt),
        SortKey::EndDate => Some(row::Column::EndedAt),
        SortKey::State => Some(row::Column::State),
        SortKey::Initiator => Some(row::Column::Initiator),
        SortKey::Name | SortKey::ExpirationDate => None,
    }
}

fn compare(a: &Found, b: &Found, criteria: &[SortCriterion], names: &Catalogue) -> Ordering {
    for criterion in criteria {
        let ordering = match criterion.attribute {
            SortKey::StartDate => a.instance.created_at.cmp(&b.instance.created_at),
            SortKey::EndDate => a.instance.ended_at.cmp(&b.instance.ended_at),
            SortKey::ExpirationDate => expiration_of(&a.instance).cmp(&expiration_of(&b.instance)),
            SortKey::State => a.instance.state.as_str().cmp(b.instance.state.as_str()),
            SortKey::Name => names
                .facts(&a.instance, "en")
                .name
                .cmp(names.facts(&b.instance, "en").name),
            SortKey::Initiator => a.instance.initiator.cmp(&b.instance.initiator),
        };
        let ordering = if criterion.reverse {
            ordering.reverse()
        } else {
            ordering
        };
        if ordering != Ordering::Equal {
            return ordering;
        }
    }
    b.instance.created_at.cmp(&a.instance.created_at)
}

/// The SQL part of a filter: what the columns can answer.
fn prefilter(
    mut select: sea_orm::Select<row::Entity>,
    filter: &WorkflowInstanceFilter,
    definition_ids: Option<Vec<i32>>,
) -> sea_orm::Select<row::Entity> {
    if let Some(state) = filter.state {
        select = select.filter(row::Column::State.eq(state.as_str()));
    }
    if let Some(initiator) = &filter.initiator {
        select = select.filter(row::Column::Initiator.eq(initiator.as_str()));
    }
    if let Some(subject) = &filter.subject_id {
        select = select.filter(row::Column::SubjectId.eq(subject.as_str()));
    }
    if let Some(correlation) = &filter.correlation_id {
        select = select.filter(row::Column::CorrelationId.eq(correlation.as_str()));
    }
    if let Some(ids) = definition_ids {
        select = select.filter(row::Column::DefinitionId.is_in(ids));
    }
    select
}

/// The definition versions a filter's definition path or id names.
async fn definition_ids(
    call: &Call<'_>,
    filter: &WorkflowInstanceFilter,
) -> Result<Option<Vec<i32>>, Failure> {
    let Some(path) = filter
        .definition_filter
        .as_ref()
        .and_then(|f| f.dn.as_ref().or(f.path.as_ref()))
    else {
        return Ok(None);
    };
    let ids = definition_row::Entity::find()
        .filter(definition_row::Column::Path.eq(path.as_str()))
        .all(&call.state.db.connection)
        .await
        .map_err(|e| Failure::from(WorkflowError::from(e)))?
        .into_iter()
        .map(|d| d.id)
        .collect();
    Ok(Some(ids))
}

/// A search of the workflows: the caller's filter and constraints, and the names the
/// views of what it finds show.
struct Search {
    filter: WorkflowInstanceFilter,
    constraints: ResultConstraints,
    catalogue: Catalogue,
}

impl Search {
    async fn load(
        call: &Call<'_>,
        filter: Option<WorkflowInstanceFilter>,
        constraints: Option<ResultConstraints>,
    ) -> Result<Self, Failure> {
        Ok(Self {
            filter: filter.unwrap_or_default(),
            constraints: constraints.unwrap_or_default(),
            catalogue: Catalogue::load(call).await?,
        })
    }

    /// The workflows `within` the condition that match, each with the runs `shown`.
    async fn run(
        &self,
        call: &Call<'_>,
        within: Condition,
        shown: Shown<'_>,
    ) -> Result<(Vec<Found>, bool), Failure> {
        let select = prefilter(
            row::Entity::find().filter(within),
            &self.filter,
            definition_ids(call, &self.filter).await?,
        );
        collect(
            call,
            select,
            &self.constraints,
            &self.catalogue,
            &self.filter,
            shown,
        )
        .await
    }
}

/// Which activities of a matching workflow an answer shows.
#[derive(Clone, Copy)]
enum Shown<'a> {
    /// Every activity (listInstances).
    AllRuns,
    /// Those now waiting for the participant (getWorklist); a workflow without one is
    /// left out.
    OpenItemsOf(&'a UserName),
}

impl Shown<'_> {
    /// The runs shown of `instance` narrowed by `activities`, or `None` when the workflow
    /// is left out: no run is left of those an activity filter or the worklist asks for.
    fn runs(self, instance: &Instance, activities: Option<&ActivityFilter>) -> Option<Vec<u32>> {
        let candidates: Vec<&ActivityRun> = match self {
            Shown::AllRuns => instance.runs.iter().collect(),
            Shown::OpenItemsOf(participant) => instance.open_items_for(participant).collect(),
        };
        let runs: Vec<u32> = candidates
            .into_iter()
            .filter(|run| activities.is_none_or(|f| f.matches(run)))
            .map(|run| run.seq)
            .collect();
        let kept_whole = matches!(self, Shown::AllRuns) && activities.is_none();
        (kept_whole || !runs.is_empty()).then_some(runs)
    }
}

/// Reads candidates page by page, keeps the ones `keep` accepts, and stops as soon as
/// the answer is known: `limit + 1` found when the database sorts, everything (up to
/// `MAX_SCAN`) when the answer is sorted here.
async fn collect(
    call: &Call<'_>,
    select: sea_orm::Select<row::Entity>,
    constraints: &ResultConstraints,
    catalogue: &Catalogue,
    filter: &WorkflowInstanceFilter,
    shown: Shown<'_>,
) -> Result<(Vec<Found>, bool), Failure> {
    let keep = |instance: &Instance| {
        if !filter.matches(instance, &catalogue.facts(instance, &call.language)) {
            return None;
        }
        shown.runs(instance, filter.workflow_activity_filter.as_ref())
    };
    let limit = constraints.item_to();
    let criteria = &constraints.sort_criteria;
    let in_database = criteria.iter().all(|c| sql_sortable(c.attribute).is_some());
    let mut select = select;
    if in_database {
        for criterion in criteria {
            let column = sql_sortable(criterion.attribute).expect("checked above");
            select = if criterion.reverse {
                select.order_by_desc(column)
            } else {
                select.order_by_asc(column)
            };
        }
    }
    select = select
        .order_by_desc(row::Column::CreatedAt)
        .order_by_asc(row::Column::Id);
    let mut pages = select.paginate(&call.state.db.connection, SCAN_PAGE);
    let mut found = Vec::new();
    let mut scanned = 0;
    let mut truncated = false;
    'pages: while let Some(rows) = pages
        .fetch_and_next()
        .await
        .map_err(|e| Failure::from(WorkflowError::from(e)))?
    {
        for stored in rows {
            scanned += 1;
            if scanned > MAX_SCAN && !in_database {
                truncated = true;
                break 'pages;
            }
            let instance = crate::server::workflow::decode_stored(&stored)?;
            if let Some(activities) = keep(&instance) {
                found.push(Found {
                    instance,
                    activities,
                });
                if in_database && counted(&found, constraints) > limit {
                    break 'pages;
                }
            }
        }
    }
    if !in_database {
        found.sort_by(|a, b| compare(a, b, criteria, catalogue));
    }
    let mut exceeded = truncated;
    while counted(&found, constraints) > limit {
        found.pop();
        exceeded = true;
    }
    Ok((found, exceeded))
}

/// What `itemTo` counts: workflows, or their activities.
fn counted(found: &[Found], constraints: &ResultConstraints) -> usize {
    match constraints.apply_to {
        ApplyTo::Workflows => found.len(),
        ApplyTo::Activities => found.iter().map(|f| f.activities.len().max(1)).sum(),
    }
}

fn view(found: &Found, catalogue: &Catalogue, language: &str) -> WorkflowInstanceView {
    instance_view(
        &found.instance,
        &catalogue.facts(&found.instance, language),
        |run| found.activities.contains(&run.seq),
    )
}

pub struct ListInstances;

impl Operation for ListInstances {
    const ABOUT: About = About {
        name: "listInstances",
        summary: "Workflow instances matching a filter (all of them with the right to read every workflow; else those one requested, is the subject of, or has open work in)",
        faults: LIST_FAULTS,
    };
    type Request = ListInstancesRequest;
    type Response = ListInstancesResponse;

    async fn run(call: &Call<'_>, request: Self::Request) -> Result<Self::Response, Failure> {
        let search = Search::load(
            call,
            request.workflow_instance_filter,
            request.result_constraints,
        )
        .await?;
        let mut within = Condition::all();
        if !has_right(call.user, Right::ReadAllWorkflows) {
            let me = call.user.username.as_str();
            within = within.add(
                Condition::any()
                    .add(row::Column::Initiator.eq(me))
                    .add(row::Column::SubjectId.eq(me))
                    .add(
                        row::Column::Id.in_subquery(workflows_with_open_work(&call.user.username)),
                    ),
            );
        }
        let (found, size_limit_exceeded) = search.run(call, within, Shown::AllRuns).await?;
        let catalogue = &search.catalogue;
        let mut response = ListInstancesResponse {
            size_limit_exceeded,
            ..Default::default()
        };
        match request.return_data {
            ReturnData::Nothing => {}
            ReturnData::Identifier => {
                response.workflow_id = Some(found.iter().map(|f| f.instance.id.clone()).collect())
            }
            ReturnData::MatchingActivities => {
                response.workflow_instance = Some(
                    found
                        .iter()
                        .map(|f| view(f, catalogue, &call.language))
                        .collect(),
                )
            }
            ReturnData::Everything => {
                response.workflow_instance = Some(
                    found
                        .iter()
                        .map(|f| {
                            instance_view(
                                &f.instance,
                                &catalogue.facts(&f.instance, &call.language),
                                |_| true,
                            )
                        })
                        .collect(),
                )
            }
        }
        Ok(response)
    }
}

pub struct GetWorklist;

impl Operation for GetWorklist {
    const ABOUT: About = About {
        name: "getWorklist",
        summary: "The workflows where a participant is asked now, each with only those activities",
        faults: OTHER_PARTICIPANT_FAULTS,
    };
    type Request = GetWorklistRequest;
    type Response = GetWorklistResponse;

    async fn run(call: &Call<'_>, request: Self::Request) -> Result<Self::Response, Failure> {
        let participant =
            named_or_caller(call, request.participant.as_deref(), NamedUser::Participant)?;
        let search = Search::load(
            call,
            request.workflow_instance_filter,
            request.result_constraints,
        )
        .await?;
        let within = Condition::all()
            .add(row::Column::Id.in_subquery(workflows_with_open_work(&participant)));
        let (found, size_limit_exceeded) = search
            .run(call, within, Shown::OpenItemsOf(&participant))
            .await?;
        let catalogue = &search.catalogue;
        Ok(GetWorklistResponse {
            workflow_instance: found
                .iter()
                .map(|f| view(f, catalogue, &call.language))
                .collect(),
            size_limit_exceeded,
        })
    }
}
