//! `[[applicable]]`: the "when applicable" criteria of a definition.

use super::Problems;
use crate::definition::{Criterion, Match, Party};
use serde::Deserialize;
use toml::Spanned;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCriterion {
    of: String,
    attribute: String,
    #[serde(default = "equals")]
    r#match: String,
    value: String,
}

fn equals() -> String {
    "equals".into()
}

/// The parties as a definition names them; a manager is found for the first two only.
pub(super) const PARTIES: [(&str, Party); 3] = [
    ("initiator", Party::Initiator),
    ("subject", Party::Subject),
    ("resource", Party::Resource),
];

const MATCHES: [(&str, Match); 4] = [
    ("equals", Match::Equals),
    ("startsWith", Match::StartsWith),
    ("endsWith", Match::EndsWith),
    ("contains", Match::Contains),
];

pub(super) fn convert(raw: Spanned<RawCriterion>, problems: &mut Problems) -> Option<Criterion> {
    let span = raw.span();
    let raw = raw.into_inner();
    let of = problems.one_of(span.clone(), "applicable.of", &raw.of, &PARTIES)?;
    let matching = problems.one_of(span, "applicable.match", &raw.r#match, &MATCHES)?;
    Some(Criterion {
        of,
        attribute: raw.attribute,
        matching,
        value: raw.value,
    })
}
