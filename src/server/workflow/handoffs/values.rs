//! Between flowdata and the JSON outside engines speak: parameters out, results in.

use assent_engine::flowdata::Value;
use std::collections::BTreeMap;

/// Flowdata values as JSON: one value a scalar, several an array, none null.
pub(crate) fn to_json(values: &[Value]) -> serde_json::Value {
    let one = |v: &Value| match v {
        Value::Bool(b) => serde_json::Value::Bool(*b),
        Value::Int(i) => serde_json::Value::from(*i),
        Value::Float(f) => serde_json::Value::from(*f),
        Value::Text(t) => serde_json::Value::String(t.clone()),
    };
    match values {
        [] => serde_json::Value::Null,
        [single] => one(single),
        many => serde_json::Value::Array(many.iter().map(one).collect()),
    }
}

/// An answer as flowdata: scalars and arrays of scalars as values, nested objects as
/// nested paths (`a/b`), deeper than four levels kept as JSON text.
pub(crate) fn to_values(
    result: &serde_json::Map<String, serde_json::Value>,
) -> BTreeMap<String, Vec<Value>> {
    fn scalar(value: &serde_json::Value) -> Option<Value> {
        match value {
            serde_json::Value::Bool(b) => Some(Value::Bool(*b)),
            serde_json::Value::Number(n) => Some(match n.as_i64() {
                Some(i) => Value::Int(i),
                None => Value::Float(n.as_f64().unwrap_or_default()),
            }),
            serde_json::Value::String(s) => Some(Value::Text(s.clone())),
            serde_json::Value::Null => None,
            other => Some(Value::Text(other.to_string())),
        }
    }
    fn walk(
        prefix: &str,
        map: &serde_json::Map<String, serde_json::Value>,
        depth: usize,
        into: &mut BTreeMap<String, Vec<Value>>,
    ) {
        for (key, value) in map {
            // A key is one flowdata segment: no separators smuggled in.
            let key: String = key.chars().filter(|c| *c != '/' && *c != '.').collect();
            if key.is_empty() {
                continue;
            }
            let path = if prefix.is_empty() {
                key
            } else {
                format!("{prefix}/{key}")
            };
            match value {
                serde_json::Value::Object(inner) if depth < 4 => {
                    walk(&path, inner, depth + 1, into)
                }
                serde_json::Value::Array(items) => {
                    into.insert(path, items.iter().filter_map(scalar).collect());
                }
                other => {
                    into.insert(path, scalar(other).into_iter().collect());
                }
            }
        }
    }
    let mut values = BTreeMap::new();
    walk("", result, 0, &mut values);
    values
}
