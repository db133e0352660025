//! Flowdata: the data a workflow carries from one activity to the next.
//!
//! A tree of named attributes where every attribute holds a list of values, always: a
//! missing attribute reads as the empty list, one value is a list of one. Nothing is ever
//! sometimes null, sometimes a string and sometimes a list.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Value {
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
}

impl Value {
    pub fn text(value: impl Into<String>) -> Self {
        Value::Text(value.into())
    }

    pub fn as_text(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Float(x) => write!(f, "{x}"),
            Value::Text(s) => f.write_str(s),
        }
    }
}

/// One attribute: its values, and the attributes nested under it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Node {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<Value>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub children: BTreeMap<String, Node>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FlowData {
    root: BTreeMap<String, Node>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("flowdata path {0:?} must be names separated by '/', none empty")]
pub struct BadPath(pub String);

/// A checked path such as `request/justification`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FlowPath(Vec<String>);

impl FlowPath {
    pub fn parse(text: &str) -> Result<Self, BadPath> {
        let segments: Vec<String> = text.split('/').map(str::to_owned).collect();
        let valid = |s: &String| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        };
        if segments.iter().all(valid) {
            Ok(Self(segments))
        } else {
            Err(BadPath(text.to_owned()))
        }
    }

    pub fn segments(&self) -> &[String] {
        &self.0
    }
}

impl fmt::Display for FlowPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.join("/"))
    }
}

impl FlowData {
    pub fn new() -> Self {
        Self::default()
    }

    /// The values at `path`; the empty list when there is no such attribute.
    pub fn get(&self, path: &FlowPath) -> &[Value] {
        self.node(path).map(|n| n.values.as_slice()).unwrap_or(&[])
    }

    pub fn node(&self, path: &FlowPath) -> Option<&Node> {
        let (first, rest) = path.0.split_first()?;
        let mut node = self.root.get(first)?;
        for segment in rest {
            node = node.children.get(segment)?;
        }
        Some(node)
    }

    /// Replaces the values at `path`, creating the attributes on the way.
    pub fn set(&mut self, path: &FlowPath, values: Vec<Value>) {
        let (first, rest) = path.0.split_first().expect("a parsed path has a segment");
        let mut node = self.root.entry(first.clone()).or_default();
        for segment in rest {
            node = node.children.entry(segment.clone()).or_default();
        }
        node.values = values;
    }

    /// Removes the attribute at `path` and everything under it.
    pub fn remove(&mut self, path: &FlowPath) {
        let Some((last, parents)) = path.0.split_last() else {
            return;
        };
        let Some((first, rest)) = parents.split_first() else {
            self.root.remove(last);
            return;
        };
        let Some(mut node) = self.root.get_mut(first) else {
            return;
        };
        for segment in rest {
            match node.children.get_mut(segment) {
                Some(child) => node = child,
                None => return,
            }
        }
        node.children.remove(last);
    }

    pub fn top_level(&self) -> &BTreeMap<String, Node> {
        &self.root
    }

    /// Every attribute that holds values, by path (`context/justification`), in path
    /// order: the flowdata as a person reads it.
    pub fn attributes(&self) -> Vec<(String, &[Value])> {
        fn walk<'a>(
            prefix: &str,
            nodes: &'a BTreeMap<String, Node>,
            found: &mut Vec<(String, &'a [Value])>,
        ) {
            for (name, node) in nodes {
                let path = if prefix.is_empty() {
                    name.clone()
                } else {
                    format!("{prefix}/{name}")
                };
                if !node.values.is_empty() {
                    found.push((path.clone(), &node.values));
                }
                walk(&path, &node.children, found);
            }
        }
        let mut found = Vec::new();
        walk("", &self.root, &mut found);
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(text: &str) -> FlowPath {
        FlowPath::parse(text).unwrap()
    }

    #[test]
    fn attributes_are_listed_by_path_with_their_values() {
        let mut data = FlowData::new();
        data.set(&path("context/b"), vec![Value::text("2"), Value::text("3")]);
        data.set(&path("context/a/deep"), vec![Value::text("1")]);
        data.set(&path("status"), vec![Value::text("ok")]);
        let listed: Vec<(String, Vec<String>)> = data
            .attributes()
            .into_iter()
            .map(|(path, values)| (path, values.iter().map(Value::as_text).collect()))
            .collect();
        assert_eq!(
            listed,
            vec![
                ("context/a/deep".to_owned(), vec!["1".to_owned()]),
                ("context/b".to_owned(), vec!["2".to_owned(), "3".to_owned()]),
                ("status".to_owned(), vec!["ok".to_owned()]),
            ]
        );
    }

    #[test]
    fn removing_takes_the_attribute_and_what_is_under_it() {
        let mut data = FlowData::new();
        data.set(&path("context/a"), vec![Value::text("1")]);
        data.set(&path("context/a/b"), vec![Value::text("2")]);
        data.set(&path("context/c"), vec![Value::text("3")]);
        data.remove(&path("context/a"));
        assert!(data.node(&path("context/a")).is_none());
        assert!(data.get(&path("context/a/b")).is_empty());
        assert_eq!(data.get(&path("context/c")), &[Value::text("3")]);
        data.remove(&path("context/missing/deeper"));
        data.remove(&path("context"));
        assert!(data.top_level().is_empty());
    }

    #[test]
    fn attributes_are_always_lists() {
        let mut data = FlowData::new();
        assert_eq!(data.get(&path("request/justification")), &[] as &[Value]);
        data.set(&path("request/justification"), vec![Value::text("new job")]);
        data.set(
            &path("request/items"),
            vec![Value::text("VPN"), Value::text("CRM")],
        );
        assert_eq!(
            data.get(&path("request/justification")),
            &[Value::text("new job")]
        );
        assert_eq!(data.get(&path("request/items")).len(), 2);
        assert_eq!(
            data.get(&path("request")),
            &[] as &[Value],
            "an inner node has no values"
        );
        data.set(&path("request/items"), vec![]);
        assert!(data.get(&path("request/items")).is_empty());
    }

    #[test]
    fn paths_are_checked() {
        for bad in ["", "/a", "a/", "a//b", "a b", "a/b.c"] {
            assert!(FlowPath::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(path("a/b-c/d_e").to_string(), "a/b-c/d_e");
    }

    #[test]
    fn flowdata_survives_json() {
        let mut data = FlowData::new();
        data.set(
            &path("a/b"),
            vec![Value::Int(3), Value::Bool(true), Value::text("x")],
        );
        let json = serde_json::to_string(&data).unwrap();
        let back: FlowData = serde_json::from_str(&json).unwrap();
        assert_eq!(back, data);
    }
}
