//! The values requests and answers carry: orders, points in time, state names, and
//! context attributes (their check, and their values as the engine keeps them).

use super::{MAX_ATTRIBUTE_VALUES, MAX_REASON};
use crate::server::wfs::Failure;
use assent_engine::runtime::model::{self, Timestamp};
// The contract's order types and workflow, activity and application states are the
// engine's own enums: the same serde names, described by the engine's `schemars` feature.
pub use assent_engine::runtime::model::OrderType;
pub use assent_engine::{ActivityState, ApplicationState, WorkflowState};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A subject or resource order. Attributes are always lists of values.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Order {
    #[serde(rename = "type")]
    pub order_type: OrderType,
    /// The user name, or the id of the role, resource or entitlement.
    #[serde(rename = "targetID")]
    #[schemars(length(min = 1, max = 256))]
    pub target_id: String,
    /// `user`, `role`, `resource` or `entitlement`.
    #[schemars(length(min = 1, max = 64))]
    pub object_type: String,
    #[serde(default)]
    pub attributes: BTreeMap<String, Vec<String>>,
}

impl From<&model::Order> for Order {
    fn from(order: &model::Order) -> Self {
        Self {
            order_type: order.order_type,
            target_id: order.target_id.clone(),
            object_type: order.object_type.clone(),
            attributes: order.attributes.clone(),
        }
    }
}

impl From<&Order> for model::Order {
    fn from(order: &Order) -> Self {
        Self {
            order_type: order.order_type,
            target_id: order.target_id.clone(),
            object_type: order.object_type.clone(),
            attributes: order.attributes.clone(),
        }
    }
}

/// A point in time: RFC 3339 (`2026-07-01T00:00:00Z`) or the seed's Z-format
/// (`20260701000000Z`).
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(transparent)]
pub struct Moment(#[schemars(length(max = 40))] pub String);

impl<'de> Deserialize<'de> for Moment {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        parse_moment(&text)
            .map(|_| Moment(text))
            .ok_or_else(|| serde::de::Error::custom("not a time: use RFC 3339 or 20260701000000Z"))
    }
}

pub fn parse_moment(text: &str) -> Option<Timestamp> {
    if let Ok(at) = chrono::DateTime::parse_from_rfc3339(text) {
        return Some(Timestamp(at.timestamp_millis()));
    }
    let digits = text.strip_suffix('Z')?;
    chrono::NaiveDateTime::parse_from_str(digits, "%Y%m%d%H%M%S")
        .ok()
        .map(|at| Timestamp(at.and_utc().timestamp_millis()))
}

impl Moment {
    pub fn at(&self) -> Timestamp {
        parse_moment(&self.0).unwrap_or(Timestamp(0))
    }
}

/// RFC 3339 in UTC, as the contract has times.
pub fn time(at: Timestamp) -> String {
    chrono::DateTime::from_timestamp_millis(at.0)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
}

/// Checks one context attribute of a request (`field` names where, as `context` or
/// `workflow.context`): its name must be one flowdata name, as the engine keeps it under
/// `context/<name>`, and its values are bounded.
pub fn check_context_attribute(field: &str, name: &str, values: &[String]) -> Result<(), Failure> {
    let valid = name.len() <= 64
        && !name.contains('/')
        && assent_engine::flowdata::FlowPath::parse(name).is_ok();
    if !valid {
        return Err(Failure::invalid(format!(
            "{field}: attribute names have 1 to 64 letters, digits, '_' or '-' ({:?} has not)",
            name.chars().take(64).collect::<String>()
        )));
    }
    if values.len() > MAX_ATTRIBUTE_VALUES {
        return Err(Failure::invalid(format!(
            "{field}.{name}: at most {MAX_ATTRIBUTE_VALUES} values"
        )));
    }
    if values.iter().any(|v| v.chars().count() > MAX_REASON) {
        return Err(Failure::invalid(format!(
            "{field}.{name}: at most {MAX_REASON} characters"
        )));
    }
    Ok(())
}

/// A request's attribute values as flowdata texts: how the engine keeps context attributes.
pub fn flow_texts(values: &[String]) -> Vec<assent_engine::flowdata::Value> {
    values
        .iter()
        .map(|v| assent_engine::flowdata::Value::text(v.clone()))
        .collect()
}
