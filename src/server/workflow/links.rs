//! Approve and reject links in notification mails. A link is a random 256-bit token,
//! stored only as its SHA-256 and bound to one item, one approver and one verdict; it
//! expires and works once. Opening it changes nothing (mail scanners open links): the
//! decision needs a confirmation click, which redeems the token in the decision's own
//! transaction. A reminder's new links replace the old ones; a link stops working when
//! its approver is disabled or no longer asked.

use super::decisions::DecisionCommand;
use super::jobs::key_digest;
use super::{WorkflowError, Workflows};
use crate::server::entities::{decision_link, user};
use assent_engine::runtime::model::{Instance, Verdict};
use assent_engine::UserName;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter,
    Set,
};

/// How long a mailed link works.
pub const LINK_DAYS: i64 = 7;

#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error("This link is not valid.")]
    Unknown,
    #[error("This link has expired. Decide from your worklist instead.")]
    Expired,
    #[error("This link was already used.")]
    Used,
    /// A newer mail (a reminder) carries the links that count now, or the item was
    /// given to someone else.
    #[error("This link has been replaced: use the newest mail, or your worklist.")]
    Superseded,
    #[error(transparent)]
    Workflow(#[from] WorkflowError),
}

fn new_token() -> String {
    format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

impl Workflows {
    /// Issues an approve and a reject token for `user` on run `run`.
    pub(crate) async fn issue_decision_links(
        &self,
        instance_id: &str,
        run: u32,
        user: &str,
    ) -> Result<(String, String), WorkflowError> {
        let expires_at = self.clock.now() + chrono::Duration::days(LINK_DAYS);
        let mut tokens = Vec::with_capacity(2);
        for verdict in [Verdict::Approve, Verdict::Reject] {
            let token = new_token();
            decision_link::ActiveModel {
                token_hash: Set(key_digest(&token)),
                instance_id: Set(instance_id.to_owned()),
                run_seq: Set(run as i32),
                username: Set(user.to_owned()),
                verdict: Set(verdict.as_str().to_owned()),
                expires_at: Set(expires_at),
                used_at: Set(None),
            }
            .insert(&self.db)
            .await?;
            tokens.push(token);
        }
        let reject = tokens.pop().unwrap_or_default();
        let approve = tokens.pop().unwrap_or_default();
        Ok((approve, reject))
    }

    /// The link a token stands for, if it still works: not used, not expired, its
    /// approver still an active account and still asked on the item, and no newer link
    /// (a reminder's) issued for the same item, approver and verdict.
    pub async fn decision_link(&self, token: &str) -> Result<decision_link::Model, LinkError> {
        let token = token.trim();
        if token.is_empty() || token.len() > 128 {
            return Err(LinkError::Unknown);
        }
        let link = decision_link::Entity::find_by_id(key_digest(token))
            .one(&self.db)
            .await
            .map_err(WorkflowError::from)?
            .ok_or(LinkError::Unknown)?;
        if link.used_at.is_some() {
            return Err(LinkError::Used);
        }
        if link.expires_at <= self.clock.now() {
            return Err(LinkError::Expired);
        }
        // A disabled account's links die with it, and say no more than an unknown one.
        let active = user::Entity::find()
            .filter(user::Column::Username.eq(&link.username))
            .one(&self.db)
            .await
            .map_err(WorkflowError::from)?
            .is_some_and(|account| !account.disabled);
        if !active {
            return Err(LinkError::Unknown);
        }
        let newer = decision_link::Entity::find()
            .filter(decision_link::Column::InstanceId.eq(&link.instance_id))
            .filter(decision_link::Column::RunSeq.eq(link.run_seq))
            .filter(decision_link::Column::Username.eq(&link.username))
            .filter(decision_link::Column::Verdict.eq(&link.verdict))
            .filter(decision_link::Column::ExpiresAt.gt(link.expires_at))
            .count(&self.db)
            .await
            .map_err(WorkflowError::from)?;
        if newer > 0 {
            return Err(LinkError::Superseded);
        }
        let instance = self.instance(&link.instance_id).await?;
        let still_asked = instance
            .run(link.run_seq as u32)
            .and_then(|run| run.approval.as_ref())
            .is_some_and(|approval| {
                approval
                    .participants
                    .iter()
                    .any(|p| p.active && p.user.as_str() == link.username)
            });
        if !still_asked {
            return Err(LinkError::Superseded);
        }
        Ok(link)
    }

    /// Redeems a token and decides as its approver. The token is spent in the decision's
    /// own transaction: two clicks decide at most once, and a decision that does not
    /// commit (a conflict, a busy database, a refusal) leaves the link usable.
    pub async fn decide_by_link(
        &self,
        token: &str,
        reason: Option<String>,
    ) -> Result<(decision_link::Model, Instance), LinkError> {
        let link = self.decision_link(token).await?;
        let user = UserName::parse(&link.username).map_err(|_| LinkError::Unknown)?;
        let verdict: Verdict = link.verdict.parse().map_err(|_| LinkError::Unknown)?;
        let mut command = DecisionCommand {
            instance_id: &link.instance_id,
            run: link.run_seq as u32,
            participant: &user,
            verdict,
            reason,
        }
        .by_participant(" by a mailed link");
        command.spends_link = Some(link.token_hash.clone());
        let step = self
            .submit_event(command)
            .await
            .map_err(|error| match error {
                WorkflowError::LinkUsed => LinkError::Used,
                other => LinkError::Workflow(other),
            })?;
        Ok((link, step.instance))
    }

    /// Spends a link inside the transaction of the decision it carries; refused when it
    /// was spent (or expired) meanwhile.
    pub(crate) async fn spend_link(
        &self,
        txn: &DatabaseTransaction,
        token_hash: &str,
    ) -> Result<(), WorkflowError> {
        let now = self.clock.now();
        let spent = decision_link::Entity::update_many()
            .col_expr(decision_link::Column::UsedAt, Expr::value(now))
            .filter(decision_link::Column::TokenHash.eq(token_hash))
            .filter(decision_link::Column::UsedAt.is_null())
            .filter(decision_link::Column::ExpiresAt.gt(now))
            .exec(txn)
            .await
            .map_err(super::instances::contention)?;
        if spent.rows_affected == 1 {
            Ok(())
        } else {
            Err(WorkflowError::LinkUsed)
        }
    }
}
