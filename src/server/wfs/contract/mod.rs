//! The contract's shared JSON types: the common parameters, orders, filters, result
//! constraints and the workflow instance as answers show it. Each type is what the
//! handlers deserialize or serialize and, through schemars, what the OpenAPI document
//! says: one definition, so the two cannot disagree.
//!
//! - [`types`] holds the values requests and answers carry (orders, moments, state
//!   names);
//! - [`filters`] holds what list requests select and sort by;
//! - [`views`] holds workflow instances and their activities as answers show them.

mod filters;
mod types;
mod views;

pub use filters::*;
pub use types::*;
pub use views::*;

use super::FaultCode;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A workflow ID as the portal makes them (and nothing else can be one).
pub const WORKFLOW_ID_PATTERN: &str = "^[A-Za-z0-9_-]{1,64}$";
/// A user name, as the directory has them.
pub const USER_NAME_PATTERN: &str = "^[A-Za-z0-9._-]{1,64}$";

/// Longest string accepted in a name, id or filter value.
pub const MAX_TEXT: usize = 256;
/// Longest reason or description accepted.
pub const MAX_REASON: usize = 2000;
/// Values one attribute (of the context or of an order) may carry.
pub const MAX_ATTRIBUTE_VALUES: usize = 100;

/// Longest wait (`timeout`) a request may ask for, in milliseconds: under the 30 s after
/// which the server ends any request.
pub const MAX_TIMEOUT_MS: u64 = 25_000;
/// Wait when a request asks to wait but names no `timeout`, in milliseconds.
pub const DEFAULT_TIMEOUT_MS: u64 = 10_000;
/// Default and largest `resultConstraints.range.itemTo`.
pub const DEFAULT_ITEM_TO: u32 = 100;
pub const MAX_ITEM_TO: u32 = 1000;

/// Faults of the operations that change one activity of a workflow (resume,
/// modifyInstance, updateCertification) besides the common ones: the workflow or the
/// activity may be missing or in another state, and a concurrent change conflicts.
pub const ACTIVITY_CHANGE_FAULTS: &[FaultCode] = &[
    FaultCode::AccessDenied,
    FaultCode::WorkflowNotFound,
    FaultCode::ActivityNotFound,
    FaultCode::InvalidState,
    FaultCode::Conflict,
];

/// Faults of the operations that send a workflow one lifecycle event (suspend, abort)
/// besides the common ones: the workflow may be missing or in a state the event does not
/// apply to, and a concurrent change conflicts.
pub const WORKFLOW_EVENT_FAULTS: &[FaultCode] = &[
    FaultCode::AccessDenied,
    FaultCode::WorkflowNotFound,
    FaultCode::InvalidState,
    FaultCode::Conflict,
];

/// Faults of the operations that may name another participant than the caller
/// (getWorklist, bulkApproval) besides the common ones: doing so needs a right.
pub const OTHER_PARTICIPANT_FAULTS: &[FaultCode] = &[FaultCode::AccessDenied];

/// Faults of the list operations (listDefinitions, listInstances) besides the common
/// ones: none, as a list leaves out what the caller may not see instead of refusing.
pub const LIST_FAULTS: &[FaultCode] = &[];

/// Declares an operation's request type: the contract's common parameters followed by the
/// operation's own, every unknown field refused.
macro_rules! wfs_request {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $(
                $(#[$field_meta:meta])*
                pub $field:ident : $type:ty,
            )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
        #[serde(rename_all = "camelCase", deny_unknown_fields)]
        pub struct $name {
            /// Echoed in the response and in a fault.
            // The handler reads requestID, domain and language before this parsing.
            #[allow(dead_code)]
            #[serde(rename = "requestID", default)]
            #[schemars(length(max = 256))]
            pub request_id: Option<String>,
            /// If present, must be the portal's domain name.
            #[allow(dead_code)]
            #[serde(default)]
            #[schemars(length(max = 256))]
            pub domain: Option<String>,
            /// Language of titles, descriptions and messages (`en`, `de`); default `en`.
            #[allow(dead_code)]
            #[serde(default)]
            #[schemars(length(max = 35))]
            pub language: Option<String>,
            /// How much of each workflow instance the response carries.
            #[serde(default)]
            pub return_data: $crate::server::wfs::contract::ReturnData,
            /// Milliseconds to wait where the operation waits (at most 25000; the server ends
            /// every request after 30 s).
            #[serde(default)]
            #[schemars(range(max = 25000))]
            pub timeout: Option<u64>,
            $(
                $(#[$field_meta])*
                pub $field: $type,
            )*
        }

        impl $crate::server::wfs::contract::CommonParameters for $name {
            fn return_data(&self) -> $crate::server::wfs::contract::ReturnData {
                self.return_data
            }
            fn timeout(&self) -> Option<u64> {
                self.timeout
            }
        }
    };
}
pub(crate) use wfs_request;

/// What every request carries besides its own fields.
pub trait CommonParameters {
    fn return_data(&self) -> ReturnData;
    fn timeout(&self) -> Option<u64>;

    /// The wait asked for, bounded; `DEFAULT_TIMEOUT_MS` when none is named.
    fn wait(&self) -> std::time::Duration {
        std::time::Duration::from_millis(
            self.timeout()
                .unwrap_or(DEFAULT_TIMEOUT_MS)
                .min(MAX_TIMEOUT_MS),
        )
    }
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum ReturnData {
    /// Only the workflow's identifier.
    #[default]
    Identifier,
    /// The workflow with the activities matching the activity filter.
    MatchingActivities,
    /// The workflow with all its activities.
    Everything,
    /// Nothing but the request id.
    Nothing,
}
