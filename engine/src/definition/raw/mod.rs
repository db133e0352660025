//! The TOML shape of a definition, and its conversion into the checked model.
//!
//! Conversion goes on past a problem, so one deploy reports every problem of a file, each
//! at its line: the definition's own keys here, its parts in the modules below.

mod activity;
mod criterion;
mod field;
mod participants;
mod timeout;

use super::graph;
use super::{Definition, DefinitionError, DefinitionErrors, Localized};
use crate::definition::ActivityId;
use crate::UserName;
use activity::RawActivity;
use criterion::RawCriterion;
use field::RawField;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::ops::Range;
use toml::Spanned;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDefinition {
    name: Spanned<String>,
    path: Spanned<String>,
    #[serde(default)]
    title: BTreeMap<String, String>,
    #[serde(default)]
    description: BTreeMap<String, String>,
    operation: String,
    subject_type: String,
    resource_type: String,
    request_workflow_type: String,
    owner: Spanned<String>,
    starters: Option<Spanned<Vec<Spanned<String>>>>,
    #[serde(default)]
    applicable: Vec<Spanned<RawCriterion>>,
    #[serde(default)]
    field: Vec<Spanned<RawField>>,
    #[serde(default)]
    activity: Vec<Spanned<RawActivity>>,
}

/// Collects problems with their places while a file is converted (definitions and
/// resource declarations alike).
pub(crate) struct Problems<'a> {
    file: &'a str,
    source: &'a str,
    pub(super) found: Vec<DefinitionError>,
}

impl<'a> Problems<'a> {
    pub(crate) fn new(file: &'a str, source: &'a str) -> Self {
        Self {
            file,
            source,
            found: Vec::new(),
        }
    }

    /// The file read as TOML into `T`; a syntax or shape mistake is a problem at its place.
    pub(crate) fn read<T: serde::de::DeserializeOwned>(&mut self) -> Option<T> {
        match toml::from_str(self.source) {
            Ok(raw) => Some(raw),
            Err(error) => {
                let span = error.span().unwrap_or(0..0);
                self.at(span, error.message().trim().to_owned());
                None
            }
        }
    }

    /// The converted value, or every problem found, in line order.
    pub(crate) fn finish<T>(mut self, converted: Option<T>) -> Result<T, DefinitionErrors> {
        if self.found.is_empty() {
            if let Some(converted) = converted {
                return Ok(converted);
            }
        }
        self.found.sort_by_key(|e| e.line);
        Err(DefinitionErrors(self.found))
    }

    pub(crate) fn at(&mut self, span: Range<usize>, message: impl Into<String>) {
        let line = self.source[..span.start.min(self.source.len())]
            .matches('\n')
            .count()
            + 1;
        self.found.push(DefinitionError {
            file: self.file.to_owned(),
            line,
            message: message.into(),
        });
    }

    /// The value `word` stands for among `choices` (each a keyword and its value). Any
    /// other word is a problem at `span` that names `key` and lists the keywords.
    pub(crate) fn one_of<T: Copy>(
        &mut self,
        span: Range<usize>,
        key: &str,
        word: &str,
        choices: &[(&str, T)],
    ) -> Option<T> {
        if let Some((_, value)) = choices.iter().find(|(keyword, _)| *keyword == word) {
            return Some(*value);
        }
        let keywords: Vec<&str> = choices.iter().map(|(keyword, _)| *keyword).collect();
        let listed = match keywords.split_last() {
            Some((last, [])) => last.to_string(),
            Some((last, others)) => format!("{} or {last}", others.join(", ")),
            None => String::new(),
        };
        self.at(span, format!("{key} must be {listed}, not {word:?}"));
        None
    }
}

/// Reads one definition file. `file` names it in error messages.
pub fn parse(file: &str, source: &str) -> Result<Definition, DefinitionErrors> {
    let mut problems = Problems::new(file, source);
    let definition = problems
        .read::<RawDefinition>()
        .and_then(|raw| convert(raw, &mut problems));
    problems.finish(definition)
}

fn convert(raw: RawDefinition, problems: &mut Problems) -> Option<Definition> {
    if raw.name.get_ref().trim().is_empty() {
        problems.at(raw.name.span(), "name must not be empty");
    }
    let path = raw.path.get_ref();
    if path.split('/').any(|segment| segment.trim().is_empty()) {
        problems.at(
            raw.path.span(),
            format!("path {path:?} must be segments separated by '/', none empty"),
        );
    }
    let owner = match UserName::parse(raw.owner.get_ref()) {
        Ok(owner) => Some(owner),
        Err(error) => {
            problems.at(raw.owner.span(), format!("owner: {error}"));
            None
        }
    };
    let starters = super::starters::convert(raw.starters, problems);
    let applicability = raw
        .applicable
        .into_iter()
        .filter_map(|criterion| criterion::convert(criterion, problems))
        .collect();
    let form = raw
        .field
        .into_iter()
        .filter_map(|field| field::convert(field, problems))
        .collect();
    if raw.activity.is_empty() {
        problems.at(
            0..0,
            "a definition needs at least a start and a finish activity",
        );
        return None;
    }
    let mut lines = BTreeMap::new();
    let mut activities = Vec::new();
    for activity in raw.activity {
        let span = activity.get_ref().id.span();
        let id = ActivityId(activity.get_ref().id.get_ref().clone());
        if lines.insert(id.clone(), span.clone()).is_some() {
            problems.at(span.clone(), format!("activity id {id:?} is used twice"));
        }
        if let Some(converted) = activity::convert(activity.into_inner(), problems) {
            activities.push(converted);
        }
    }
    let definition = Definition {
        name: raw.name.into_inner(),
        path: raw.path.into_inner(),
        title: Localized(raw.title),
        description: Localized(raw.description),
        operation: raw.operation,
        subject_type: raw.subject_type,
        resource_type: raw.resource_type,
        request_workflow_type: raw.request_workflow_type,
        owner: owner?,
        starters,
        applicability,
        form,
        activities,
    };
    if problems.found.is_empty() {
        graph::check(&definition, &lines, problems);
    }
    Some(definition)
}
