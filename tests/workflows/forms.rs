//! Submitted forms: checked before anything starts, and stored as cleaned.

use crate::common::{self, Backend};
use crate::on_both_databases;
use crate::support::*;
use assent::server::workflow::WorkflowError;
use assent_engine::flowdata::Value;

on_both_databases!(submitted_forms_are_checked_before_anything_starts,);

async fn submitted_forms_are_checked_before_anything_starts(backend: Backend) {
    use assent::server::workflow::SubmitRequest;
    let f = fixture(backend).await;
    let base = request(FOUR_EYE, "alice", "alice", "Finance Analyst");
    let submit = |form: &[(&str, &str)]| SubmitRequest {
        definition_path: base.definition_path.clone(),
        initiator: base.initiator.clone(),
        subject: base.subject.clone(),
        resources: base.resources.clone(),
        form: form
            .iter()
            .map(|(k, v)| (k.to_string(), vec![v.to_string()]))
            .collect(),
    };
    let before = count(&f.db, "SELECT COUNT(*) AS n FROM workflow_instances").await;
    match f
        .workflows
        .submit(submit(&[("valid_until", "2026-02-30")]))
        .await
    {
        Err(WorkflowError::InvalidForm(errors)) => {
            let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
            assert_eq!(fields, vec!["justification", "valid_until"], "{errors:?}");
        }
        other => panic!("accepted a bad form: {other:?}"),
    }
    assert_eq!(
        count(&f.db, "SELECT COUNT(*) AS n FROM workflow_instances").await,
        before,
        "nothing started"
    );
    let started = f
        .workflows
        .submit(submit(&[
            ("justification", " new job "),
            ("valid_until", "2027-01-31"),
        ]))
        .await
        .unwrap();
    let path = assent_engine::flowdata::FlowPath::parse("request/justification").unwrap();
    assert_eq!(started.flowdata.get(&path), &[Value::text("new job")]);
}
