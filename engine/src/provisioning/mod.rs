//! Provisioning to target systems ("resources"): what each resource is, what a person's
//! account there should hold, and the one operation that brings the account from what
//! was last asked (the attribute cache) to that.
//!
//! Pure like the rest of the engine: the caller hands in the directory entry, the
//! holdings and the cached attributes, and sends the operation on its own outbox.

mod plan;
mod resource;

pub use plan::{plan, AccountHolder, AttributeChange, Attributes, Holding, Operation};
pub use resource::{
    parse_resource, AccountTemplate, Grant, ItemKind, Resource, ResourceKey, Transport, UserField,
};
