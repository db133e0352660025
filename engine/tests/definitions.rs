//! Definition files: the shipped examples load, and every kind of mistake is refused with
//! its file, line and problem.

use assent_engine::definition::{parse, ActivityKind, ApprovalMode, Participants};
use std::path::Path;

fn shipped() -> Vec<(String, String)> {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("../definitions");
    let mut files: Vec<_> = std::fs::read_dir(&folder)
        .expect("definitions folder")
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "toml"))
        .map(|path| {
            (
                path.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&path).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

#[test]
fn every_shipped_definition_is_valid() {
    let files = shipped();
    assert!(files.len() >= 4, "found {}", files.len());
    for (name, source) in files {
        let definition = parse(&name, &source).unwrap_or_else(|errors| panic!("{errors}"));
        assert!(definition.path.starts_with("My-Company/"), "{name}");
        assert_eq!(definition.start().type_name(), "start");
        assert!(
            !definition.title.get("de").is_empty(),
            "{name} has a German title"
        );
    }
}

#[test]
fn the_quorum_example_asks_three_and_needs_two() {
    let (_, source) = shipped()
        .into_iter()
        .find(|(name, _)| name == "parallel-quorum.toml")
        .unwrap();
    let definition = parse("parallel-quorum.toml", &source).unwrap();
    let ActivityKind::Approval(approval) = &definition.activities[1].kind else {
        panic!("second activity is the approval");
    };
    assert_eq!(approval.mode, ApprovalMode::Quorum { required: 2 });
    let Participants::Users(users) = &approval.participants else {
        panic!("named users");
    };
    assert_eq!(users.len(), 3);
}

const VALID: &str = r#"
name = "Test"
path = "My-Company/Test"
operation = "assign"
subject_type = "user"
resource_type = "role"
request_workflow_type = "approval"
owner = "admin"

[[activity]]
id = "start"
type = "start"
next = "decide"

[[activity]]
id = "decide"
type = "approval"
participants = { manager_of = "subject" }
on_approve = "end"
on_reject = "end"

[[activity]]
id = "end"
type = "finish"
"#;

#[test]
fn the_base_case_of_the_table_is_valid() {
    parse("valid.toml", VALID).unwrap();
}

/// Each case: a change to the valid definition, the line the error must name, and words
/// the message must contain.
#[test]
fn mistakes_are_refused_with_file_line_and_problem() {
    let cases: &[(&str, &str, &str, usize, &str)] = &[
        // (description, replace this, with this, expected line, message contains)
        (
            "unknown reference",
            r#"on_approve = "end""#,
            r#"on_approve = "nowhere""#,
            16,
            "unknown activity nowhere",
        ),
        (
            "no participants",
            r#"participants = { manager_of = "subject" }"#,
            "",
            16,
            "no way to find participants",
        ),
        (
            "empty participants",
            r#"participants = { manager_of = "subject" }"#,
            "participants = {}",
            18,
            "no way to find participants",
        ),
        (
            "bad participant",
            r#"{ manager_of = "subject" }"#,
            r#"{ users = ["not valid!"] }"#,
            18,
            "users",
        ),
        (
            "unknown type",
            r#"type = "finish""#,
            r#"type = "finnish""#,
            24,
            "unknown type \"finnish\"",
        ),
        (
            "typo in a field",
            r#"on_reject = "end""#,
            r#"on_rejcet = "end""#,
            20,
            "on_rejcet",
        ),
        (
            "syntax error",
            r#"next = "decide""#,
            r#"next = "decide"#,
            13,
            "",
        ),
        (
            "bad owner",
            r#"owner = "admin""#,
            r#"owner = "Ad Min""#,
            8,
            "owner",
        ),
        (
            "quorum too high",
            r#"participants = { manager_of = "subject" }"#,
            "participants = { users = [\"bob\", \"dave\"] }\nmode = \"quorum\"\nquorum = 3",
            16,
            "quorum 3 is more than its 2 users",
        ),
        (
            "duplicate id",
            r#"id = "end""#,
            r#"id = "decide""#,
            23,
            "used twice",
        ),
        (
            "bad timeout",
            r#"on_approve = "end""#,
            "on_approve = \"end\"\ntimeout = { after = \"soon\", outcome = \"deny\" }",
            20,
            "not a duration",
        ),
    ];
    for (description, from, to, line, words) in cases {
        assert!(VALID.contains(from), "{description}: base lacks {from:?}");
        let source = VALID.replacen(from, to, 1);
        let errors = parse("broken.toml", &source)
            .err()
            .unwrap_or_else(|| panic!("{description}: accepted"));
        let first = &errors.0[0];
        assert_eq!(first.file, "broken.toml", "{description}");
        assert_eq!(first.line, *line, "{description}: {errors}");
        assert!(first.message.contains(words), "{description}: {errors}");
        assert!(
            errors
                .to_string()
                .starts_with(&format!("broken.toml:{line}: ")),
            "{description}"
        );
    }
}

#[test]
fn graph_mistakes_are_refused() {
    let unreachable = VALID.replace(
        "[[activity]]\nid = \"end\"",
        "[[activity]]\nid = \"orphan\"\ntype = \"log\"\nmessage = \"x\"\nnext = \"end\"\n\n[[activity]]\nid = \"end\"",
    );
    let errors = parse("f.toml", &unreachable).unwrap_err();
    assert!(
        errors.to_string().contains("orphan is unreachable"),
        "{errors}"
    );

    let endless = VALID
        .replace(r#"on_approve = "end""#, r#"on_approve = "loop""#)
        .replace(
            "[[activity]]\nid = \"end\"",
            "[[activity]]\nid = \"loop\"\ntype = \"log\"\nmessage = \"again\"\nnext = \"decide\"\n\n[[activity]]\nid = \"end\"",
        );
    // decide can still reject to end, so this loop has a way out and is accepted.
    parse("f.toml", &endless).unwrap();

    let trapped = endless.replace(r#"on_reject = "end""#, r#"on_reject = "loop""#);
    let errors = parse("f.toml", &trapped).unwrap_err();
    assert!(
        errors.to_string().contains("can never reach a finish"),
        "{errors}"
    );

    let branch_without_merge = VALID
        .replace(r#"next = "decide""#, r#"next = "fork""#)
        .replace(
            "[[activity]]\nid = \"decide\"",
            "[[activity]]\nid = \"fork\"\ntype = \"branch\"\nnext = [\"decide\", \"note\"]\n\n[[activity]]\nid = \"note\"\ntype = \"log\"\nmessage = \"x\"\nnext = \"end\"\n\n[[activity]]\nid = \"decide\"",
        );
    let errors = parse("f.toml", &branch_without_merge).unwrap_err();
    assert!(
        errors.to_string().contains("branch fork has no merge"),
        "{errors}"
    );

    let first_not_start = VALID.replacen(r#"type = "start""#, r#"type = "log""#, 1);
    let errors = parse("f.toml", &first_not_start).unwrap_err();
    assert!(!errors.0.is_empty());
}

#[test]
fn several_problems_are_reported_together_in_line_order() {
    let source = VALID
        .replace(r#"owner = "admin""#, r#"owner = "A B""#)
        .replace(
            r#"participants = { manager_of = "subject" }"#,
            "participants = {}",
        );
    let errors = parse("many.toml", &source).unwrap_err();
    let lines: Vec<usize> = errors.0.iter().map(|e| e.line).collect();
    assert_eq!(lines, vec![8, 18], "{errors}");
}

#[test]
fn invalid_expressions_are_refused_at_deploy() {
    let with_condition = |expression: &str| {
        VALID.replace(r#"on_approve = "end""#, r#"on_approve = "check""#).replace(
            "[[activity]]\nid = \"end\"",
            &format!(
                "[[activity]]\nid = \"check\"\ntype = \"condition\"\nexpression = {expression:?}\nwhen_true = \"end\"\nwhen_false = \"end\"\n\n[[activity]]\nid = \"end\""
            ),
        )
    };
    parse(
        "f.toml",
        &with_condition("size(flowdata.request.items) > 0"),
    )
    .unwrap();
    for (expression, words) in [
        ("size(flowdata.x) >", "syntax error"),
        ("flowdat.x == 1", "unknown variable"),
        ("identity.deleteEverything()", "unknown function"),
    ] {
        let errors = parse("f.toml", &with_condition(expression)).unwrap_err();
        assert_eq!(errors.0[0].line, 23, "{errors}");
        assert!(errors.to_string().contains(words), "{expression}: {errors}");
    }
    let bad_target = VALID.replace(r#"next = "decide""#, r#"next = "map""#).replace(
        "[[activity]]\nid = \"decide\"",
        "[[activity]]\nid = \"map\"\ntype = \"mapping\"\nassign = [{ target = \"a//b\", expression = \"1\" }]\nnext = \"decide\"\n\n[[activity]]\nid = \"decide\"",
    );
    let errors = parse("f.toml", &bad_target).unwrap_err();
    assert!(errors.to_string().contains("flowdata path"), "{errors}");
}

#[test]
fn invalid_field_patterns_are_refused_at_deploy() {
    let with_field = |pattern: &str| {
        VALID.replace(
            "[[activity]]\nid = \"start\"",
            &format!("[[field]]\nname = \"code\"\nkind = \"text\"\npattern = {pattern:?}\n\n[[activity]]\nid = \"start\""),
        )
    };
    parse("f.toml", &with_field("[A-Z]{2}-[0-9]+")).unwrap();
    let errors = parse("f.toml", &with_field("[A-Z")).unwrap_err();
    assert_eq!(errors.0[0].line, 10, "{errors}");
    assert!(
        errors.to_string().contains("pattern \"[A-Z\" is invalid"),
        "{errors}"
    );
}

#[test]
fn the_most_specific_applicable_definition_is_chosen() {
    use assent_engine::definition::{applicable, RequestFacts};
    use std::collections::BTreeMap;
    let definitions: Vec<_> = shipped()
        .iter()
        .map(|(name, source)| parse(name, source).unwrap())
        .collect();
    let attributes = |pairs: &[(&str, &str)]| -> BTreeMap<String, Vec<String>> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), vec![v.to_string()]))
            .collect()
    };
    let facts = |resource_type: &str, resource: &[(&str, &str)]| RequestFacts {
        operation: Some("assign".into()),
        subject_type: Some("user".into()),
        resource_type: Some(resource_type.into()),
        resource: attributes(resource),
        ..RequestFacts::default()
    };
    let paths = |facts: &RequestFacts| -> Vec<String> {
        applicable(&definitions, facts)
            .iter()
            .map(|d| d.path.clone())
            .collect()
    };
    // Infrastructure resources need the quorum; it is more specific than manager-then-owner.
    let infra = paths(&facts(
        "resource",
        &[("kind", "resource"), ("category", "Infrastructure")],
    ));
    assert_eq!(
        infra.first().map(String::as_str),
        Some("My-Company/Approval/Parallel-Quorum"),
        "{infra:?}"
    );
    assert!(infra.contains(&"My-Company/Approval/Manager-Then-Owner".to_owned()));
    let other = paths(&facts(
        "resource",
        &[("kind", "resource"), ("category", "Sales")],
    ));
    assert_eq!(
        other,
        vec!["My-Company/Approval/Manager-Then-Owner".to_owned()]
    );
    let roles = paths(&facts("role", &[("kind", "role")]));
    assert_eq!(
        roles.first().map(String::as_str),
        Some("My-Company/Roles/Role-Request-SoD"),
        "{roles:?}"
    );
    assert!(paths(&facts("printer", &[])).is_empty());
}
