//! entity, entitlement, role_request and resource_request: changes to the identity store,
//! applied by the caller in the same transaction as this step.

use crate::definition::{Activity, ActivityKind};
use crate::runtime::{Effect, IdentityChange, Machine};
use std::collections::BTreeMap;

/// Definitions say `requested` for "the roles or resources named in the request".
const REQUESTED: &str = "requested";

pub(super) fn enter(machine: &mut Machine, activity: &Activity) {
    let seq = machine.new_run(&activity.id, activity.type_name());
    let Some(user) = machine
        .instance
        .subject
        .as_ref()
        .map(|s| s.target_id.clone())
    else {
        machine.wait_in_error(seq, "the request has no subject to change".into());
        return;
    };
    let named = |name: &str| -> Vec<String> {
        if name == REQUESTED {
            machine.instance.item_ids()
        } else {
            vec![name.to_owned()]
        }
    };
    let (changes, next) = match &activity.kind {
        ActivityKind::Entity { changes, next } => {
            let mut attributes = BTreeMap::new();
            for change in changes {
                match machine.evaluate_values(&change.expression) {
                    Ok(values) => {
                        attributes.insert(change.target.clone(), values);
                    }
                    Err(error) => {
                        machine.wait_in_error(seq, format!("{}: {error}", change.target));
                        return;
                    }
                }
            }
            (
                vec![IdentityChange::SetAttributes { user, attributes }],
                next,
            )
        }
        ActivityKind::Entitlement {
            grant,
            entitlement,
            next,
        } => (
            named(entitlement)
                .into_iter()
                .map(|entitlement| IdentityChange::Entitlement {
                    user: user.clone(),
                    entitlement,
                    grant: *grant,
                })
                .collect(),
            next,
        ),
        ActivityKind::RoleRequest { role, grant, next } => (
            named(role)
                .into_iter()
                .map(|role| IdentityChange::Role {
                    user: user.clone(),
                    role,
                    grant: *grant,
                })
                .collect(),
            next,
        ),
        ActivityKind::ResourceRequest {
            resource,
            grant,
            next,
        } => (
            named(resource)
                .into_iter()
                .map(|resource| IdentityChange::Resource {
                    user: user.clone(),
                    resource,
                    grant: *grant,
                })
                .collect(),
            next,
        ),
        _ => unreachable!("dispatched only for provisioning activities"),
    };
    for change in changes {
        machine
            .effects
            .push(Effect::ChangeIdentity { run: seq, change });
    }
    machine.complete(seq, &[next]);
}
