//! Provisioning as people see it: where a request's access was sent and how far it got,
//! a person's accounts, and the administrators' outbox with retry and drop. The portal's
//! pages call these; who may see what is decided here.

use crate::model::provisioning::{
    AccountLine, DeliveryLine, DeliveryState, ProvisioningOverview, ResourceLine,
};
use crate::server::entities::provisioning_operation as row;
use crate::server::provisioning::message::ProvisioningMessage;
use crate::server::provisioning::outbox::{self, ParkedAction, ParkedError};
use crate::server::provisioning::{catalog, BrokerStatus, OperationState, Provisioning};
use crate::server::rights::{Granted, ManageProvisioning};
use assent_engine::provisioning::{Attributes, Transport};
use sea_orm::{DatabaseConnection, DbErr};

use super::MINUTES;
/// Waiting and parked messages the administrators' page lists at most.
const OUTBOX_PAGE: u64 = 200;

/// Every operation a workflow caused; the caller has checked the reader may follow it.
pub async fn deliveries_of_workflow(
    db: &DatabaseConnection,
    provisioning: &Provisioning,
    workflow_id: &str,
    lang: &str,
) -> Result<Vec<DeliveryLine>, DbErr> {
    let operations = outbox::of_workflow(db, workflow_id).await?;
    Ok(operations
        .into_iter()
        .map(|operation| delivery_line(provisioning, operation, lang))
        .collect())
}

/// The accounts of the signed-in person, as Assent last asked them to be.
pub async fn my_accounts(
    db: &DatabaseConnection,
    provisioning: &Provisioning,
    username: &str,
    lang: &str,
) -> Result<Vec<AccountLine>, DbErr> {
    let accounts = outbox::accounts_of(db, username).await?;
    Ok(accounts
        .into_iter()
        .map(|(account, latest)| {
            let attributes: Attributes =
                serde_json::from_str(&account.attributes).unwrap_or_default();
            AccountLine {
                resource: resource_name(provisioning, &account.resource, lang),
                resource_key: account.resource.clone(),
                account: account.account,
                present: account.present,
                attributes: attributes.into_iter().collect(),
                latest: latest.map(|operation| delivery_line(provisioning, operation, lang)),
            }
        })
        .collect())
}

/// The administrators' view: the broker, counts by state, what waits, the resources.
pub async fn overview(
    may: Granted<ManageProvisioning>,
    db: &DatabaseConnection,
    provisioning: &Provisioning,
    lang: &str,
) -> Result<ProvisioningOverview, DbErr> {
    let counts = outbox::counts(db)
        .await?
        .into_iter()
        .map(|(state, count)| (delivery_state(state), count))
        .collect();
    let waiting = outbox::waiting(may, db, OUTBOX_PAGE)
        .await?
        .into_iter()
        .map(|operation| delivery_line(provisioning, operation, lang))
        .collect();
    let mut seen = std::collections::HashSet::new();
    let resources = catalog::versions(db)
        .await?
        .into_iter()
        .map(|stored| {
            let newest = seen.insert(stored.key.clone());
            ResourceLine {
                name: resource_name(provisioning, &stored.key, lang),
                answers: provisioning
                    .resource(&stored.key)
                    .is_some_and(|r| r.transport == Transport::Amqp { results: true }),
                key: stored.key,
                version: stored.version,
                file_name: stored.file_name,
                deployed: stored.deployed_at.format(MINUTES).to_string(),
                newest,
            }
        })
        .collect();
    let broker = provisioning.broker();
    Ok(ProvisioningOverview {
        broker_ok: broker == BrokerStatus::Connected,
        broker: broker_words(&broker).to_owned(),
        counts,
        waiting,
        resources,
    })
}

/// An administrator retries or drops a parked message (audited).
pub async fn resolve_parked(
    may: Granted<ManageProvisioning>,
    db: &DatabaseConnection,
    id: i32,
    action: ParkedAction,
    actor: &str,
) -> Result<String, ParkedError> {
    let operation = outbox::resolve_parked(may, db, id, action, actor, chrono::Utc::now()).await?;
    Ok(match action {
        ParkedAction::Retry => format!("Message {} will be sent again.", operation.message_id),
        ParkedAction::Drop => format!("Message {} was dropped.", operation.message_id),
    })
}

fn delivery_state(state: OperationState) -> DeliveryState {
    match state {
        OperationState::Pending => DeliveryState::Waiting,
        OperationState::Sent => DeliveryState::Sent,
        OperationState::Confirmed => DeliveryState::Confirmed,
        OperationState::Failed => DeliveryState::Failed,
        OperationState::Parked => DeliveryState::Parked,
        OperationState::Dropped => DeliveryState::Dropped,
    }
}

fn broker_words(status: &BrokerStatus) -> &'static str {
    match status {
        BrokerStatus::NotConfigured => {
            "No message broker is configured (ASSENT_AMQP_URL): messages wait until one is."
        }
        BrokerStatus::Connecting => "Connecting to the message broker.",
        BrokerStatus::Connected => "Connected to the message broker.",
        BrokerStatus::Unreachable(_) => {
            "The message broker cannot be reached: messages wait and go out once it is back."
        }
    }
}

fn resource_name(provisioning: &Provisioning, key: &str, lang: &str) -> String {
    provisioning
        .resource(key)
        .map(|resource| resource.name.get(lang).to_owned())
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| key.to_owned())
}

fn delivery_line(provisioning: &Provisioning, operation: row::Model, lang: &str) -> DeliveryLine {
    let state = OperationState::parse(&operation.state)
        .map(delivery_state)
        .unwrap_or(DeliveryState::Waiting);
    let note = match state {
        DeliveryState::Waiting => Some(match (&operation.last_error, provisioning.broker()) {
            (Some(error), _) => format!("Offered again soon; the broker said: {error}"),
            (None, status) => broker_words(&status).to_owned(),
        }),
        DeliveryState::Sent => {
            let answers = provisioning
                .resource(&operation.resource)
                .is_some_and(|r| r.transport == Transport::Amqp { results: true });
            Some(if answers {
                "Waiting for the target system's answer.".to_owned()
            } else {
                "This target system does not answer.".to_owned()
            })
        }
        DeliveryState::Failed | DeliveryState::Parked => operation.last_error.clone(),
        DeliveryState::Confirmed | DeliveryState::Dropped => None,
    };
    let changed = operation
        .answered_at
        .or(operation.sent_at)
        .unwrap_or(operation.created_at);
    DeliveryLine {
        id: operation.id,
        resource: resource_name(provisioning, &operation.resource, lang),
        summary: summary(&operation.message),
        message_id: operation.message_id,
        resource_key: operation.resource,
        account: operation.account,
        operation: operation.operation,
        sequence: operation.sequence,
        state,
        note,
        workflow_id: operation.instance_id,
        attempts: operation.attempts,
        created: operation.created_at.format(MINUTES).to_string(),
        changed: changed.format(MINUTES).to_string(),
    }
}

/// What a message asks, in a few words: `groups: vpn-users; mail: a@b` for a new
/// account, `groups +admins −guests` for a change.
fn summary(message: &str) -> String {
    let Ok(message) = serde_json::from_str::<ProvisioningMessage>(message) else {
        return String::new();
    };
    match message.operation.as_str() {
        "add" => message
            .attributes
            .iter()
            .map(|(name, values)| format!("{name}: {}", values.join(", ")))
            .collect::<Vec<_>>()
            .join("; "),
        "modify" => message
            .changes
            .iter()
            .map(|change| {
                let added = change.add.iter().map(|v| format!("+{v}"));
                let deleted = change.delete.iter().map(|v| format!("−{v}"));
                let values: Vec<String> = added.chain(deleted).collect();
                format!("{} {}", change.attribute, values.join(" "))
            })
            .collect::<Vec<_>>()
            .join("; "),
        _ => String::new(),
    }
}
