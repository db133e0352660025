//! Checks a request body against the operation's schema in the OpenAPI document before
//! serde reads it. serde alone is laxer than the document in places (it reads a struct
//! from a JSON array, and a bound such as `maxLength` is only a schema's), so the
//! document itself is the gate: what it refuses is refused, naming the field.
//!
//! Only the keywords the generated schemas use are understood; an unknown keyword is a
//! programming error caught by this module's test over the whole document.

use serde_json::Value;

/// Keywords this checker understands, and those that only describe.
#[cfg(test)]
const UNDERSTOOD: &[&str] = &[
    "$ref",
    "type",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "enum",
    "const",
    "oneOf",
    "anyOf",
    "allOf",
    "minLength",
    "maxLength",
    "pattern",
    "minimum",
    "maximum",
    "minItems",
    "maxItems",
    "format",
    "default",
    "description",
    "title",
];

/// The document's few patterns, each compiled once.
fn compiled(pattern: &str) -> Option<regex::Regex> {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static CACHE: OnceLock<Mutex<HashMap<String, Option<regex::Regex>>>> = OnceLock::new();
    let mut cache = CACHE
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    cache
        .entry(pattern.to_owned())
        .or_insert_with(|| regex::Regex::new(pattern).ok())
        .clone()
}

/// Where in the body, as `workflow.activity[0].participant`.
fn join(path: &str, field: &str) -> String {
    if path.is_empty() {
        field.to_owned()
    } else {
        format!("{path}.{field}")
    }
}

fn resolve<'a>(schema: &'a Value, root: &'a Value) -> &'a Value {
    let mut schema = schema;
    // References chain at most a few times in generated schemas; the bound keeps a
    // malformed document from looping.
    for _ in 0..16 {
        match schema.get("$ref").and_then(Value::as_str) {
            Some(reference) => {
                let name = reference.rsplit('/').next().unwrap_or_default();
                match root["components"]["schemas"].get(name) {
                    Some(target) => schema = target,
                    None => return &Value::Null,
                }
            }
            None => return schema,
        }
    }
    schema
}

fn type_matches(kind: &str, value: &Value) -> bool {
    match kind {
        "null" => value.is_null(),
        "boolean" => value.is_boolean(),
        "string" => value.is_string(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        "number" => value.is_number(),
        "integer" => value.is_i64() || value.is_u64(),
        _ => false,
    }
}

fn described(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// The first problem of `value` against `schema`, as `path: what is wrong`.
pub fn check(value: &Value, schema: &Value, root: &Value, path: &str) -> Result<(), String> {
    let schema = resolve(schema, root);
    let at = |message: String| {
        if path.is_empty() {
            message
        } else {
            format!("{path}: {message}")
        }
    };
    // A schema merged with a $ref sibling (description, default) resolves above; the
    // siblings only describe.
    if let Some(kinds) = schema.get("type") {
        let ok = match kinds {
            Value::String(kind) => type_matches(kind, value),
            Value::Array(kinds) => kinds
                .iter()
                .filter_map(Value::as_str)
                .any(|k| type_matches(k, value)),
            _ => true,
        };
        if !ok {
            let wanted = match kinds {
                Value::String(kind) => kind.clone(),
                other => other
                    .as_array()
                    .map(|k| {
                        k.iter()
                            .filter_map(Value::as_str)
                            .collect::<Vec<_>>()
                            .join(" or ")
                    })
                    .unwrap_or_default(),
            };
            return Err(at(format!("expected {wanted}, found {}", described(value))));
        }
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array) {
        if !allowed.contains(value) {
            return Err(at(format!(
                "must be one of {}",
                allowed
                    .iter()
                    .map(Value::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
    }
    if let Some(constant) = schema.get("const") {
        if constant != value {
            return Err(at(format!("must be {constant}")));
        }
    }
    for combinator in ["oneOf", "anyOf"] {
        if let Some(options) = schema.get(combinator).and_then(Value::as_array) {
            let mut first_problem = None;
            let fits = options
                .iter()
                .any(|option| match check(value, option, root, path) {
                    Ok(()) => true,
                    Err(problem) => {
                        first_problem.get_or_insert(problem);
                        false
                    }
                });
            if !fits {
                // Enumerations are oneOf of constants: name them all.
                let constants: Vec<String> = options
                    .iter()
                    .filter_map(|o| resolve(o, root).get("const"))
                    .map(Value::to_string)
                    .collect();
                return Err(if constants.len() == options.len() {
                    at(format!("must be one of {}", constants.join(", ")))
                } else {
                    first_problem.unwrap_or_else(|| at("has the wrong form".into()))
                });
            }
        }
    }
    if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
        for part in all {
            check(value, part, root, path)?;
        }
    }
    match value {
        Value::String(text) => {
            let length = text.chars().count() as u64;
            if let Some(min) = schema.get("minLength").and_then(Value::as_u64) {
                if length < min {
                    return Err(at(format!("at least {min} characters")));
                }
            }
            if let Some(max) = schema.get("maxLength").and_then(Value::as_u64) {
                if length > max {
                    return Err(at(format!("at most {max} characters")));
                }
            }
            if let Some(pattern) = schema.get("pattern").and_then(Value::as_str) {
                let matches = compiled(pattern).is_some_and(|r| r.is_match(text));
                if !matches {
                    return Err(at(format!("must match {pattern}")));
                }
            }
        }
        Value::Number(number) => {
            if let Some(min) = schema.get("minimum").and_then(Value::as_f64) {
                if number.as_f64().is_some_and(|n| n < min) {
                    return Err(at(format!("at least {min}")));
                }
            }
            if let Some(max) = schema.get("maximum").and_then(Value::as_f64) {
                if number.as_f64().is_some_and(|n| n > max) {
                    return Err(at(format!("at most {max}")));
                }
            }
            let bits = match schema.get("format").and_then(Value::as_str) {
                Some("uint8") => Some(u8::MAX as u64),
                Some("uint16") => Some(u16::MAX as u64),
                Some("uint32") => Some(u32::MAX as u64),
                Some("uint64") | Some("uint") => Some(u64::MAX),
                _ => None,
            };
            if let Some(max) = bits {
                if number.as_u64().is_none_or(|n| n > max) {
                    return Err(at(format!("a whole number from 0 to {max}")));
                }
            }
        }
        Value::Array(items) => {
            if let Some(min) = schema.get("minItems").and_then(Value::as_u64) {
                if (items.len() as u64) < min {
                    return Err(at(format!("at least {min} items")));
                }
            }
            if let Some(max) = schema.get("maxItems").and_then(Value::as_u64) {
                if items.len() as u64 > max {
                    return Err(at(format!("at most {max} items")));
                }
            }
            if let Some(item_schema) = schema.get("items") {
                for (i, item) in items.iter().enumerate() {
                    check(item, item_schema, root, &format!("{path}[{i}]"))?;
                }
            }
        }
        Value::Object(fields) => {
            let properties = schema.get("properties").and_then(Value::as_object);
            if let Some(required) = schema.get("required").and_then(Value::as_array) {
                for name in required.iter().filter_map(Value::as_str) {
                    if !fields.contains_key(name) {
                        return Err(format!("{}: is required", join(path, name)));
                    }
                }
            }
            for (name, field) in fields {
                let field_path = join(path, name);
                match properties.and_then(|p| p.get(name)) {
                    Some(field_schema) => check(field, field_schema, root, &field_path)?,
                    None => match schema.get("additionalProperties") {
                        Some(Value::Bool(false)) => {
                            let shown: String = name.chars().take(64).collect();
                            return Err(at(format!("unknown field `{shown}`")));
                        }
                        Some(extra @ Value::Object(_)) => check(field, extra, root, &field_path)?,
                        _ => {}
                    },
                }
            }
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn root() -> Value {
        json!({
            "components": { "schemas": {
                "Kind": { "oneOf": [ { "const": "a", "type": "string" }, { "const": "b", "type": "string" } ] },
                "Thing": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["id"],
                    "properties": {
                        "id": { "type": "string", "minLength": 1, "maxLength": 4, "pattern": "^[a-z]+$" },
                        "kind": { "$ref": "#/components/schemas/Kind", "default": "a" },
                        "count": { "type": ["integer", "null"], "format": "uint32", "maximum": 10 },
                        "tags": { "type": "array", "maxItems": 2, "items": { "type": "string" } },
                        "inner": { "anyOf": [ { "$ref": "#/components/schemas/Thing" }, { "type": "null" } ] },
                        "map": { "type": "object", "additionalProperties": { "type": "array", "items": { "type": "string" } } }
                    }
                }
            }}
        })
    }

    #[test]
    fn accepts_what_the_schema_allows_and_names_the_field_of_what_it_does_not() {
        let root = root();
        let thing = json!({ "$ref": "#/components/schemas/Thing" });
        let cases: &[(Value, Option<&str>)] = &[
            (json!({ "id": "ab" }), None),
            (
                json!({ "id": "ab", "kind": "b", "count": null, "tags": ["x"], "inner": null }),
                None,
            ),
            (
                json!({ "id": "ab", "inner": { "id": "c" }, "map": { "k": ["v"] } }),
                None,
            ),
            (json!({}), Some("id: is required")),
            (json!([null, null]), Some("expected object, found a list")),
            (json!({ "id": "" }), Some("id: at least 1 characters")),
            (json!({ "id": "abcde" }), Some("id: at most 4 characters")),
            (json!({ "id": "AB" }), Some("id: must match ^[a-z]+$")),
            (
                json!({ "id": "ab", "kind": "c" }),
                Some("kind: must be one of \"a\", \"b\""),
            ),
            (
                json!({ "id": "ab", "count": 11 }),
                Some("count: at most 10"),
            ),
            (
                json!({ "id": "ab", "count": -1 }),
                Some("count: a whole number from 0 to 4294967295"),
            ),
            (
                json!({ "id": "ab", "count": 1.5 }),
                Some("count: expected integer or null, found a number"),
            ),
            (
                json!({ "id": "ab", "tags": ["x", "y", "z"] }),
                Some("tags: at most 2 items"),
            ),
            (
                json!({ "id": "ab", "tags": [1] }),
                Some("tags[0]: expected string, found a number"),
            ),
            (
                json!({ "id": "ab", "colour": 1 }),
                Some("unknown field `colour`"),
            ),
            (
                json!({ "id": "ab", "inner": { "id": 5 } }),
                Some("inner.id: expected string, found a number"),
            ),
            (
                json!({ "id": "ab", "map": { "k": "v" } }),
                Some("map.k: expected array, found a string"),
            ),
        ];
        for (value, expected) in cases {
            let result = check(value, &thing, &root, "");
            match expected {
                None => assert_eq!(result, Ok(()), "{value}"),
                Some(message) => assert_eq!(result, Err((*message).to_owned()), "{value}"),
            }
        }
    }

    #[test]
    fn the_whole_document_uses_only_understood_keywords() {
        fn walk(value: &Value, in_properties: bool, problems: &mut Vec<String>) {
            match value {
                Value::Object(map) => {
                    for (key, child) in map {
                        if !in_properties && !UNDERSTOOD.contains(&key.as_str()) {
                            problems.push(key.clone());
                        }
                        // Values, not schemas.
                        if !in_properties && ["default", "const", "enum"].contains(&key.as_str()) {
                            continue;
                        }
                        walk(child, key == "properties" && !in_properties, problems);
                    }
                }
                Value::Array(items) => items.iter().for_each(|i| walk(i, false, problems)),
                _ => {}
            }
        }
        let document = crate::server::wfs::openapi::document();
        let mut problems = Vec::new();
        for schema in document["components"]["schemas"]
            .as_object()
            .unwrap()
            .values()
        {
            walk(schema, false, &mut problems);
        }
        assert!(problems.is_empty(), "keywords not understood: {problems:?}");
    }
}
