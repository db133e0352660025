//! Definition files: the shipped examples load, and every kind of mistake is refused with
//! its file, line and problem.

use assent_engine::definition::{
    parse, ActivityKind, ApprovalMode, DefinitionErrors, Participants,
};
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

/// The definition the tables below change: a start, one approval (`decide`, from line 15)
/// and a finish. A file, because the browser test of deploying deploys it too.
fn valid() -> String {
    include_str!("fixtures/one_approval.toml").to_owned()
}

/// `source` with `text` (and an empty line) inserted before the activity `id`.
fn insert_before(source: &str, id: &str, text: &str) -> String {
    let activity = format!("[[activity]]\nid = \"{id}\"");
    source.replace(&activity, &format!("{text}\n\n{activity}"))
}

/// The problems `source` is refused with; panics when it is accepted.
fn refusal(source: &str) -> DefinitionErrors {
    parse("f.toml", source).unwrap_err()
}

/// Asserts that `source` is refused with a problem that says `words`.
fn assert_refused(source: &str, words: &str) {
    let errors = refusal(source);
    assert!(errors.to_string().contains(words), "{errors}");
}

#[test]
fn the_base_case_of_the_table_is_valid() {
    parse("valid.toml", &valid()).unwrap();
}

/// Each case: a change to the valid definition, the line the error must name, and words
/// the message must contain.
#[test]
fn mistakes_are_refused_with_file_line_and_problem() {
    let valid = valid();
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
        assert!(valid.contains(from), "{description}: base lacks {from:?}");
        let source = valid.replacen(from, to, 1);
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
    let valid = valid();
    let unreachable = insert_before(
        &valid,
        "end",
        "[[activity]]\nid = \"orphan\"\ntype = \"log\"\nmessage = \"x\"\nnext = \"end\"",
    );
    assert_refused(&unreachable, "orphan is unreachable");

    let endless = insert_before(
        &valid.replace(r#"on_approve = "end""#, r#"on_approve = "loop""#),
        "end",
        "[[activity]]\nid = \"loop\"\ntype = \"log\"\nmessage = \"again\"\nnext = \"decide\"",
    );
    // decide can still reject to end, so this loop has a way out and is accepted.
    parse("f.toml", &endless).unwrap();

    let trapped = endless.replace(r#"on_reject = "end""#, r#"on_reject = "loop""#);
    assert_refused(&trapped, "can never reach a finish");

    let branch_without_merge = insert_before(
        &valid.replace(r#"next = "decide""#, r#"next = "fork""#),
        "decide",
        "[[activity]]\nid = \"fork\"\ntype = \"branch\"\nnext = [\"decide\", \"note\"]\n\n[[activity]]\nid = \"note\"\ntype = \"log\"\nmessage = \"x\"\nnext = \"end\"",
    );
    assert_refused(&branch_without_merge, "branch fork has no merge");

    let first_not_start = valid.replacen(r#"type = "start""#, r#"type = "log""#, 1);
    assert!(!refusal(&first_not_start).0.is_empty());
}

#[test]
fn several_problems_are_reported_together_in_line_order() {
    let valid = valid();
    let source = valid
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
    let valid = valid();
    let with_condition = |expression: &str| {
        insert_before(
            &valid.replace(r#"on_approve = "end""#, r#"on_approve = "check""#),
            "end",
            &format!(
                "[[activity]]\nid = \"check\"\ntype = \"condition\"\nexpression = {expression:?}\nwhen_true = \"end\"\nwhen_false = \"end\""
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
        let errors = refusal(&with_condition(expression));
        assert_eq!(errors.0[0].line, 23, "{errors}");
        assert!(errors.to_string().contains(words), "{expression}: {errors}");
    }
    let bad_target = insert_before(
        &valid.replace(r#"next = "decide""#, r#"next = "map""#),
        "decide",
        "[[activity]]\nid = \"map\"\ntype = \"mapping\"\nassign = [{ target = \"a//b\", expression = \"1\" }]\nnext = \"decide\"",
    );
    assert_refused(&bad_target, "flowdata path");
}

#[test]
fn invalid_field_patterns_are_refused_at_deploy() {
    let valid = valid();
    let with_field = |pattern: &str| {
        let field = format!("[[field]]\nname = \"code\"\nkind = \"text\"\npattern = {pattern:?}");
        insert_before(&valid, "start", &field)
    };
    parse("f.toml", &with_field("[A-Z]{2}-[0-9]+")).unwrap();
    let errors = refusal(&with_field("[A-Z"));
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
