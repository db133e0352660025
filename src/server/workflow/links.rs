//! Approve and reject links in notification mails. A link is a random 256-bit token,
//! stored only as its SHA-256 and bound to one item, one approver and one verdict; it
//! expires and works once. Opening it changes nothing (mail scanners open links): the
//! decision needs a confirmation click, which redeems the token.

use super::jobs::key_digest;
use super::{WorkflowError, Workflows};
use crate::server::entities::decision_link;
use assent_engine::runtime::model::{Instance, Verdict};
use assent_engine::UserName;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};

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
        for verdict in ["approve", "reject"] {
            let token = new_token();
            decision_link::ActiveModel {
                token_hash: Set(key_digest(&token)),
                instance_id: Set(instance_id.to_owned()),
                run_seq: Set(run as i32),
                username: Set(user.to_owned()),
                verdict: Set(verdict.to_owned()),
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

    /// The link a token stands for, if it still works.
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
        Ok(link)
    }

    /// Redeems a token and decides as its approver. The token is spent first, so two
    /// clicks decide at most once; a decision the engine refuses still spends it.
    pub async fn decide_by_link(
        &self,
        token: &str,
        reason: Option<String>,
    ) -> Result<(decision_link::Model, Instance), LinkError> {
        let link = self.decision_link(token).await?;
        let now = self.clock.now();
        let spent = decision_link::Entity::update_many()
            .col_expr(decision_link::Column::UsedAt, Expr::value(now))
            .filter(decision_link::Column::TokenHash.eq(&link.token_hash))
            .filter(decision_link::Column::UsedAt.is_null())
            .filter(decision_link::Column::ExpiresAt.gt(now))
            .exec(&self.db)
            .await
            .map_err(WorkflowError::from)?;
        if spent.rows_affected != 1 {
            return Err(LinkError::Used);
        }
        let user = UserName::parse(&link.username).map_err(|_| LinkError::Unknown)?;
        let verdict = if link.verdict == "approve" {
            Verdict::Approve
        } else {
            Verdict::Reject
        };
        let instance = self
            .decide(
                &user,
                &link.instance_id,
                link.run_seq as u32,
                verdict,
                reason,
                None,
            )
            .await?;
        Ok((link, instance))
    }
}
