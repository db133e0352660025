//! Types both halves share: the pages (browser and server) and the server's use cases.
//! Nothing here reaches into `app` or `server`: both depend on this module, never the
//! other way round.

pub mod audit;
pub mod bulk;
pub mod changes;
pub mod definitions;
pub mod error;
pub mod graph;
pub mod ids;
pub mod instances;
pub mod provisioning;
pub mod query;
pub mod replay;
pub mod session;
pub mod users;

pub use bulk::{BulkErrorCode, BulkMark};
#[cfg(feature = "ssr")]
pub use error::plain_form_post;
pub use error::AppError;
pub use ids::{WorkItemRef, WorkflowId};
pub use session::SessionUser;
