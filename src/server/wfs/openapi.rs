//! The OpenAPI 3.1 document of the Workflow Management Service, built from the request
//! and response types the handlers use (see [`super::Operation`]), and a page that shows
//! it to people, rendered here with no script or asset from elsewhere.

use super::{Fault, FaultCode, Operation, COMMON_FAULTS, MAX_BODY_BYTES};
use crate::server::AppState;
use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{Html, IntoResponse, Response};
use schemars::generate::{SchemaGenerator, SchemaSettings};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::sync::OnceLock;

pub const PREFIX: &str = "/api/wfs/v1";

pub struct Document {
    generator: SchemaGenerator,
    paths: Map<String, Value>,
}

impl Default for Document {
    fn default() -> Self {
        // JSON Schema 2020-12 is OpenAPI 3.1's own dialect; only the place of the shared
        // definitions differs.
        let settings = SchemaSettings::draft2020_12().with(|s| {
            s.definitions_path = "/components/schemas".into();
            s.meta_schema = None;
        });
        Self {
            generator: SchemaGenerator::new(settings),
            paths: Map::new(),
        }
    }
}

impl Document {
    pub fn operation<O: Operation>(&mut self) {
        let request = self.generator.subschema_for::<O::Request>().to_value();
        let response = self.generator.subschema_for::<O::Response>().to_value();
        let fault = self.generator.subschema_for::<Fault>().to_value();
        let answer = json!({
            "allOf": [
                response,
                {
                    "type": "object",
                    "properties": {
                        "requestID": { "type": "string", "description": "The request's requestID, if it had one." }
                    }
                }
            ]
        });
        let mut by_status: BTreeMap<u16, Vec<&'static str>> = BTreeMap::new();
        for code in COMMON_FAULTS.iter().chain(O::ABOUT.faults) {
            let names = by_status.entry(code.status().as_u16()).or_default();
            // An operation may name a common fault again.
            if !names.contains(&fault_name(*code)) {
                names.push(fault_name(*code));
            }
        }
        let mut responses = Map::new();
        responses.insert(
            "200".into(),
            json!({
                "description": "The operation's answer.",
                "content": { "application/json": { "schema": answer } }
            }),
        );
        for (status, codes) in by_status {
            let mut response = json!({
                "description": format!("A fault: {}.", codes.join(", ")),
                "content": { "application/json": { "schema": fault } }
            });
            if status == 429 {
                response["headers"] = json!({
                    "Retry-After": {
                        "description": "Seconds to wait before trying again.",
                        "schema": { "type": "integer", "minimum": 1 }
                    }
                });
            }
            responses.insert(status.to_string(), response);
        }
        self.paths.insert(
            format!("{PREFIX}/{}", O::ABOUT.name),
            json!({
                "post": {
                    "operationId": O::ABOUT.name,
                    "summary": O::ABOUT.summary,
                    "requestBody": {
                        "required": true,
                        "content": { "application/json": { "schema": request } }
                    },
                    "responses": responses
                }
            }),
        );
    }

    pub fn into_json(mut self) -> Value {
        let schemas = self.generator.take_definitions(true);
        json!({
            "openapi": "3.1.0",
            "info": {
                "title": "Assent Workflow Management Service",
                "version": "1.0.0",
                "description": format!(
                    "The operations of the DirX Identity Workflow Management Web Services as JSON over HTTP. \
                     Every operation is a POST of one JSON object; every error is a Fault and changes nothing. \
                     Limits: a body of at most {MAX_BODY_BYTES} bytes; lists of at most {} results \
                     (resultConstraints.range.itemTo, default {}); waits (timeout) of at most {} ms; \
                     bulkApproval decides at most {} workflows per request. Authentication: an API token \
                     created in the portal (Authorization: Bearer assent_…; it may be limited to some \
                     operations, and then answers accessDenied for the others), HTTP Basic (over TLS in \
                     production; repeated failures lock the account or client address out for a while: \
                     tooManyRequests with Retry-After), or the portal's session cookie.",
                    super::contract::MAX_ITEM_TO,
                    super::contract::DEFAULT_ITEM_TO,
                    super::contract::MAX_TIMEOUT_MS,
                    crate::server::usecases::decisions::MAX_BULK_WORKFLOWS,
                )
            },
            "paths": self.paths,
            "components": {
                "schemas": schemas,
                "securitySchemes": {
                    "bearer": { "type": "http", "scheme": "bearer", "description": "An API token from the portal's API tokens screen." },
                    "basic": { "type": "http", "scheme": "basic" },
                    "session": { "type": "apiKey", "in": "cookie", "name": "assent_session" }
                }
            },
            "security": [ { "bearer": [] }, { "basic": [] }, { "session": [] } ]
        })
    }
}

fn fault_name(code: FaultCode) -> &'static str {
    match code {
        FaultCode::InvalidRequest => "invalidRequest",
        FaultCode::AuthenticationFailed => "authenticationFailed",
        FaultCode::AccessDenied => "accessDenied",
        FaultCode::WrongDomain => "wrongDomain",
        FaultCode::WorkflowNotFound => "workflowNotFound",
        FaultCode::ActivityNotFound => "activityNotFound",
        FaultCode::DefinitionNotFound => "definitionNotFound",
        FaultCode::NoApplicableDefinition => "noApplicableDefinition",
        FaultCode::InvalidState => "invalidState",
        FaultCode::Conflict => "conflict",
        FaultCode::InvalidActivationKey => "invalidActivationKey",
        FaultCode::TooManyRequests => "tooManyRequests",
        FaultCode::InternalError => "internalError",
    }
}

/// The document, built once: the types behind it do not change while the process runs.
pub fn document() -> &'static Value {
    static DOCUMENT: OnceLock<Value> = OnceLock::new();
    DOCUMENT.get_or_init(|| {
        let mut document = Document::default();
        super::describe(&mut document);
        document.into_json()
    })
}

/// The document as this portal serves it: `domain` can only be its own domain name.
pub fn served_document(domain: &str) -> Value {
    let mut document = document().clone();
    if let Some(schemas) = document["components"]["schemas"].as_object_mut() {
        for schema in schemas.values_mut() {
            if let Some(property) = schema
                .get_mut("properties")
                .and_then(|p| p.get_mut("domain"))
                .and_then(Value::as_object_mut)
            {
                property.insert("enum".into(), json!([domain, null]));
            }
        }
    }
    document
}

/// `GET /api/wfs/v1/openapi.json`.
pub async fn serve_document(State(state): State<AppState>) -> Response {
    axum::Json(portal_document(&state)).into_response()
}

/// [`served_document`] naming this portal's session cookie (`__Host-` when Secure).
fn portal_document(state: &AppState) -> Value {
    let mut document = served_document(&state.config.domain);
    document["components"]["securitySchemes"]["session"]["name"] = json!(
        crate::server::headers::session_cookie_name(state.config.secure_cookies)
    );
    document
}

/// `GET /api/wfs/v1/docs`: the document for people.
pub async fn serve_page(State(state): State<AppState>) -> Response {
    let mut response = Html(render(&portal_document(&state))).into_response();
    // No script at all; the one inline <style> (generated text, no user input) is allowed.
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
        ),
    );
    response
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A schema's type in a few words: a link for a reference, `[T]` for a list.
fn type_of(schema: &Value) -> String {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = reference.rsplit('/').next().unwrap_or(reference);
        return format!("<a href=\"#schema-{0}\">{0}</a>", escape(name));
    }
    for combinator in ["anyOf", "oneOf", "allOf"] {
        if let Some(options) = schema.get(combinator).and_then(Value::as_array) {
            let parts: Vec<String> = options
                .iter()
                .filter(|o| o.get("type").and_then(Value::as_str) != Some("null"))
                .map(type_of)
                .collect();
            return parts.join(" | ");
        }
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        return values
            .iter()
            .map(|v| escape(&v.to_string()))
            .collect::<Vec<_>>()
            .join(" | ");
    }
    if let Some(value) = schema.get("const") {
        return escape(&value.to_string());
    }
    let kind = match schema.get("type") {
        Some(Value::String(kind)) => kind.clone(),
        Some(Value::Array(kinds)) => kinds
            .iter()
            .filter_map(Value::as_str)
            .filter(|k| *k != "null")
            .collect::<Vec<_>>()
            .join(" | "),
        _ => "any".into(),
    };
    match kind.as_str() {
        "array" => format!(
            "[{}]",
            schema
                .get("items")
                .map(type_of)
                .unwrap_or_else(|| "any".into())
        ),
        "object" => match schema.get("additionalProperties") {
            Some(values @ Value::Object(_)) => format!("map of {}", type_of(values)),
            _ => "object".into(),
        },
        other => escape(other),
    }
}

fn properties_table(schema: &Value) -> String {
    let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
        if let Some(options) = schema.get("oneOf").and_then(Value::as_array) {
            let items: String = options
                .iter()
                .map(|o| {
                    format!(
                        "<li><code>{}</code> {}</li>",
                        type_of(o),
                        escape(o.get("description").and_then(Value::as_str).unwrap_or(""))
                    )
                })
                .collect();
            return format!("<ul>{items}</ul>");
        }
        return format!("<p><code>{}</code></p>", type_of(schema));
    };
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let rows: String = properties
        .iter()
        .map(|(name, property)| {
            format!(
                "<tr><td><code>{}</code>{}</td><td><code>{}</code></td><td>{}</td></tr>",
                escape(name),
                if required.contains(&name.as_str()) {
                    " <strong>required</strong>"
                } else {
                    ""
                },
                type_of(property),
                escape(
                    property
                        .get("description")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                )
            )
        })
        .collect();
    format!(
        "<table><thead><tr><th>field</th><th>type</th><th>meaning</th></tr></thead><tbody>{rows}</tbody></table>"
    )
}

pub fn render(document: &Value) -> String {
    let mut html = String::from(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Workflow Management Service</title><style>\
         body{font:15px/1.5 system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;color:#1d2330}\
         table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}th,td{border:1px solid #c9ced8;padding:.3rem .5rem;text-align:left;vertical-align:top}\
         th{background:#eef1f6}code{font-size:.92em}a{color:#0b4fb3}section{border-top:1px solid #c9ced8;margin-top:1.5rem}\
         </style></head><body><main>",
    );
    let info = &document["info"];
    html.push_str(&format!(
        "<h1>{}</h1><p>{}</p><p>Machine-readable: <a href=\"{PREFIX}/openapi.json\">openapi.json</a> (OpenAPI {}).</p>",
        escape(info["title"].as_str().unwrap_or("")),
        escape(info["description"].as_str().unwrap_or("")),
        escape(document["openapi"].as_str().unwrap_or("")),
    ));
    html.push_str("<h2>Operations</h2><ul>");
    let paths = document["paths"].as_object().cloned().unwrap_or_default();
    for (path, item) in &paths {
        let operation = &item["post"];
        let id = operation["operationId"].as_str().unwrap_or("");
        html.push_str(&format!(
            "<li><a href=\"#op-{0}\">{0}</a>: {1} <code>POST {2}</code></li>",
            escape(id),
            escape(operation["summary"].as_str().unwrap_or("")),
            escape(path)
        ));
    }
    html.push_str("</ul>");
    for item in paths.values() {
        let operation = &item["post"];
        let id = operation["operationId"].as_str().unwrap_or("");
        let request = &operation["requestBody"]["content"]["application/json"]["schema"];
        html.push_str(&format!(
            "<section id=\"op-{0}\"><h2>{0}</h2><p>{1}</p><p>Request: <code>{2}</code></p><h3>Answers</h3><ul>",
            escape(id),
            escape(operation["summary"].as_str().unwrap_or("")),
            type_of(request)
        ));
        if let Some(responses) = operation["responses"].as_object() {
            for (status, response) in responses {
                let schema = &response["content"]["application/json"]["schema"];
                let shown = if status == "200" {
                    schema["allOf"].get(0).map(type_of).unwrap_or_default()
                } else {
                    type_of(schema)
                };
                html.push_str(&format!(
                    "<li><strong>{}</strong> <code>{}</code> {}</li>",
                    escape(status),
                    shown,
                    escape(response["description"].as_str().unwrap_or(""))
                ));
            }
        }
        html.push_str("</ul></section>");
    }
    html.push_str("<section><h2>Types</h2>");
    if let Some(schemas) = document["components"]["schemas"].as_object() {
        for (name, schema) in schemas {
            html.push_str(&format!(
                "<h3 id=\"schema-{0}\">{0}</h3><p>{1}</p>{2}",
                escape(name),
                escape(
                    schema
                        .get("description")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                ),
                properties_table(schema)
            ));
        }
    }
    html.push_str("</section></main></body></html>");
    html
}
