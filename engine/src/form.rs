//! Request forms: what a requester submits, checked against the definition's fields on
//! the server, every field with its own message, nothing stored unless all are valid.

use crate::calendar::days_in_month;
use crate::definition::{FieldKind, FormField};
use crate::flowdata::Value;
use crate::UserName;
use std::collections::BTreeMap;

const MAX_TEXT_CHARS: usize = 200;
const MAX_LONG_TEXT_CHARS: usize = 4000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// The submitted form, as the browser or API sends it: every field a list of strings.
pub type Submission = BTreeMap<String, Vec<String>>;

/// Checks a submission; returns the typed values, or every problem found.
///
/// Read-only fields keep the values in `read_only_values` (their defaults), whatever was
/// submitted for them.
pub fn validate(
    fields: &[FormField],
    submitted: &Submission,
    read_only_values: &BTreeMap<String, Vec<Value>>,
) -> Result<BTreeMap<String, Vec<Value>>, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut values = BTreeMap::new();
    for name in submitted.keys() {
        if !fields.iter().any(|f| &f.name == name) {
            errors.push(FieldError {
                field: name.clone(),
                message: "this form has no such field".into(),
            });
        }
    }
    for field in fields {
        if field.read_only {
            values.insert(
                field.name.clone(),
                read_only_values
                    .get(&field.name)
                    .cloned()
                    .unwrap_or_default(),
            );
            continue;
        }
        let raw: Vec<&str> = submitted
            .get(&field.name)
            .map(|v| {
                v.iter()
                    .map(|s| s.trim())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        match check_field(field, &raw) {
            Ok(parsed) => {
                values.insert(field.name.clone(), parsed);
            }
            Err(message) => errors.push(FieldError {
                field: field.name.clone(),
                message,
            }),
        }
    }
    if errors.is_empty() {
        Ok(values)
    } else {
        Err(errors)
    }
}

fn check_field(field: &FormField, raw: &[&str]) -> Result<Vec<Value>, String> {
    if raw.is_empty() {
        if field.required {
            return Err(match field.kind {
                FieldKind::Checkbox => "this box must be ticked".into(),
                _ => "this field is required".into(),
            });
        }
        return Ok(match field.kind {
            FieldKind::Checkbox => vec![Value::Bool(false)],
            _ => vec![],
        });
    }
    let multiple = matches!(field.kind, FieldKind::MultipleChoice(_));
    if raw.len() > 1 && !multiple {
        return Err("give one value".into());
    }
    let one = raw[0];
    match &field.kind {
        FieldKind::Text | FieldKind::LongText => {
            let limit = if field.kind == FieldKind::Text {
                MAX_TEXT_CHARS
            } else {
                MAX_LONG_TEXT_CHARS
            };
            let length = one.chars().count();
            if length > limit {
                return Err(format!("at most {limit} characters"));
            }
            if let Some(min) = field.min {
                if (length as f64) < min {
                    return Err(format!("at least {min} characters"));
                }
            }
            if let Some(pattern) = &field.pattern {
                let anchored = format!("^(?:{pattern})$");
                let matches = regex::Regex::new(&anchored)
                    .map(|re| re.is_match(one))
                    .unwrap_or(false);
                if !matches {
                    return Err("does not have the expected format".into());
                }
            }
            Ok(vec![Value::text(one)])
        }
        FieldKind::Number => {
            let number: f64 = one
                .parse()
                .ok()
                .filter(|n: &f64| n.is_finite())
                .ok_or("enter a number")?;
            if field.min.is_some_and(|min| number < min) {
                return Err(format!("at least {}", field.min.unwrap_or_default()));
            }
            if field.max.is_some_and(|max| number > max) {
                return Err(format!("at most {}", field.max.unwrap_or_default()));
            }
            if number.fract() == 0.0 && number.abs() < 9.0e15 {
                Ok(vec![Value::Int(number as i64)])
            } else {
                Ok(vec![Value::Float(number)])
            }
        }
        FieldKind::Date => {
            if is_calendar_date(one) {
                Ok(vec![Value::text(one)])
            } else {
                Err("enter a date as YYYY-MM-DD".into())
            }
        }
        FieldKind::SingleChoice(choices) | FieldKind::MultipleChoice(choices) => {
            let mut chosen = Vec::new();
            for value in raw {
                if !choices.iter().any(|c| c == value) {
                    return Err(format!("{value:?} is not one of the choices"));
                }
                chosen.push(Value::text(*value));
            }
            Ok(chosen)
        }
        FieldKind::Checkbox => match one {
            "on" | "true" | "yes" | "1" => Ok(vec![Value::Bool(true)]),
            "off" | "false" | "no" | "0" => {
                if field.required {
                    Err("this box must be ticked".into())
                } else {
                    Ok(vec![Value::Bool(false)])
                }
            }
            _ => Err("tick the box or leave it empty".into()),
        },
        FieldKind::UserPicker => UserName::parse(one)
            .map(|user| vec![Value::text(user.as_str())])
            .map_err(|e| e.to_string()),
        FieldKind::RolePicker | FieldKind::ResourcePicker => {
            if one.chars().count() > MAX_TEXT_CHARS {
                Err(format!("at most {MAX_TEXT_CHARS} characters"))
            } else {
                Ok(vec![Value::text(one)])
            }
        }
    }
}

fn is_calendar_date(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    let [year, month, day] = parts.as_slice() else {
        return false;
    };
    if year.len() != 4 || month.len() != 2 || day.len() != 2 {
        return false;
    }
    let (Ok(year), Ok(month), Ok(day)) = (
        year.parse::<u32>(),
        month.parse::<u32>(),
        day.parse::<u32>(),
    ) else {
        return false;
    };
    days_in_month(year, month).is_some_and(|days| (1..=days).contains(&day))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::definition::Localized;

    fn field(name: &str, kind: FieldKind) -> FormField {
        FormField {
            name: name.into(),
            label: Localized::default(),
            kind,
            required: false,
            read_only: false,
            pattern: None,
            min: None,
            max: None,
            default: None,
        }
    }

    fn submit(pairs: &[(&str, &[&str])]) -> Submission {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.iter().map(|s| s.to_string()).collect()))
            .collect()
    }

    #[test]
    fn each_field_kind_accepts_good_and_refuses_bad_input() {
        let mut cost = field("cost", FieldKind::Number);
        cost.min = Some(0.0);
        cost.max = Some(1000.0);
        let mut code = field("code", FieldKind::Text);
        code.pattern = Some("[A-Z]{2}-[0-9]{3}".into());
        let mut agree = field("agree", FieldKind::Checkbox);
        agree.required = true;
        let text = field("t", FieldKind::Text);
        let date = field("d", FieldKind::Date);
        let choice = field("c", FieldKind::SingleChoice(vec!["a".into(), "b".into()]));
        let choices = field("m", FieldKind::MultipleChoice(vec!["a".into(), "b".into()]));
        let checkbox = field("x", FieldKind::Checkbox);
        let user = field("u", FieldKind::UserPicker);
        type Case = (
            FormField,
            &'static [&'static str],
            Result<Vec<Value>, &'static str>,
        );
        let cases: Vec<Case> = vec![
            (text.clone(), &["  hello "], Ok(vec![Value::text("hello")])),
            (text, &[], Ok(vec![])),
            (code.clone(), &["AB-123"], Ok(vec![Value::text("AB-123")])),
            (code.clone(), &["AB-1234"], Err("expected format")),
            (code, &["xAB-123"], Err("expected format")),
            (cost.clone(), &["12"], Ok(vec![Value::Int(12)])),
            (cost.clone(), &["12.5"], Ok(vec![Value::Float(12.5)])),
            (cost.clone(), &["-1"], Err("at least")),
            (cost.clone(), &["1001"], Err("at most")),
            (cost.clone(), &["NaN"], Err("enter a number")),
            (cost, &["twelve"], Err("enter a number")),
            (
                date.clone(),
                &["2024-02-29"],
                Ok(vec![Value::text("2024-02-29")]),
            ),
            (date.clone(), &["2023-02-29"], Err("YYYY-MM-DD")),
            (date.clone(), &["2023-13-01"], Err("YYYY-MM-DD")),
            (date, &["1/2/2023"], Err("YYYY-MM-DD")),
            (choice.clone(), &["b"], Ok(vec![Value::text("b")])),
            (choice.clone(), &["z"], Err("not one of")),
            (choice, &["a", "b"], Err("one value")),
            (
                choices,
                &["a", "b"],
                Ok(vec![Value::text("a"), Value::text("b")]),
            ),
            (agree.clone(), &["on"], Ok(vec![Value::Bool(true)])),
            (agree, &[], Err("must be ticked")),
            (checkbox, &[], Ok(vec![Value::Bool(false)])),
            (user.clone(), &["Bob"], Ok(vec![Value::text("bob")])),
            (user, &["bob smith"], Err("may contain only")),
        ];
        for (field, input, expected) in cases {
            let name = field.name.clone();
            let result = validate(&[field], &submit(&[(&name, input)]), &BTreeMap::new());
            match (result, expected) {
                (Ok(values), Ok(wanted)) => assert_eq!(values[&name], wanted, "{name} {input:?}"),
                (Err(errors), Err(words)) => assert!(
                    errors[0].message.contains(words),
                    "{name} {input:?}: {errors:?}"
                ),
                (other, wanted) => panic!("{name} {input:?}: got {other:?}, wanted {wanted:?}"),
            }
        }
    }

    #[test]
    fn every_problem_is_reported_and_read_only_fields_keep_their_value() {
        let mut justification = field("justification", FieldKind::LongText);
        justification.required = true;
        let mut department = field("department", FieldKind::Text);
        department.read_only = true;
        let fields = [justification, department, field("cost", FieldKind::Number)];
        let read_only = BTreeMap::from([("department".to_owned(), vec![Value::text("Finance")])]);
        let errors = validate(
            &fields,
            &submit(&[("cost", &["x"]), ("hacked", &["1"])]),
            &read_only,
        )
        .unwrap_err();
        let named: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(named, vec!["hacked", "justification", "cost"]);
        let values = validate(
            &fields,
            &submit(&[("justification", &["needed"]), ("department", &["Sales"])]),
            &read_only,
        )
        .unwrap();
        assert_eq!(
            values["department"],
            vec![Value::text("Finance")],
            "a read-only field cannot be overridden"
        );
    }
}
