//! `rest` activities: the call is computed from flowdata (path placeholders encoded as
//! segments, a JSON body), the answer is mapped through `response`, anything that cannot
//! be computed waits in error before a call is made, and definitions are checked at deploy.

mod support;

use assent_engine::definition::{parse, ActivityKind};
use assent_engine::flowdata::Value;
use assent_engine::runtime::{Effect, Event};
use assent_engine::{ActivityState, WorkflowState};
use std::collections::BTreeMap;
use support::definitions::{header, with_activities};
use support::*;

/// A definition whose only activity `call` is a rest activity with the keys `keys`.
fn calling(keys: &str) -> String {
    with_activities(
        &header("Rest", "Test/Rest", "role"),
        "call",
        &format!("\n[[activity]]\nid = \"call\"\ntype = \"rest\"\n{keys}\nnext = \"end\"\n"),
    )
}

/// alice asks for `resource` for `subject` through `calling(keys)`.
fn started(keys: &str, subject: &str, resource: &str) -> Run {
    Run::start(definition(&calling(keys)), "alice", subject, resource)
}

/// The one REST call the last step asked for.
fn the_call(run: &Run) -> (String, String, String, Option<BTreeMap<String, Vec<Value>>>) {
    let calls: Vec<_> = run
        .last
        .as_ref()
        .unwrap()
        .effects
        .iter()
        .filter_map(|e| match e {
            Effect::CallRest {
                endpoint,
                method,
                path,
                body,
                ..
            } => Some((endpoint.clone(), method.clone(), path.clone(), body.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(calls.len(), 1, "{calls:?}");
    calls.into_iter().next().unwrap()
}

#[test]
fn the_call_is_computed_from_flowdata() {
    let run = started(
        r#"endpoint = "hr"
method = "put"
path = "/employees/{subject.id}/roles/{resource.id}?notify=true"
body = { role = "resource.id", items = "['VPN', 'CRM']", nobody = "flowdata.request.nobody", count = "size(flowdata.request.justification)" }"#,
        "alice",
        "Finance/Analyst #2",
    );
    let (endpoint, method, path, body) = the_call(&run);
    assert_eq!(endpoint, "hr");
    assert_eq!(method, "PUT");
    assert_eq!(
        path, "/employees/alice/roles/Finance%2FAnalyst%20%232?notify=true",
        "each value stays in its segment"
    );
    let body = body.expect("a body");
    assert_eq!(body["role"], vec![Value::text("Finance/Analyst #2")]);
    assert_eq!(body["items"], vec![Value::text("VPN"), Value::text("CRM")]);
    assert_eq!(body["nobody"], Vec::<Value>::new());
    assert_eq!(body["count"], vec![Value::Int(1)]);
    assert_eq!(run.instance.runs[run.running("call") as usize].error, None);

    let run = started(r#"endpoint = "hr""#, "alice", "X");
    assert_eq!(
        the_call(&run),
        ("hr".into(), "GET".into(), String::new(), None),
        "no path: the base URL; no body key: no body"
    );
}

#[test]
fn the_answer_is_mapped_through_response() {
    let mut run = started(
        r#"endpoint = "hr"
method = "post"
path = "/employees"
body = { name = "subject.id" }
assign = [
  { target = "context/employeeId", expression = "response.body.employeeId" },
  { target = "context/created", expression = "response.status[0] == 201" },
  { target = "context/firstRole", expression = "response.body.roles['0'].name" },
]"#,
        "alice",
        "X",
    );
    let call = run.running("call");
    let answer = BTreeMap::from([
        ("status".to_owned(), vec![Value::Int(201)]),
        ("body/employeeId".to_owned(), vec![Value::text("E-42")]),
        ("body/roles/0/name".to_owned(), vec![Value::text("Analyst")]),
        (
            "calls".to_owned(),
            vec![Value::text("POST hr /employees → 201 Created in 12 ms")],
        ),
    ]);
    run.send(Event::EffectSucceeded {
        run: call,
        result: answer.clone(),
    })
    .unwrap();
    assert_eq!(flow(&run, "context/employeeId"), vec![Value::text("E-42")]);
    assert_eq!(flow(&run, "context/created"), vec![Value::Bool(true)]);
    assert_eq!(
        flow(&run, "context/firstRole"),
        vec![Value::text("Analyst")]
    );
    assert_eq!(
        flow(&run, "call/response/body/employeeId"),
        vec![Value::text("E-42")],
        "the whole answer is kept in flowdata too"
    );
    let finished = &run.instance.runs[call as usize];
    assert_eq!(finished.state, ActivityState::Succeeded);
    assert_eq!(finished.result, answer, "and on the run, for the timeline");
    assert_eq!(run.instance.state, WorkflowState::Succeeded);
}

#[test]
fn what_cannot_be_computed_waits_in_error_before_any_call() {
    for (keys, expected) in [
        (
            r#"path = "/employees/{flowdata.request.missing}""#,
            "path {flowdata.request.missing}: gives 0 values",
        ),
        (
            r#"path = "/employees/{['a', 'b']}""#,
            "gives 2 values, and a path segment takes one",
        ),
        (
            r#"path = "/employees/{'..'}""#,
            "\"..\" cannot be a path segment",
        ),
        (
            "method = \"post\"\nbody = { n = \"flowdata.request.justification[3]\" }",
            "body n = flowdata.request.justification[3]: index 3 is out of range",
        ),
    ] {
        let run = started(&format!("endpoint = \"hr\"\n{keys}"), "alice", "X");
        let step = run.last.as_ref().unwrap();
        assert!(
            !step
                .effects
                .iter()
                .any(|e| matches!(e, Effect::CallRest { .. })),
            "{keys}: nothing is sent"
        );
        let failed = run.runs_of("call").next().unwrap();
        assert_eq!(failed.state, ActivityState::WaitInError, "{keys}");
        let error = failed.error.as_deref().unwrap();
        assert!(error.contains(expected), "{keys}: {error}");
    }
}

#[test]
fn a_mapping_that_cannot_read_the_answer_waits_in_error() {
    let mut run = started(
        r#"endpoint = "hr"
assign = [{ target = "context/id", expression = "response.body.items[0]" }]"#,
        "alice",
        "X",
    );
    let call = run.running("call");
    run.send(Event::EffectSucceeded {
        run: call,
        result: BTreeMap::from([("status".to_owned(), vec![Value::Int(200)])]),
    })
    .unwrap();
    let failed = &run.instance.runs[call as usize];
    assert_eq!(failed.state, ActivityState::WaitInError);
    assert!(
        failed
            .error
            .as_deref()
            .unwrap()
            .contains("context/id = response.body.items[0]"),
        "{:?}",
        failed.error
    );
}

#[test]
fn rest_activities_are_checked_at_deploy() {
    let parsed = parse(
        "rest.toml",
        &calling(
            r#"endpoint = "hr"
method = "delete"
path = "/employees/{subject.id}"
assign = [{ target = "context/status", expression = "response.status" }]"#,
        ),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let ActivityKind::Rest {
        endpoint,
        method,
        path,
        body,
        ..
    } = &parsed.activities[1].kind
    else {
        panic!("the second activity is the call");
    };
    assert_eq!(
        (endpoint.as_str(), method.as_str(), path.as_str()),
        ("hr", "DELETE", "/employees/{subject.id}")
    );
    assert_eq!(body, &None);

    for (keys, expected) in [
        ("method = \"get\"", "rest activity call needs endpoint"),
        ("endpoint = \" \"", "endpoint must name an endpoint"),
        (
            "endpoint = \"hr\"\nurl = \"https://hr.example/api\"",
            "unknown field `url`",
        ),
        (
            "endpoint = \"hr\"\nmethod = \"head\"",
            "unsupported method HEAD",
        ),
        (
            "endpoint = \"hr\"\nbody = { a = \"1\" }",
            "a GET sends no body",
        ),
        (
            "endpoint = \"hr\"\npath = \"employees\"",
            "must start with '/' or '?'",
        ),
        (
            "endpoint = \"hr\"\npath = \"/e/{subject.id\"",
            "without its '}'",
        ),
        (
            "endpoint = \"hr\"\npath = \"/e/{subjekt.id}\"",
            "unknown variable \"subjekt\"",
        ),
        (
            "endpoint = \"hr\"\nmethod = \"post\"\nbody = { a = \"response.status\" }",
            "unknown variable \"response\"",
        ),
        (
            "endpoint = \"hr\"\nassign = [{ target = \"a b\", expression = \"response.status\" }]",
            "flowdata path \"a b\"",
        ),
    ] {
        let errors = parse("rest.toml", &calling(keys))
            .err()
            .unwrap_or_else(|| panic!("{keys} was accepted"))
            .to_string();
        assert!(errors.contains(expected), "{keys}: {errors}");
    }

    // Only a rest activity's mapping has an answer to read.
    let mapping = with_activities(
        &header("Map", "Test/Map", "role"),
        "map",
        "\n[[activity]]\nid = \"map\"\ntype = \"mapping\"\nassign = [{ target = \"a\", expression = \"response.status\" }]\nnext = \"end\"\n",
    );
    let errors = parse("map.toml", &mapping).unwrap_err().to_string();
    assert!(errors.contains("unknown variable \"response\""), "{errors}");
}
