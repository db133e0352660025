//! From what an account should hold and what Assent last asked it to hold (the
//! attribute cache) to the one operation that closes the gap, or none.

use super::resource::{ItemKind, Resource, UserField};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// An account's attributes: every value a list (sorted, without repeats), as the
/// provisioning messages carry them.
pub type Attributes = BTreeMap<String, Vec<String>>;

/// Something the person holds (an assignment of the identity store).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holding {
    pub kind: ItemKind,
    pub name: String,
}

/// The person an account belongs to, as the directory has them now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountHolder {
    pub username: String,
    pub display_name: String,
    pub email: String,
    pub title: String,
    pub enabled: bool,
    pub holdings: Vec<Holding>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttributeChange {
    pub attribute: String,
    pub add: Vec<String>,
    pub delete: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Operation {
    /// A new account, with everything it holds.
    Add(Attributes),
    /// Only what changes, attribute by attribute.
    Modify(Vec<AttributeChange>),
    Delete,
}

impl Operation {
    pub fn name(&self) -> &'static str {
        match self {
            Operation::Add(_) => "add",
            Operation::Modify(_) => "modify",
            Operation::Delete => "delete",
        }
    }
}

impl Resource {
    /// What `holder`'s account here should hold; `None`: they hold nothing this resource
    /// is given for, so they should have no account.
    pub fn desired(&self, holder: &AccountHolder) -> Option<Attributes> {
        let granting: Vec<_> = self
            .grants
            .iter()
            .filter(|grant| {
                holder.holdings.iter().any(|held| {
                    held.name == grant.item && grant.kind.is_none_or(|kind| kind == held.kind)
                })
            })
            .collect();
        if granting.is_empty() {
            return None;
        }
        let mut values: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (attribute, field) in &self.account.attributes {
            let value = match field {
                UserField::Username => &holder.username,
                UserField::DisplayName => &holder.display_name,
                UserField::Email => &holder.email,
                UserField::Title => &holder.title,
            };
            // An empty directory field is no value, not the value "".
            if !value.is_empty() {
                values
                    .entry(attribute.clone())
                    .or_default()
                    .insert(value.clone());
            }
        }
        if let Some(attribute) = &self.account.enabled {
            values
                .entry(attribute.clone())
                .or_default()
                .insert(holder.enabled.to_string());
        }
        for grant in granting {
            for (attribute, granted) in &grant.attributes {
                values
                    .entry(attribute.clone())
                    .or_default()
                    .extend(granted.iter().cloned());
            }
        }
        Some(
            values
                .into_iter()
                .map(|(attribute, values)| (attribute, values.into_iter().collect()))
                .collect(),
        )
    }
}

/// The operation that turns `cached` (what was last asked; `None`: no account) into
/// `desired`; `None` when nothing would change.
pub fn plan(cached: Option<&Attributes>, desired: Option<&Attributes>) -> Option<Operation> {
    match (cached, desired) {
        (None, None) => None,
        (None, Some(desired)) => Some(Operation::Add(desired.clone())),
        (Some(_), None) => Some(Operation::Delete),
        (Some(cached), Some(desired)) => {
            let names: BTreeSet<&String> = cached.keys().chain(desired.keys()).collect();
            let empty = Vec::new();
            let changes: Vec<AttributeChange> = names
                .into_iter()
                .filter_map(|name| {
                    let before = cached.get(name).unwrap_or(&empty);
                    let after = desired.get(name).unwrap_or(&empty);
                    let add: Vec<String> = after
                        .iter()
                        .filter(|v| !before.contains(v))
                        .cloned()
                        .collect();
                    let delete: Vec<String> = before
                        .iter()
                        .filter(|v| !after.contains(v))
                        .cloned()
                        .collect();
                    (!add.is_empty() || !delete.is_empty()).then(|| AttributeChange {
                        attribute: name.clone(),
                        add,
                        delete,
                    })
                })
                .collect();
            (!changes.is_empty()).then_some(Operation::Modify(changes))
        }
    }
}
