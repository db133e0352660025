//! `[[field]]`: the request form's fields.

use super::Problems;
use crate::definition::{FieldKind, FormField, Localized};
use crate::expression::{Expression, STANDARD_LOOKUPS};
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawField {
    name: String,
    #[serde(default)]
    label: BTreeMap<String, String>,
    kind: String,
    #[serde(default)]
    required: bool,
    #[serde(default)]
    read_only: bool,
    pattern: Option<String>,
    min: Option<f64>,
    max: Option<f64>,
    default: Option<String>,
    #[serde(default)]
    choices: Vec<String>,
}

/// A field, with its pattern and default checked so a mistake surfaces at deploy.
pub(super) fn convert(raw: Spanned<RawField>, problems: &mut Problems) -> Option<FormField> {
    let span = raw.span();
    let raw = raw.into_inner();
    let choices = |problems: &mut Problems| {
        if raw.choices.is_empty() {
            problems.at(
                span.clone(),
                format!("field {:?}: a choice field needs choices", raw.name),
            );
        }
        raw.choices.clone()
    };
    let kind = match raw.kind.as_str() {
        "text" => FieldKind::Text,
        "long_text" => FieldKind::LongText,
        "number" => FieldKind::Number,
        "date" => FieldKind::Date,
        "single_choice" => FieldKind::SingleChoice(choices(problems)),
        "multiple_choice" => FieldKind::MultipleChoice(choices(problems)),
        "checkbox" => FieldKind::Checkbox,
        "user" => FieldKind::UserPicker,
        "role" => FieldKind::RolePicker,
        "resource" => FieldKind::ResourcePicker,
        other => {
            problems.at(
                span,
                format!(
                    "field {:?}: unknown kind {other:?} (text, long_text, number, date, single_choice, multiple_choice, checkbox, user, role, resource)",
                    raw.name
                ),
            );
            return None;
        }
    };
    if let (Some(min), Some(max)) = (raw.min, raw.max) {
        if min > max {
            problems.at(
                span.clone(),
                format!("field {:?}: min {min} is above max {max}", raw.name),
            );
        }
    }
    if let Some(pattern) = &raw.pattern {
        if let Err(error) = regex::Regex::new(&format!("^(?:{pattern})$")) {
            let first_line = error
                .to_string()
                .lines()
                .last()
                .unwrap_or_default()
                .to_owned();
            problems.at(
                span.clone(),
                format!(
                    "field {:?}: pattern {pattern:?} is invalid: {first_line}",
                    raw.name
                ),
            );
        }
    }
    if let Some(default) = &raw.default {
        if let Err(error) = Expression::parse(default, STANDARD_LOOKUPS) {
            problems.at(
                span.clone(),
                format!("field {:?}: default {default:?}: {error}", raw.name),
            );
        }
    }
    Some(FormField {
        name: raw.name,
        label: Localized(raw.label),
        kind,
        required: raw.required,
        read_only: raw.read_only,
        pattern: raw.pattern,
        min: raw.min,
        max: raw.max,
        default: raw.default,
    })
}
