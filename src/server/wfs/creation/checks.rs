//! What createInstance checks before choosing a definition: the sizes of what the
//! request carries, the subject against the caller's rights over that account, and the
//! requested items against the catalog.

use super::CreateInstanceRequest;
use crate::server::entities::{catalog_item, user};
use crate::server::wfs::contract::{
    check_context_attribute, Order, OrderType, MAX_ATTRIBUTE_VALUES, MAX_REASON, MAX_TEXT,
};
use crate::server::wfs::{has_right, Call, Failure, Right};
use crate::server::workflow::WorkflowError;
use assent_engine::UserName;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use std::collections::BTreeMap;

/// Context attributes (or attributes of an order) one request may carry.
const MAX_CONTEXT_ATTRIBUTES: usize = 50;
/// Resource orders one request may carry.
const MAX_RESOURCES: usize = 100;

/// Checks the sizes and names of what the request carries, before anything is read.
pub(super) fn check_sizes(request: &CreateInstanceRequest) -> Result<(), Failure> {
    if let Some(subject) = &request.subject {
        check_order("subject", subject)?;
    }
    if request.resources.len() > MAX_RESOURCES {
        return Err(Failure::invalid(format!(
            "resources: at most {MAX_RESOURCES} orders"
        )));
    }
    for (i, resource) in request.resources.iter().enumerate() {
        check_order(&format!("resources[{i}]"), resource)?;
    }
    check_context(&request.context)?;
    if let Some(id) = &request.cause_ref_id {
        check_text("causeRefID", id, MAX_TEXT)?;
    }
    Ok(())
}

/// At most `max` characters in `field`.
pub(super) fn check_text(field: &str, text: &str, max: usize) -> Result<(), Failure> {
    if text.chars().count() > max {
        return Err(Failure::invalid(format!(
            "{field}: at most {max} characters"
        )));
    }
    Ok(())
}

/// A subject or resource order: a target, and bounded attributes.
fn check_order(field: &str, order: &Order) -> Result<(), Failure> {
    if order.target_id.trim().is_empty() {
        return Err(Failure::invalid(format!(
            "{field}.targetID: must not be empty"
        )));
    }
    check_text(&format!("{field}.targetID"), &order.target_id, MAX_TEXT)?;
    check_text(&format!("{field}.objectType"), &order.object_type, 64)?;
    if order.attributes.len() > MAX_CONTEXT_ATTRIBUTES {
        return Err(Failure::invalid(format!(
            "{field}.attributes: at most {MAX_CONTEXT_ATTRIBUTES} attributes"
        )));
    }
    for (name, values) in &order.attributes {
        check_text(&format!("{field}.attributes"), name, 64)?;
        if values.len() > MAX_ATTRIBUTE_VALUES {
            return Err(Failure::invalid(format!(
                "{field}.attributes.{name}: at most {MAX_ATTRIBUTE_VALUES} values"
            )));
        }
        for value in values {
            check_text(&format!("{field}.attributes.{name}"), value, MAX_REASON)?;
        }
    }
    Ok(())
}

/// Checks the context's names and sizes; names become flowdata paths.
fn check_context(context: &BTreeMap<String, Vec<String>>) -> Result<(), Failure> {
    if context.len() > MAX_CONTEXT_ATTRIBUTES {
        return Err(Failure::invalid(format!(
            "context: at most {MAX_CONTEXT_ATTRIBUTES} attributes"
        )));
    }
    for (name, values) in context {
        check_context_attribute("context", name, values)?;
    }
    Ok(())
}

/// The one object type a subject may have: every definition's subject is a user account.
const SUBJECT_OBJECT_TYPE: &str = "user";

/// Checks the subject against the caller's rights over that account, whatever the order
/// says. Whether the initiator may start the definition for this subject at all (self,
/// manager, group, administrator) is the workflow layer's `starters` check, for the
/// portal and the API alike; this adds what only the API can ask:
/// - the object type must be `user` (anything else could slip past every user check);
/// - an addOrder (a registration) for an account that already exists needs the right to
///   manage accounts, or anyone could start the activation of someone's disabled account;
/// - any other order on a disabled or unknown account needs the same right, and the
///   refusal does not say which of the two it was;
/// - acting as another initiator never reaches the caller's own account.
pub(super) async fn check_subject(
    call: &Call<'_>,
    initiator: &UserName,
    subject: Option<&Order>,
) -> Result<(), Failure> {
    let Some(subject) = subject else {
        return Ok(());
    };
    // Exactly: the engine knows a subject user by this very word, so "USER" would
    // slip past its exclusions.
    if subject.object_type != SUBJECT_OBJECT_TYPE {
        return Err(Failure::invalid(format!(
            "subject.objectType: unknown object type {:?}; a subject is a {SUBJECT_OBJECT_TYPE}",
            subject.object_type.chars().take(64).collect::<String>()
        )));
    }
    let name = UserName::parse(&subject.target_id)
        .map_err(|_| Failure::invalid("subject.targetID: not a user name"))?;
    if &call.user.username != initiator && name == call.user.username {
        // Acting for someone else on one's own account.
        return Err(Failure::denied());
    }
    let manages_accounts = has_right(call.user, Right::ManageAccounts);
    let account = user::Entity::find()
        .filter(user::Column::Username.eq(name.as_str()))
        .one(&call.state.db.connection)
        .await
        .map_err(|e| Failure::from(WorkflowError::from(e)))?;
    let allowed = match (subject.order_type, account) {
        (OrderType::AddOrder, None) => true,
        (OrderType::AddOrder, Some(_)) => manages_accounts,
        (_, Some(account)) if !account.disabled => true,
        (_, _) => manages_accounts,
    };
    if allowed {
        Ok(())
    } else {
        Err(Failure::denied())
    }
}

/// Every requested item must be in the catalog under the object type the order names
/// (the error names the first that is not); their categories, in the orders' order.
pub(super) async fn catalog_categories(
    call: &Call<'_>,
    resources: &[Order],
) -> Result<Vec<String>, Failure> {
    let mut categories = Vec::with_capacity(resources.len());
    for (i, resource) in resources.iter().enumerate() {
        let found = catalog_item::Entity::find()
            .filter(catalog_item::Column::Name.eq(resource.target_id.as_str()))
            .filter(catalog_item::Column::Kind.eq(resource.object_type.as_str()))
            .one(&call.state.db.connection)
            .await
            .map_err(|e| Failure::from(WorkflowError::from(e)))?;
        let Some(item) = found else {
            return Err(Failure::invalid(format!(
                "resources[{i}]: there is no {} {:?} in the catalog",
                resource.object_type.chars().take(64).collect::<String>(),
                resource
                    .target_id
                    .chars()
                    .take(MAX_TEXT)
                    .collect::<String>()
            )));
        };
        categories.push(item.category);
    }
    Ok(categories)
}
