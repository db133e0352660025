//! What the administrators' instance screens show and send: a search over workflows, one
//! workflow taken apart (its activities, data, jobs and audit trail), and the repairs an
//! administrator can make to it.

use serde::{Deserialize, Serialize};

/// Workflows per page of the search.
pub const INSTANCES_PAGE_SIZE: u64 = 50;
/// Workflows a search counts at most: past it, the page says "more than" and the search
/// wants narrowing (counting millions exactly would cost a scan each time).
pub const INSTANCES_COUNT_CAP: u64 = 10_000;

/// The state filter that finds running workflows with an activity waiting in error.
pub const STUCK: &str = "stuck";
/// The state filter that finds workflows with a work item past its due date.
pub const OVERDUE: &str = "overdue";
/// The state filter that finds workflows whose job (timer, mail, call) keeps failing.
pub const FAILING_JOBS: &str = "failing-jobs";

/// What the dashboard shows first: everything that needs an administrator, each figure
/// with the list behind it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attention {
    pub waiting_in_error: u64,
    pub failed: u64,
    pub suspended: u64,
    pub overdue_workflows: u64,
    pub failing_jobs: u64,
    pub parked_messages: u64,
    pub stopped_sources: u64,
    pub engines_down: u64,
    /// Workflows by state: every running, suspended and failed one; those that succeeded
    /// or were aborted in the last [`TREND_DAYS`] days.
    pub by_state: Vec<(String, u64)>,
    /// Running workflows by definition path, most first.
    pub running_by_definition: Vec<(String, u64)>,
    /// Approvers with work items overdue or due within [`DUE_SOON_HOURS`], most overdue
    /// first.
    pub approvers: Vec<ApproverLoad>,
    /// New requests and decisions per day, the last [`TREND_DAYS`] days (UTC), oldest
    /// first, today last.
    pub days: Vec<DayCount>,
    /// How long people took to decide in the last [`TREND_DAYS`] days, per definition and
    /// step, by definition path and most decisions first.
    pub decision_times: Vec<StepTimes>,
}

/// How long people took to decide on one step of one definition (all its versions): from
/// being asked to deciding, in seconds, each percentile within a fifth of the true time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepTimes {
    pub definition: String,
    pub step: String,
    pub decisions: u64,
    pub median: u64,
    pub p90: u64,
    pub p99: u64,
}

/// Work items due within this many hours count as due soon.
pub const DUE_SOON_HOURS: i64 = 48;
/// Days the dashboard's chart looks back.
pub const TREND_DAYS: usize = 28;

/// One approver's open work items that are late or nearly so.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApproverLoad {
    pub username: String,
    pub overdue: u64,
    pub due_soon: u64,
}

/// One day of the chart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayCount {
    /// YYYY-MM-DD (UTC).
    pub day: String,
    pub requests: u64,
    pub decisions: u64,
}

/// Which workflows an administrator looks for; `None` (or blank) leaves a part open.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstanceQuery {
    /// A workflow state (`RUNNING`, `FAILED`, ...) or [`STUCK`].
    pub state: Option<String>,
    /// The definition's path, any version.
    pub definition: Option<String>,
    /// Who started it (user name).
    pub initiator: Option<String>,
    /// Whom it is about (user name).
    pub subject: Option<String>,
    /// 1 is the newest page.
    pub page: Option<u64>,
}

impl InstanceQuery {
    /// The search as the address's query string, on page `page`: the paging links.
    pub fn query_string(&self, page: u64) -> String {
        let page = page.to_string();
        super::query::query_string([
            ("state", self.state.as_deref()),
            ("definition", self.definition.as_deref()),
            ("initiator", self.initiator.as_deref()),
            ("subject", self.subject.as_deref()),
            ("page", Some(page.as_str())),
        ])
    }
}

/// A page of the search, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstancePage {
    pub lines: Vec<InstanceLine>,
    /// How many matched, up to [`INSTANCES_COUNT_CAP`].
    pub total: u64,
    /// More matched than [`INSTANCES_COUNT_CAP`].
    pub more: bool,
    pub page: u64,
    pub pages: u64,
    /// The deployed definitions' paths, for the filter's choice.
    pub definitions: Vec<String>,
}

/// One workflow in the search's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstanceLine {
    pub id: String,
    pub definition: String,
    pub title: String,
    pub state: String,
    pub waits_in_error: bool,
    pub initiator: String,
    pub subject: Option<String>,
    pub created: String,
    pub updated: String,
}

/// One workflow taken apart for an administrator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inspection {
    pub id: String,
    /// The version the page was read at: a repair names it, so that it is refused if the
    /// workflow changed meanwhile.
    pub version: u64,
    pub definition: String,
    pub definition_version: i32,
    pub title: String,
    pub state: String,
    pub application_state: Option<String>,
    pub initiator: String,
    pub subject: Option<String>,
    pub created: String,
    pub updated: String,
    pub ended: Option<String>,
    pub runs: Vec<RunLine>,
    /// The flowdata: each attribute's path and its values.
    pub flowdata: Vec<(String, Vec<String>)>,
    pub jobs: Vec<JobLine>,
    pub audit: Vec<AuditLine>,
    /// The definition's graph with where the workflow has been and is.
    pub graph: super::graph::Graph,
    pub may_suspend: bool,
    pub may_resume: bool,
    pub may_abort: bool,
}

/// One activity run of the workflow, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunLine {
    pub seq: u32,
    pub activity: String,
    /// The activity's title for people.
    pub title: String,
    pub kind: String,
    pub state: String,
    pub started: String,
    pub ended: Option<String>,
    /// Who is asked now (approvals only).
    pub participants: Vec<String>,
    pub due: Option<String>,
    /// Why it failed or waits.
    pub error: Option<String>,
    /// Waits in error: it can be started again.
    pub restartable: bool,
    /// A running approval: whoever is asked can be replaced.
    pub reassignable: bool,
    /// A running approval with a timeout: its due time can be moved.
    pub due_movable: bool,
}

/// Work the workflow left for the job runner (timers, mail, calls, hand-offs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobLine {
    pub kind: String,
    pub run: Option<i32>,
    pub due: String,
    pub attempts: i32,
    pub done: bool,
    pub last_error: Option<String>,
}

/// One audit entry about the workflow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditLine {
    pub occurred_at: String,
    pub actor: Option<String>,
    pub action: String,
    pub detail: String,
}

/// What an administrator does to a workflow to get it moving (or stop it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Repair {
    Suspend,
    Resume,
    Abort,
    /// Starts the activity run `run`, which waits in error, again.
    Restart {
        run: u32,
    },
    /// Asks `users` in place of whoever the running approval `run` asks now; they are
    /// told as any new participant is.
    Reassign {
        run: u32,
        users: Vec<String>,
    },
    /// Moves the due time of the running approval `run` to `due` (`YYYY-MM-DDTHH:MM`,
    /// UTC, as a browser's date-and-time field sends it).
    Due {
        run: u32,
        due: String,
    },
}

impl Repair {
    /// Reads the form's words: `repair` is suspend, resume, abort, restart, reassign or
    /// due; `run`, `users` (separated by commas or spaces) and `due` as the repair needs
    /// them.
    pub fn from_form(
        repair: &str,
        run: Option<u32>,
        users: Option<&str>,
        due: Option<&str>,
    ) -> Result<Repair, &'static str> {
        let run_needed = || run.ok_or("Choose the activity to repair.");
        Ok(match repair {
            "suspend" => Repair::Suspend,
            "resume" => Repair::Resume,
            "abort" => Repair::Abort,
            "restart" => Repair::Restart { run: run_needed()? },
            "reassign" => {
                let users: Vec<String> = users
                    .unwrap_or_default()
                    .split(|c: char| c == ',' || c.is_whitespace())
                    .filter(|name| !name.is_empty())
                    .map(str::to_owned)
                    .collect();
                if users.is_empty() {
                    return Err("Name at least one person to ask instead.");
                }
                Repair::Reassign {
                    run: run_needed()?,
                    users,
                }
            }
            "due" => {
                let due = due.map(str::trim).unwrap_or_default();
                if due.is_empty() {
                    return Err("Give the new due time.");
                }
                Repair::Due {
                    run: run_needed()?,
                    due: due.to_owned(),
                }
            }
            _ => return Err("Unknown repair."),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::Repair;

    #[test]
    fn the_paging_links_keep_the_search() {
        let query = super::InstanceQuery {
            state: Some("stuck".into()),
            initiator: Some(" ".into()),
            definition: Some("My-Company/Approval".into()),
            ..Default::default()
        };
        assert_eq!(
            query.query_string(3),
            "state=stuck&definition=My-Company%2FApproval&page=3"
        );
    }

    #[test]
    fn the_form_is_read_into_a_repair_or_refused() {
        assert_eq!(
            Repair::from_form("suspend", None, None, None),
            Ok(Repair::Suspend)
        );
        assert_eq!(
            Repair::from_form("restart", Some(3), None, None),
            Ok(Repair::Restart { run: 3 })
        );
        assert_eq!(
            Repair::from_form("reassign", Some(2), Some("carol, dave  erin"), None),
            Ok(Repair::Reassign {
                run: 2,
                users: vec!["carol".into(), "dave".into(), "erin".into()]
            })
        );
        assert_eq!(
            Repair::from_form("due", Some(4), None, Some(" 2027-01-05T09:30 ")),
            Ok(Repair::Due {
                run: 4,
                due: "2027-01-05T09:30".into()
            })
        );
        assert!(Repair::from_form("restart", None, None, None).is_err());
        assert!(Repair::from_form("reassign", Some(2), Some(" , "), None).is_err());
        assert!(Repair::from_form("due", Some(2), None, Some("")).is_err());
        assert!(Repair::from_form("delete", None, None, None).is_err());
    }
}
