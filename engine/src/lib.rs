//! Assent's workflow engine: a pure core.
//!
//! Nothing in this crate performs I/O, reads a clock or depends on the web or database
//! layers; callers hand it everything it needs. That keeps its tests fast and lets the
//! same code run inside the server, in benchmarks and in property tests.

#[cfg(feature = "definitions")]
mod calendar;
#[cfg(feature = "definitions")]
pub mod changes;
#[cfg(feature = "definitions")]
pub mod definition;
pub mod expression;
pub mod flowdata;
#[cfg(feature = "definitions")]
pub mod form;
pub mod identity;
#[cfg(feature = "definitions")]
pub mod provisioning;
#[cfg(feature = "definitions")]
pub mod runtime;
pub mod state;

pub use identity::{Role, RoleSet, UserName, UserNameError};
pub use state::{ActivityState, ApplicationState, Verdict, WorkflowState};
