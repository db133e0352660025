//! A definition for its administrators: every deployed version with how many workflows
//! still run on it, one version's text and graph, and what changed between two versions.
//! Rehearsing a new text on sample requests is in [`dry_run`].

pub mod dry_run;

use crate::model::definitions::{
    Change, DefinitionView, Diff, DiffLine, SampleChoice, VersionLine, SAMPLE_CHOICES,
};
use crate::server::entities::{workflow_definition as definition_row, workflow_instance};
use crate::server::rights::{Granted, ManageDefinitions};
use crate::server::usecases::graph::graph_of;
use crate::server::usecases::reading::definition_title;
use crate::server::workflow::{decode_stored, WorkflowError, Workflows};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::BTreeMap;

/// Unchanged lines shown around each change.
const CONTEXT_LINES: usize = 3;

pub async fn view(
    _may: Granted<ManageDefinitions>,
    workflows: &Workflows,
    path: &str,
    version: Option<i32>,
    compare: Option<i32>,
    lang: &str,
) -> Result<DefinitionView, WorkflowError> {
    let versions = definition_row::Entity::find()
        .filter(definition_row::Column::Path.eq(path))
        .order_by_desc(definition_row::Column::Version)
        .all(&workflows.db)
        .await?;
    let find = |wanted: i32| versions.iter().find(|row| row.version == wanted);
    let shown = match version {
        Some(wanted) => find(wanted),
        None => versions.first(),
    }
    .ok_or(WorkflowError::DefinitionNotFound)?;
    let definition = workflows.definition(shown.id).await?;
    let ids: Vec<i32> = versions.iter().map(|row| row.id).collect();
    let open = open_by_version(workflows, &ids).await?;
    let diff = match compare.filter(|other| *other != shown.version) {
        Some(other) => {
            let older = find(other).ok_or(WorkflowError::DefinitionNotFound)?;
            Some(diff(
                older.version,
                &older.source,
                shown.version,
                &shown.source,
            ))
        }
        None => None,
    };
    Ok(DefinitionView {
        path: shown.path.clone(),
        title: definition_title(&definition, lang),
        versions: versions
            .iter()
            .map(|row| VersionLine {
                version: row.version,
                deployed_at: row.deployed_at.format(super::MINUTES).to_string(),
                deployed_by: row.deployed_by.clone(),
                open: open.get(&row.id).copied().unwrap_or(0),
            })
            .collect(),
        shown: shown.version,
        file_name: shown.file_name.clone(),
        source: shown.source.clone(),
        graph: graph_of(&definition, None, lang),
        diff,
        samples: samples(workflows, &ids).await?,
    })
}

/// Running and suspended workflows per definition row (one indexed count per state).
async fn open_by_version(
    workflows: &Workflows,
    ids: &[i32],
) -> Result<BTreeMap<i32, u64>, WorkflowError> {
    let counted: Vec<(i32, i64)> = workflow_instance::Entity::find()
        .select_only()
        .column(workflow_instance::Column::DefinitionId)
        .column_as(workflow_instance::Column::Id.count(), "open")
        .filter(workflow_instance::Column::State.is_in(["RUNNING", "SUSPENDED"]))
        .filter(workflow_instance::Column::DefinitionId.is_in(ids.iter().copied()))
        .group_by(workflow_instance::Column::DefinitionId)
        .into_tuple()
        .all(&workflows.db)
        .await?;
    Ok(counted
        .into_iter()
        .map(|(id, n)| (id, u64::try_from(n).unwrap_or(0)))
        .collect())
}

/// The newest requests made through any version, to rehearse a new text on.
async fn samples(workflows: &Workflows, ids: &[i32]) -> Result<Vec<SampleChoice>, WorkflowError> {
    let recent = workflow_instance::Entity::find()
        .filter(workflow_instance::Column::DefinitionId.is_in(ids.iter().copied()))
        .order_by_desc(workflow_instance::Column::CreatedAt)
        .limit(SAMPLE_CHOICES)
        .all(&workflows.db)
        .await?;
    Ok(recent
        .iter()
        .filter_map(|stored| {
            let instance = decode_stored(stored).ok()?;
            Some(SampleChoice {
                workflow: stored.id.clone(),
                label: dry_run::sample_label(&instance, stored.created_at),
            })
        })
        .collect())
}

/// What changed from `older` to `newer`, line by line, in groups with some context.
pub fn diff(from: i32, older: &str, to: i32, newer: &str) -> Diff {
    let text = similar::TextDiff::from_lines(older, newer);
    let mut added = 0;
    let mut removed = 0;
    let hunks = text
        .grouped_ops(CONTEXT_LINES)
        .iter()
        .map(|group| {
            group
                .iter()
                .flat_map(|op| text.iter_changes(op))
                .map(|line| {
                    let change = match line.tag() {
                        similar::ChangeTag::Equal => Change::Same,
                        similar::ChangeTag::Insert => Change::Added,
                        similar::ChangeTag::Delete => Change::Removed,
                    };
                    added += usize::from(change == Change::Added);
                    removed += usize::from(change == Change::Removed);
                    DiffLine {
                        change,
                        old: line.old_index().map(|i| i + 1),
                        new: line.new_index().map(|i| i + 1),
                        text: line.value().trim_end_matches(['\r', '\n']).to_owned(),
                    }
                })
                .collect()
        })
        .collect();
    Diff {
        from,
        to,
        added,
        removed,
        hunks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_diff_names_added_and_removed_lines_with_their_numbers_and_some_context() {
        let older = "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n";
        let newer = "a\nb\nc\nd\ne\nF\ng\nh\ni\nj\nk\n";
        let changes = diff(1, older, 2, newer);
        assert_eq!((changes.added, changes.removed), (2, 1));
        let lines: Vec<(Change, Option<usize>, Option<usize>, &str)> = changes
            .hunks
            .iter()
            .flatten()
            .map(|l| (l.change, l.old, l.new, l.text.as_str()))
            .collect();
        assert!(lines.contains(&(Change::Removed, Some(6), None, "f")));
        assert!(lines.contains(&(Change::Added, None, Some(6), "F")));
        assert!(lines.contains(&(Change::Added, None, Some(11), "k")));
        // Line "a" is more than three lines from any change: left out.
        assert!(!lines.iter().any(|l| l.3 == "a"), "{lines:?}");
        assert!(diff(1, older, 1, older).hunks.is_empty());
    }
}
