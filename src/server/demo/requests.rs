//! The demo's sample requests, started once the demo company is loaded and the
//! definitions folder deployed.

use super::people::{HOLDINGS, NEW_HIRE};
use crate::server::workflow::{CreateRequest, WorkflowError, Workflows};
use assent_engine::flowdata::Value;
use assent_engine::runtime::model::{Order, OrderType};
use assent_engine::UserName;
use std::collections::BTreeMap;

/// One running request for each shipped example, so that worklists have something in
/// them from the first login: (definition, requester and subject, item, item kind).
const EXAMPLE_REQUESTS: &[(&str, &str, &str, &str)] = &[
    (
        "My-Company/Approval/4-Eye-Approval",
        "alice",
        "Finance Analyst",
        "role",
    ),
    (
        "My-Company/Approval/4-Eye-Approval",
        "niaj",
        "Developer",
        "role",
    ),
    (
        "My-Company/Approval/Manager-Then-Owner",
        "frank",
        "VPN Access",
        "resource",
    ),
    (
        "My-Company/Approval/Parallel-Quorum",
        "olivia",
        "Cloud Console",
        "resource",
    ),
    // Approved by olivia, the mailbox is made by Prefect (see examples/prefect).
    (
        "My-Company/Collaboration/Mailbox-Via-Prefect",
        "zoe",
        "Shared Mailbox",
        "resource",
    ),
    (
        "My-Company/Roles/Role-Request-SoD",
        "grace",
        "Payroll Administrator",
        "role",
    ),
    (
        "My-Company/Approval/Entitlement-Pool",
        "peggy",
        "VPN full tunnel",
        "entitlement",
    ),
];

pub async fn start_example_workflows(workflows: &Workflows) -> Result<(), WorkflowError> {
    for (path, requester, item, kind) in EXAMPLE_REQUESTS {
        let request = request(
            path,
            requester,
            order("user", requester),
            vec![order(kind, item)],
            one_text_field("justification", format!("{item} for my new tasks")),
        );
        start_or_skip(workflows, request).await?;
    }
    // nora's account waits for activation; ivan's manager heidi certifies his access.
    start_or_skip(
        workflows,
        request(
            "My-Company/Registration/User-Registration",
            "admin",
            order("user", NEW_HIRE),
            vec![],
            one_text_field("email", format!("{NEW_HIRE}@example.com")),
        ),
    )
    .await?;
    let ivans_holdings = HOLDINGS
        .iter()
        .filter(|(user, ..)| *user == "ivan")
        .map(|(_, kind, name)| order(kind, name))
        .collect();
    start_or_skip(
        workflows,
        request(
            "My-Company/Certification/Access-Certification",
            "admin",
            order("user", "ivan"),
            ivans_holdings,
            Default::default(),
        ),
    )
    .await?;
    // A registration checked before anything is created: it ends at once, telling what
    // is missing (no surname).
    let mut registration = order("user", "new.hire");
    registration
        .attributes
        .insert("mail".into(), vec!["new.hire@example.com".into()]);
    start_or_skip(
        workflows,
        request(
            "My-Company/Registration/User-Verification",
            "admin",
            registration,
            vec![],
            Default::default(),
        ),
    )
    .await?;
    Ok(())
}

fn order(object_type: &str, id: &str) -> Order {
    Order::new(OrderType::AddOrder, object_type, id)
}

fn one_text_field(name: &str, text: String) -> BTreeMap<String, Vec<Value>> {
    [(name.to_owned(), vec![Value::text(text)])].into()
}

/// A request `initiator` files through the definition at `path`.
fn request(
    path: &str,
    initiator: &str,
    subject: Order,
    resources: Vec<Order>,
    form: BTreeMap<String, Vec<Value>>,
) -> CreateRequest {
    CreateRequest {
        definition_path: path.to_owned(),
        initiator: UserName::parse(initiator).expect("demo names are valid"),
        subject: Some(subject),
        resources,
        form,
        context: Default::default(),
        correlation_id: None,
    }
}

/// Starts `request`, unless its definition is not in the definitions folder: the demo
/// then lacks that sample rather than failing to start.
async fn start_or_skip(workflows: &Workflows, request: CreateRequest) -> Result<(), WorkflowError> {
    let path = request.definition_path.clone();
    match workflows.create(request).await {
        Ok(_) => Ok(()),
        Err(WorkflowError::DefinitionNotFound) => {
            tracing::warn!(path, "demo request skipped: definition not deployed");
            Ok(())
        }
        Err(other) => Err(other),
    }
}
