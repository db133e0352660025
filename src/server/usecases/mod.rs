//! The application layer: one function per use case (decide one, decide many, a
//! worklist page, who may read a workflow, ...), called by both adapters, the portal's
//! server functions (`server::pages`) and the Workflow Management Service
//! (`server::wfs`). Rights, limits and concurrency are decided here once; the adapters
//! parse their input into the types used here and map the typed errors to their own
//! answer in one place each.

pub mod audit;
pub mod changes;
pub mod decisions;
pub mod definitions;
pub mod graph;
pub mod instances;
pub mod operations;
pub mod provisioning;
pub mod reading;
pub mod users;
pub mod worklist;

/// How the use cases write a time to the minute (UTC) for the screens.
pub(crate) const MINUTES: &str = "%Y-%m-%d %H:%M";
