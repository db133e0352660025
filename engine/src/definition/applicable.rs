//! Choosing a definition for a request that names none: the definitions whose operation,
//! types and "when applicable" criteria fit, the most specific first.

use super::{Criterion, Definition, Party};
use std::collections::BTreeMap;

/// What is known about a request when its definition is chosen. Attributes are lists, as
/// everywhere; `id` is one of them.
#[derive(Debug, Clone, Default)]
pub struct RequestFacts {
    pub operation: Option<String>,
    pub subject_type: Option<String>,
    pub resource_type: Option<String>,
    pub request_workflow_type: Option<String>,
    pub initiator: BTreeMap<String, Vec<String>>,
    pub subject: BTreeMap<String, Vec<String>>,
    pub resource: BTreeMap<String, Vec<String>>,
}

impl RequestFacts {
    fn attributes(&self, party: Party) -> &BTreeMap<String, Vec<String>> {
        match party {
            Party::Initiator => &self.initiator,
            Party::Subject => &self.subject,
            Party::Resource => &self.resource,
        }
    }

    fn satisfies(&self, criterion: &Criterion) -> bool {
        self.attributes(criterion.of)
            .get(&criterion.attribute)
            .is_some_and(|values| {
                values
                    .iter()
                    .any(|v| criterion.matching.matches(v, &criterion.value))
            })
    }
}

/// The definitions that fit, most criteria first (ties in path order).
pub fn applicable<'d>(
    definitions: impl IntoIterator<Item = &'d Definition>,
    facts: &RequestFacts,
) -> Vec<&'d Definition> {
    let same =
        |wanted: &Option<String>, actual: &str| wanted.as_deref().is_none_or(|w| w == actual);
    let mut fitting: Vec<&Definition> = definitions
        .into_iter()
        .filter(|d| same(&facts.operation, &d.operation))
        .filter(|d| same(&facts.subject_type, &d.subject_type))
        .filter(|d| same(&facts.resource_type, &d.resource_type))
        .filter(|d| same(&facts.request_workflow_type, &d.request_workflow_type))
        .filter(|d| d.applicability.iter().all(|c| facts.satisfies(c)))
        .collect();
    fitting.sort_by(|a, b| {
        b.applicability
            .len()
            .cmp(&a.applicability.len())
            .then_with(|| a.path.cmp(&b.path))
    });
    fitting
}
