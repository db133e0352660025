//! The text of definitions written for tests: the header they share, and the start and
//! finish activities most of them begin and end with.

/// The keys every test definition has, through `owner` on line 8 (line 1 is empty): a
/// test that names lines counts on it.
pub fn header(name: &str, path: &str, resource_type: &str) -> String {
    format!(
        r#"
name = {name:?}
path = {path:?}
operation = "assign"
subject_type = "user"
resource_type = {resource_type:?}
request_workflow_type = "approval"
owner = "admin"
"#
    )
}

/// The start activity, leading to `next`.
pub fn start(next: &str) -> String {
    format!("\n[[activity]]\nid = \"start\"\ntype = \"start\"\nnext = {next:?}\n")
}

/// The finish activity `end`.
pub const FINISH: &str = "\n[[activity]]\nid = \"end\"\ntype = \"finish\"\n";

/// `header`, then a start activity leading to `first`, `activities`, and the finish
/// activity `end`.
pub fn with_activities(header: &str, first: &str, activities: &str) -> String {
    format!("{header}{}{activities}{FINISH}", start(first))
}

/// The text of a definition `name` (at `Test/<name>`, for roles) with one approval
/// `decide` whose participants and extra keys (mode, quorum, timeout) a test chooses.
pub fn one_approval(name: &str, participants: &str, extra: &str) -> String {
    with_activities(
        &header(name, &format!("Test/{name}"), "role"),
        "decide",
        &format!(
            r#"
[[activity]]
id = "decide"
type = "approval"
participants = {participants}
{extra}
on_approve = "end"
on_reject = "end"
"#
        ),
    )
}
