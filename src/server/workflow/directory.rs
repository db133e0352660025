//! A snapshot of the identity store for one event: the engine resolves participants and
//! evaluates look-ups against it without touching the database itself.

use super::{to_timestamp, WorkflowError, Workflows};
use crate::server::entities::{assignment, catalog_item, user};
use assent_engine::expression::{Lookups, Val, STANDARD_LOOKUPS};
use assent_engine::runtime::directory::{MemoryDirectory, Substitution};
use assent_engine::UserName;
use sea_orm::{ConnectionTrait, EntityTrait, Statement};
use std::collections::{BTreeMap, BTreeSet};

pub(crate) struct Snapshot {
    pub directory: MemoryDirectory,
    pub lookups: StoreLookups,
}

pub(crate) struct StoreLookups {
    managers: BTreeMap<UserName, UserName>,
    groups: BTreeMap<String, Vec<UserName>>,
    holdings: BTreeMap<String, BTreeSet<String>>,
    conflicts: Vec<(String, String)>,
    attributes: BTreeMap<(String, String), Vec<String>>,
}

fn user_of(value: &Val) -> Option<String> {
    match value {
        Val::Str(s) => Some(s.clone()),
        Val::Map(map) => match map.get("id") {
            Some(Val::Str(s)) => Some(s.clone()),
            _ => None,
        },
        Val::List(items) if items.len() == 1 => user_of(&items[0]),
        _ => None,
    }
}

impl Lookups for StoreLookups {
    fn names(&self) -> &'static [&'static str] {
        STANDARD_LOOKUPS
    }

    fn call(&self, name: &str, args: &[Val]) -> Result<Val, String> {
        let user = |index: usize| {
            args.get(index)
                .and_then(user_of)
                .ok_or_else(|| format!("identity.{name}: argument {} must name a user", index + 1))
        };
        match name {
            "managerOf" => {
                let who = UserName::parse(&user(0)?).map_err(|e| e.to_string())?;
                Ok(self
                    .managers
                    .get(&who)
                    .map(|m| Val::Str(m.to_string()))
                    .unwrap_or(Val::Null))
            }
            "isMember" => {
                let who = user(0)?;
                let Some(Val::Str(group)) = args.get(1) else {
                    return Err("identity.isMember(user, group): group must be a string".into());
                };
                Ok(Val::Bool(self.groups.get(group).is_some_and(|members| {
                    members.iter().any(|m| m.as_str() == who)
                })))
            }
            "sodConflicts" => {
                let who = user(0)?;
                let requested = user(1)?;
                let held = self.holdings.get(&who).cloned().unwrap_or_default();
                let conflicting = self
                    .conflicts
                    .iter()
                    .filter_map(|(a, b)| {
                        if *a == requested && held.contains(b) {
                            Some(b.clone())
                        } else if *b == requested && held.contains(a) {
                            Some(a.clone())
                        } else {
                            None
                        }
                    })
                    .map(Val::Str)
                    .collect();
                Ok(Val::List(conflicting))
            }
            "attribute" => {
                let who = user(0)?;
                let Some(Val::Str(attribute)) = args.get(1) else {
                    return Err("identity.attribute(user, name): name must be a string".into());
                };
                Ok(Val::List(
                    self.attributes
                        .get(&(who, attribute.clone()))
                        .map(|values| values.iter().cloned().map(Val::Str).collect())
                        .unwrap_or_default(),
                ))
            }
            other => Err(format!("identity.{other} is not available")),
        }
    }
}

impl Workflows {
    pub(crate) async fn snapshot(
        &self,
        db: &impl ConnectionTrait,
    ) -> Result<Snapshot, WorkflowError> {
        let users = user::Entity::find().all(db).await?;
        let names: BTreeMap<i32, UserName> = users
            .iter()
            .filter_map(|u| UserName::parse(&u.username).ok().map(|n| (u.id, n)))
            .collect();
        let mut directory = MemoryDirectory::default();
        let mut attributes = BTreeMap::new();
        for u in &users {
            let Some(name) = names.get(&u.id) else {
                continue;
            };
            directory.users.insert(name.clone());
            if u.disabled {
                directory.disabled.insert(name.clone());
            }
            if let Some(manager) = u.manager_id.and_then(|id| names.get(&id)) {
                directory.managers.insert(name.clone(), manager.clone());
            }
            for (attribute, value) in [
                ("email", &u.email),
                ("title", &u.title),
                ("displayName", &u.display_name),
            ] {
                attributes.insert(
                    (u.username.clone(), attribute.to_owned()),
                    vec![value.clone()],
                );
            }
        }
        for item in catalog_item::Entity::find().all(db).await? {
            if let Some(owner) = names.get(&item.owner_id) {
                directory.owners.insert(item.name, owner.clone());
            }
        }
        let backend = db.get_database_backend();
        for row in db
            .query_all(Statement::from_string(
                backend,
                "SELECT group_name, username FROM group_members",
            ))
            .await?
        {
            let group: String = row.try_get("", "group_name")?;
            let member: String = row.try_get("", "username")?;
            if let Ok(member) = UserName::parse(&member) {
                directory.groups.entry(group).or_default().push(member);
            }
        }
        for row in db
            .query_all(Statement::from_string(
                backend,
                "SELECT username, substitute, starts_at, ends_at FROM delegations",
            ))
            .await?
        {
            let user: String = row.try_get("", "username")?;
            let substitute: String = row.try_get("", "substitute")?;
            let starts: chrono::DateTime<chrono::Utc> = row.try_get("", "starts_at")?;
            let ends: chrono::DateTime<chrono::Utc> = row.try_get("", "ends_at")?;
            if let (Ok(user), Ok(substitute)) =
                (UserName::parse(&user), UserName::parse(&substitute))
            {
                directory.substitutions.push(Substitution {
                    user,
                    substitute,
                    from: to_timestamp(starts),
                    until: to_timestamp(ends),
                });
            }
        }
        for row in db
            .query_all(Statement::from_string(
                backend,
                "SELECT username, name, values_json FROM user_attributes",
            ))
            .await?
        {
            let user: String = row.try_get("", "username")?;
            let name: String = row.try_get("", "name")?;
            let json: String = row.try_get("", "values_json")?;
            let values: Vec<String> = serde_json::from_str(&json).unwrap_or_default();
            attributes.insert((user, name), values);
        }
        let mut holdings: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for held in assignment::Entity::find().all(db).await? {
            holdings.entry(held.username).or_default().insert(held.name);
        }
        let mut conflicts = Vec::new();
        for row in db
            .query_all(Statement::from_string(
                backend,
                "SELECT item_a, item_b FROM sod_rules",
            ))
            .await?
        {
            conflicts.push((row.try_get("", "item_a")?, row.try_get("", "item_b")?));
        }
        Ok(Snapshot {
            lookups: StoreLookups {
                managers: directory.managers.clone(),
                groups: directory.groups.clone(),
                holdings,
                conflicts,
                attributes,
            },
            directory,
        })
    }
}
