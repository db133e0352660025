//! What travels in a REST call's bodies: flowdata values as the JSON object sent, and the
//! answer as flowdata attributes.
//!
//! The answer becomes flat attributes whose keys are flowdata paths: `status`; `body`
//! (a JSON answer's members under it as `body/<member>/...`, an array of plain values as
//! the attribute's list, an array holding objects or arrays item by item under `0`, `1`,
//! ...; `null` the empty list; any other answer its text); and `calls`, one line per try.
//! A member name with characters a flowdata path does not allow has them replaced by `_`.

use super::Failure;
use assent_engine::flowdata::Value;
use reqwest::header::CONTENT_TYPE;
use reqwest::{Response, StatusCode};
use serde_json::Value as Json;
use std::collections::BTreeMap;

/// The largest answer kept: it lands in the workflow's flowdata, stored with every step.
pub(super) const MAX_ANSWER_BYTES: usize = 1024 * 1024;

/// A successful answer's body.
pub(super) enum Body {
    Json(Json),
    Text(String),
}

/// Reads the body: JSON when the answer says it is (and it parses), else its text.
pub(super) async fn read(mut response: Response) -> Result<Body, Failure> {
    if response
        .content_length()
        .is_some_and(|length| length > MAX_ANSWER_BYTES as u64)
    {
        return Err(Failure::TooLarge);
    }
    let is_json = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| {
            let media = value.split(';').next().unwrap_or_default().trim();
            let media = media.to_ascii_lowercase();
            media.ends_with("/json") || media.ends_with("+json")
        });
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(super::failure)? {
        if bytes.len() + chunk.len() > MAX_ANSWER_BYTES {
            return Err(Failure::TooLarge);
        }
        bytes.extend_from_slice(&chunk);
    }
    if is_json {
        if let Ok(json) = serde_json::from_slice(&bytes) {
            return Ok(Body::Json(json));
        }
    }
    Ok(Body::Text(String::from_utf8_lossy(&bytes).into_owned()))
}

/// The answer as the engine takes it (see the module's description).
pub(super) fn attributes(
    status: StatusCode,
    body: Body,
    calls: Vec<String>,
) -> BTreeMap<String, Vec<Value>> {
    let mut attributes = BTreeMap::new();
    attributes.insert(
        "status".to_owned(),
        vec![Value::Int(i64::from(status.as_u16()))],
    );
    match body {
        Body::Json(json) => flatten("body".to_owned(), &json, &mut attributes),
        Body::Text(text) if text.is_empty() => {}
        Body::Text(text) => {
            attributes.insert("body".to_owned(), vec![Value::Text(text)]);
        }
    }
    attributes.insert(
        "calls".to_owned(),
        calls.into_iter().map(Value::Text).collect(),
    );
    attributes
}

fn flatten(path: String, json: &Json, into: &mut BTreeMap<String, Vec<Value>>) {
    match json {
        Json::Object(members) if !members.is_empty() => {
            for (name, member) in members {
                flatten(format!("{path}/{}", segment(name)), member, into);
            }
        }
        Json::Array(items) if items.iter().any(|i| i.is_object() || i.is_array()) => {
            for (index, item) in items.iter().enumerate() {
                flatten(format!("{path}/{index}"), item, into);
            }
        }
        Json::Array(items) => {
            into.insert(path, items.iter().filter_map(scalar).collect());
        }
        other => {
            into.insert(path, scalar(other).into_iter().collect());
        }
    }
}

/// A plain JSON value as a flowdata value; `null` and containers have none.
fn scalar(json: &Json) -> Option<Value> {
    match json {
        Json::Bool(b) => Some(Value::Bool(*b)),
        Json::Number(n) => n
            .as_i64()
            .map(Value::Int)
            .or_else(|| n.as_f64().map(Value::Float)),
        Json::String(s) => Some(Value::Text(s.clone())),
        Json::Null | Json::Array(_) | Json::Object(_) => None,
    }
}

/// A member name as a flowdata path segment.
fn segment(name: &str) -> String {
    if name.is_empty() {
        return "_".to_owned();
    }
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The body sent: each member's values, one as a scalar, several as an array, none as
/// `null`.
pub(super) fn json_body(members: &BTreeMap<String, Vec<Value>>) -> Json {
    let json = |value: &Value| match value {
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(i) => Json::from(*i),
        // JSON has no NaN or infinity: such a value is sent as null.
        Value::Float(x) => serde_json::Number::from_f64(*x).map_or(Json::Null, Json::Number),
        Value::Text(s) => Json::String(s.clone()),
    };
    Json::Object(
        members
            .iter()
            .map(|(name, values)| {
                let member = match values.as_slice() {
                    [] => Json::Null,
                    [one] => json(one),
                    many => Json::Array(many.iter().map(json).collect()),
                };
                (name.clone(), member)
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_json_answer_becomes_flowdata_attributes() {
        let body = json!({
            "employeeId": "E-42",
            "active": true,
            "grade": 7,
            "score": 1.5,
            "tags": ["a", "b"],
            "manager": null,
            "roles": [{"name": "Analyst"}, {"name": "Viewer"}],
            "e-mail.address": "nina@example.com",
            "empty": {},
        });
        let calls = vec!["POST hr /employees → 201 Created in 3 ms".to_owned()];
        let got = attributes(StatusCode::CREATED, Body::Json(body), calls.clone());
        let text = |s: &str| vec![Value::text(s)];
        assert_eq!(got["status"], vec![Value::Int(201)]);
        assert_eq!(got["body/employeeId"], text("E-42"));
        assert_eq!(got["body/active"], vec![Value::Bool(true)]);
        assert_eq!(got["body/grade"], vec![Value::Int(7)]);
        assert_eq!(got["body/score"], vec![Value::Float(1.5)]);
        assert_eq!(got["body/tags"], vec![Value::text("a"), Value::text("b")]);
        assert_eq!(got["body/manager"], Vec::<Value>::new());
        assert_eq!(got["body/roles/1/name"], text("Viewer"));
        assert_eq!(got["body/e-mail_address"], text("nina@example.com"));
        assert_eq!(got["body/empty"], Vec::<Value>::new());
        assert_eq!(got["calls"], text(&calls[0]));
        for key in got.keys() {
            assert!(
                assent_engine::flowdata::FlowPath::parse(key).is_ok(),
                "{key}"
            );
        }
    }

    #[test]
    fn other_answers_are_kept_as_text() {
        let got = attributes(StatusCode::OK, Body::Text("done".into()), vec![]);
        assert_eq!(got["body"], vec![Value::text("done")]);
        let got = attributes(StatusCode::NO_CONTENT, Body::Text(String::new()), vec![]);
        assert!(!got.contains_key("body"), "{got:?}");
        let got = attributes(StatusCode::OK, Body::Json(json!([1, 2])), vec![]);
        assert_eq!(got["body"], vec![Value::Int(1), Value::Int(2)]);
    }

    #[test]
    fn the_body_sent_is_one_json_object() {
        let members = BTreeMap::from([
            ("name".to_owned(), vec![Value::text("nina")]),
            ("roles".to_owned(), vec![Value::text("a"), Value::text("b")]),
            ("manager".to_owned(), vec![]),
            ("grade".to_owned(), vec![Value::Int(7)]),
            ("odd".to_owned(), vec![Value::Float(f64::NAN)]),
        ]);
        assert_eq!(
            json_body(&members),
            json!({"name": "nina", "roles": ["a", "b"], "manager": null, "grade": 7, "odd": null})
        );
    }
}
