//! API idempotency keys: one key, one workflow, per caller, bound to the request it came
//! with and forgotten after the server's window. The key is stored in the creation's own
//! transaction, so there is never a key without its workflow or two workflows for one key.

use super::instances::{contention, CreateRequest};
use super::{WorkflowError, Workflows};
use crate::server::entities::api_request;
use assent_engine::runtime::model::Instance;
use assent_engine::UserName;
use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, Set};

/// Who asked for a creation and the key they gave it (a correlation id or an
/// `Idempotency-Key` header): one key, one workflow, per caller. The key binds the
/// request it first came with (`request_hash`), and only while it is younger than
/// `not_before` says: an older key is forgotten and may be used again.
#[derive(Debug, Clone)]
pub struct IdempotencyKey {
    pub caller: UserName,
    pub key: String,
    /// SHA-256 of what the request asks (see the API's request digest).
    pub request_hash: String,
    /// Keys stored before this instant have expired.
    pub not_before: chrono::DateTime<chrono::Utc>,
}

impl IdempotencyKey {
    pub fn hash(&self) -> String {
        super::jobs::key_digest(&format!("{}\n{}", self.caller, self.key))
    }
}

impl Workflows {
    /// Creates a workflow unless `key` already created one: then the answer is
    /// [`WorkflowError::Duplicate`] naming it. The key is stored in the creation's own
    /// transaction.
    pub async fn create_once(
        &self,
        request: CreateRequest,
        key: IdempotencyKey,
    ) -> Result<Instance, WorkflowError> {
        if let Some(existing) = self.created_for(&key).await? {
            return Err(existing);
        }
        match self.create_with(request, Some(key.clone())).await {
            // Someone with the same key committed in between.
            Err(WorkflowError::Duplicate(_)) => match self.created_for(&key).await? {
                Some(existing) => Err(existing),
                None => Err(WorkflowError::Conflict),
            },
            other => other,
        }
    }

    /// Deletes the idempotency keys stored before `not_before` (expired); the number
    /// deleted. Each creation also clears its own key's expired use, so this only keeps
    /// the table small.
    pub async fn forget_expired_keys(
        &self,
        not_before: chrono::DateTime<chrono::Utc>,
    ) -> Result<u64, WorkflowError> {
        let _turn = self.write_turn().await;
        Ok(api_request::Entity::delete_many()
            .filter(api_request::Column::CreatedAt.lt(not_before))
            .exec(&self.db)
            .await
            .map_err(contention)?
            .rows_affected)
    }

    /// What a live key already did: [`WorkflowError::Duplicate`] naming the workflow it
    /// created for the same request, or [`WorkflowError::KeyReused`] when it came with
    /// another request. `None` when the key is new or has expired.
    async fn created_for(
        &self,
        key: &IdempotencyKey,
    ) -> Result<Option<WorkflowError>, WorkflowError> {
        let Some(row) = api_request::Entity::find_by_id(key.hash())
            .filter(api_request::Column::CreatedAt.gte(key.not_before))
            .one(&self.db)
            .await?
        else {
            return Ok(None);
        };
        Ok(Some(match row.request_hash {
            Some(first) if first != key.request_hash => WorkflowError::KeyReused(key.key.clone()),
            _ => WorkflowError::Duplicate(row.workflow_id),
        }))
    }

    /// Stores `key` for the workflow just created, inside its transaction; an expired
    /// use of the same key gives way.
    pub(crate) async fn record_key(
        &self,
        txn: &DatabaseTransaction,
        key: &IdempotencyKey,
        workflow_id: &str,
    ) -> Result<(), WorkflowError> {
        // An expired use of the same key gives way to this one.
        api_request::Entity::delete_many()
            .filter(api_request::Column::KeyHash.eq(key.hash()))
            .filter(api_request::Column::CreatedAt.lt(key.not_before))
            .exec(txn)
            .await
            .map_err(contention)?;
        api_request::Entity::insert(api_request::ActiveModel {
            key_hash: Set(key.hash()),
            caller: Set(key.caller.to_string()),
            workflow_id: Set(workflow_id.to_owned()),
            created_at: Set(self.clock.now()),
            request_hash: Set(Some(key.request_hash.clone())),
        })
        .exec_without_returning(txn)
        .await
        .map_err(|error| match error.sql_err() {
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => {
                WorkflowError::Duplicate(String::new())
            }
            _ => contention(error),
        })?;
        Ok(())
    }
}
