//! Between flowdata and expressions: the variables an expression sees, and its result
//! stored back as flowdata values.

use super::model::Order;
use super::Machine;
use crate::expression::{Expression, Val, STANDARD_LOOKUPS};
use crate::flowdata::{FlowData, Node, Value};
use std::collections::BTreeMap;

impl Machine<'_> {
    /// The variables expressions see.
    pub(crate) fn variables(&self) -> BTreeMap<&'static str, Val> {
        let order = |order: &Order| {
            let attributes = order
                .attributes
                .iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        Val::List(v.iter().map(|s| Val::Str(s.clone())).collect()),
                    )
                })
                .collect();
            Val::Map(BTreeMap::from([
                ("id".to_owned(), Val::Str(order.target_id.clone())),
                ("objectType".to_owned(), Val::Str(order.object_type.clone())),
                ("attributes".to_owned(), Val::Map(attributes)),
            ]))
        };
        let mut variables = BTreeMap::new();
        variables.insert("flowdata", flowdata_value(&self.instance.flowdata));
        variables.insert(
            "initiator",
            Val::Map(BTreeMap::from([(
                "id".to_owned(),
                Val::Str(self.instance.initiator.to_string()),
            )])),
        );
        if let Some(subject) = &self.instance.subject {
            variables.insert("subject", order(subject));
        }
        if let Some(resource) = self.instance.resources.first() {
            variables.insert("resource", order(resource));
        }
        variables
    }

    /// Evaluates `expression` as flowdata values. Its message says what went wrong, for
    /// the run that waits in error.
    pub(crate) fn evaluate_values(&self, expression: &str) -> Result<Vec<Value>, String> {
        self.evaluate_values_with(expression, &[])
    }

    /// As [`Machine::evaluate_values`], with the variables `extra` besides the usual ones
    /// (a `rest` activity's mapping reads its `response`).
    pub(crate) fn evaluate_values_with(
        &self,
        expression: &str,
        extra: &[(&'static str, Val)],
    ) -> Result<Vec<Value>, String> {
        let names: Vec<&str> = extra.iter().map(|(name, _)| *name).collect();
        let mut variables = self.variables();
        variables.extend(extra.iter().cloned());
        Expression::parse_with_variables(expression, STANDARD_LOOKUPS, &names)
            .map_err(|e| e.to_string())
            .and_then(|e| {
                e.evaluate(&variables, self.env.lookups)
                    .map_err(|e| e.to_string())
            })
            .and_then(to_values)
    }
}

/// Flowdata as the `flowdata` variable: an attribute with nested ones is a map of them,
/// any other the list of its values.
pub(crate) fn flowdata_value(flowdata: &FlowData) -> Val {
    fn node(n: &Node) -> Val {
        if n.children.is_empty() {
            Val::List(n.values.iter().map(value).collect())
        } else {
            Val::Map(
                n.children
                    .iter()
                    .map(|(k, v)| (k.clone(), node(v)))
                    .collect(),
            )
        }
    }
    Val::Map(
        flowdata
            .top_level()
            .iter()
            .map(|(k, v)| (k.clone(), node(v)))
            .collect(),
    )
}

fn value(v: &Value) -> Val {
    match v {
        Value::Bool(b) => Val::Bool(*b),
        Value::Int(i) => Val::Int(*i),
        Value::Float(x) => Val::Float(*x),
        Value::Text(s) => Val::Str(s.clone()),
    }
}

/// An expression's result as flowdata values: always a list.
fn to_values(v: Val) -> Result<Vec<Value>, String> {
    let scalar = |v: Val| match v {
        Val::Bool(b) => Ok(Value::Bool(b)),
        Val::Int(i) => Ok(Value::Int(i)),
        Val::Float(x) => Ok(Value::Float(x)),
        Val::Str(s) => Ok(Value::Text(s)),
        other => Err(format!("cannot store a nested {other:?} in flowdata")),
    };
    match v {
        Val::Null => Ok(vec![]),
        Val::List(items) => items.into_iter().map(scalar).collect(),
        Val::Map(_) => Err("cannot store a map in a flowdata attribute".into()),
        other => Ok(vec![scalar(other)?]),
    }
}
