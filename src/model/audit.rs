//! What the administrators' audit trail screen asks and shows: entries by actor, kind,
//! target and time, newest first, a page at a time (by entry number, so that a page deep
//! in a long trail costs no more than the first), and the same search as a CSV file.

use serde::{Deserialize, Serialize};

/// Entries per page of the search.
pub const AUDIT_PAGE_SIZE: u64 = 100;

/// Which entries an administrator looks for; blank parts are left open.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditQuery {
    /// Who acted (user name).
    pub actor: Option<String>,
    /// The kind: an action (`workflow.suspended`) or the start of one (`workflow.`).
    pub kind: Option<String>,
    /// The workflow it is about (its ID).
    pub target: Option<String>,
    /// Words of the detail (read entry by entry: the slow part of a search).
    pub words: Option<String>,
    /// From this day on (YYYY-MM-DD, UTC).
    pub from: Option<String>,
    /// Up to and with this day (YYYY-MM-DD, UTC).
    pub to: Option<String>,
    /// Entries older than this entry number (the next page).
    pub before: Option<i64>,
}

impl AuditQuery {
    /// The query as the address's query string (without `before`), for links: the CSV
    /// export and the next page.
    pub fn query_string(&self) -> String {
        super::query::query_string([
            ("actor", self.actor.as_deref()),
            ("kind", self.kind.as_deref()),
            ("target", self.target.as_deref()),
            ("words", self.words.as_deref()),
            ("from", self.from.as_deref()),
            ("to", self.to.as_deref()),
        ])
    }
}

/// A page of entries, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    pub entries: Vec<AuditEntryLine>,
    /// The `before` of the next page, when there are older entries.
    pub older: Option<i64>,
}

/// One entry of the trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntryLine {
    pub id: i64,
    pub occurred_at: String,
    pub actor: Option<String>,
    pub action: String,
    pub detail: String,
    pub workflow_id: Option<String>,
    pub request_id: Option<String>,
}

/// A cell of a CSV file, quoted where needed (RFC 4180) and made safe to open in a
/// spreadsheet: text starting like a formula (`=`, `+`, `-`, `@`, tab, carriage return)
/// gets a leading `'`, so it stays text (OWASP's advice on CSV injection).
pub fn csv_cell(text: &str) -> String {
    let guarded = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_are_quoted_and_never_formulas() {
        assert_eq!(csv_cell("plain"), "plain");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_cell("+1"), "'+1");
        assert_eq!(csv_cell("-2"), "'-2");
        assert_eq!(csv_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_cell("line\nbreak"), "\"line\nbreak\"");
    }

    #[test]
    fn the_query_string_holds_the_filled_parts_encoded() {
        let query = AuditQuery {
            actor: Some("admin".into()),
            kind: Some(" ".into()),
            target: Some("a b&c".into()),
            before: Some(7),
            ..AuditQuery::default()
        };
        assert_eq!(query.query_string(), "actor=admin&target=a%20b%26c");
    }
}
