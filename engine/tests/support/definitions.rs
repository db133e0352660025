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
