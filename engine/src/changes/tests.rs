use super::*;
use serde_json::json;

fn spec_example() -> Value {
    json!({
        "eventId": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
        "source": "hr",
        "sequence": 17,
        "kind": "modify",
        "objectClass": "user",
        "objectKey": "frank",
        "attributes": {
            "displayName": ["Frank Meyer"], "email": ["frank@example.com"],
            "manager": ["bob"], "department": ["Sales"], "enabled": ["true"]
        },
        "time": "2026-12-03T07:05:03Z"
    })
}

fn parse(value: &Value) -> Result<ChangeEvent, ChangeEventError> {
    parse_event(&serde_json::to_vec(value).unwrap())
}

/// The spec example with `field` replaced (or removed when `value` is None).
fn with(field: &str, value: Option<Value>) -> Value {
    let mut event = spec_example();
    let object = event.as_object_mut().unwrap();
    match value {
        Some(value) => object.insert(field.to_owned(), value),
        None => object.remove(field),
    };
    event
}

fn with_attributes(attributes: Value) -> Value {
    with("attributes", Some(attributes))
}

fn membership(kind: &str, attributes: Value) -> Value {
    let mut event = with("objectClass", Some(json!("membership")));
    event["kind"] = json!(kind);
    event["objectKey"] = json!("frank in Sales");
    event["attributes"] = attributes;
    event
}

fn attributes_of(event: &ChangeEvent) -> &UserAttributes {
    match &event.change {
        Change::CreateUser { attributes, .. } | Change::ModifyUser { attributes, .. } => attributes,
        other => panic!("not a user change: {other:?}"),
    }
}

/// Asserts the event is refused for `field` and returns the message.
fn refused(value: &Value, field: &str) -> String {
    let error = parse(value).expect_err("the event should be refused");
    assert_eq!(error.field(), Some(field), "{error}");
    let message = error.to_string();
    assert!(message.contains(field), "{message}");
    message
}

fn user(name: &str) -> UserName {
    UserName::parse(name).unwrap()
}

#[test]
fn the_spec_example_parses_into_typed_values() {
    let event = parse(&spec_example()).unwrap();
    assert_eq!(event.event_id, "7c9e6679-7425-40de-944b-e07fc1f90ae7");
    assert_eq!(event.source.as_str(), "hr");
    assert_eq!(event.sequence, 17);
    assert_eq!(event.time, "2026-12-03T07:05:03Z");
    assert_eq!(event.change.kind(), "modify");
    assert_eq!(event.change.user(), &user("frank"));
    let expected = UserAttributes {
        display_name: Some("Frank Meyer".into()),
        email: Some("frank@example.com".into()),
        title: None,
        manager: Some(Some(user("bob"))),
        department: Some(Some("Sales".into())),
        enabled: Some(true),
        other: BTreeMap::new(),
    };
    assert_eq!(attributes_of(&event), &expected);
}

#[test]
fn a_create_needs_a_display_name() {
    let mut event = with("kind", Some(json!("create")));
    event["objectKey"] = json!("  Frank ");
    let parsed = parse(&event).unwrap();
    assert_eq!(parsed.change.kind(), "create");
    assert_eq!(
        parsed.change.user().as_str(),
        "frank",
        "trimmed, lower case"
    );
    event["attributes"] = json!({"email": ["frank@example.com"]});
    assert_eq!(
        parse(&event),
        Err(ChangeEventError::Missing("attributes.displayName"))
    );
    event.as_object_mut().unwrap().remove("attributes");
    assert_eq!(parse(&event), Err(ChangeEventError::Missing("attributes")));
}

#[test]
fn a_modify_changes_only_what_it_names() {
    let parsed = parse(&with_attributes(json!({"title": ["Buyer"]}))).unwrap();
    let expected = UserAttributes {
        title: Some("Buyer".into()),
        ..UserAttributes::default()
    };
    assert_eq!(attributes_of(&parsed), &expected);
    let nothing = parse(&with_attributes(json!({}))).unwrap();
    assert_eq!(attributes_of(&nothing), &UserAttributes::default());
}

#[test]
fn a_delete_disables_and_ignores_attributes() {
    let mut event = with("kind", Some(json!("delete")));
    for attributes in [
        None,
        Some(json!({})),
        Some(json!({"manager": "not a list", "displayName": []})),
    ] {
        match attributes {
            Some(attributes) => event["attributes"] = attributes,
            None => {
                event.as_object_mut().unwrap().remove("attributes");
            }
        }
        let parsed = parse(&event).unwrap();
        assert_eq!(
            parsed.change,
            Change::DeleteUser {
                user: user("frank")
            }
        );
        assert_eq!(parsed.change.kind(), "delete");
    }
    event["attributes"] = json!("none");
    refused(&event, "attributes");
}

#[test]
fn empty_lists_remove_manager_department_email_and_title() {
    let event = with_attributes(json!({"manager": [], "department": [], "email": [], "title": []}));
    let attributes = parse(&event).unwrap();
    let attributes = attributes_of(&attributes);
    assert_eq!(attributes.manager, Some(None));
    assert_eq!(attributes.department, Some(None));
    assert_eq!(attributes.email, Some(String::new()));
    assert_eq!(attributes.title, Some(String::new()));
    let blank_title = parse(&with_attributes(json!({"title": ["  "]}))).unwrap();
    assert_eq!(attributes_of(&blank_title).title, Some(String::new()));
}

#[test]
fn memberships_create_modify_and_delete() {
    for (kind, member) in [("create", "true"), ("modify", "false")] {
        let event = membership(
            kind,
            json!({"user": ["Frank"], "group": [" Sales "], "member": [member]}),
        );
        let parsed = parse(&event).unwrap();
        assert_eq!(
            parsed.change,
            Change::Membership {
                user: user("frank"),
                group: "Sales".into(),
                member: member == "true",
            }
        );
        assert_eq!(parsed.change.kind(), "membership");
        assert_eq!(parsed.change.user(), &user("frank"));
    }
    // A delete ends the membership whatever `member` says, and needs no `member`.
    for attributes in [
        json!({"user": ["frank"], "group": ["Sales"], "member": ["true"]}),
        json!({"user": ["frank"], "group": ["Sales"]}),
    ] {
        let parsed = parse(&membership("delete", attributes)).unwrap();
        assert!(matches!(
            parsed.change,
            Change::Membership { member: false, .. }
        ));
    }
}

#[test]
fn membership_attributes_are_checked() {
    let base = json!({"user": ["frank"], "group": ["Sales"], "member": ["true"]});
    for missing in ["user", "group", "member"] {
        let mut attributes = base.clone();
        attributes.as_object_mut().unwrap().remove(missing);
        let error = parse(&membership("create", attributes)).unwrap_err();
        assert_eq!(
            error.to_string(),
            format!("attributes.{missing}: this field is required")
        );
    }
    let cases = [
        (json!({"user": ["frank", "bob"]}), "attributes.user"),
        (json!({"user": ["no way"]}), "attributes.user"),
        (json!({"group": []}), "attributes.group"),
        (json!({"group": ["a\nb"]}), "attributes.group"),
        (json!({"group": ["x".repeat(121)]}), "attributes.group"),
        (json!({"member": ["yes"]}), "attributes.member"),
        (json!({"member": "true"}), "attributes.member"),
        (json!({"role": ["admin"]}), "attributes.role"),
    ];
    for (change, field) in cases {
        let mut attributes = base.clone();
        for (name, value) in change.as_object().unwrap() {
            attributes[name] = value.clone();
        }
        refused(&membership("modify", attributes), field);
    }
    let mut long_key = membership("create", base.clone());
    long_key["objectKey"] = json!("k".repeat(257));
    refused(&long_key, "objectKey");
    long_key["objectKey"] = json!(" ");
    refused(&long_key, "objectKey");
}

#[test]
fn user_attributes_are_checked() {
    let cases = [
        (json!({"displayName": []}), "attributes.displayName"),
        (json!({"displayName": ["  "]}), "attributes.displayName"),
        (json!({"displayName": ["a\tb"]}), "attributes.displayName"),
        (
            json!({"displayName": ["x".repeat(201)]}),
            "attributes.displayName",
        ),
        (json!({"displayName": ["A", "B"]}), "attributes.displayName"),
        (json!({"email": ["frank"]}), "attributes.email"),
        (json!({"email": ["@example.com"]}), "attributes.email"),
        (json!({"email": ["a@b@c"]}), "attributes.email"),
        (json!({"email": ["fr ank@example.com"]}), "attributes.email"),
        (json!({"email": [""]}), "attributes.email"),
        (
            json!({"email": [format!("{}@example.com", "x".repeat(250))]}),
            "attributes.email",
        ),
        (json!({"title": ["x".repeat(201)]}), "attributes.title"),
        (json!({"title": ["A", "B"]}), "attributes.title"),
        (json!({"manager": ["bob", "carol"]}), "attributes.manager"),
        (json!({"manager": ["bob smith"]}), "attributes.manager"),
        (json!({"department": [""]}), "attributes.department"),
        (
            json!({"department": ["x".repeat(121)]}),
            "attributes.department",
        ),
        (
            json!({"department": ["Sales\u{7}"]}),
            "attributes.department",
        ),
        (json!({"enabled": ["TRUE"]}), "attributes.enabled"),
        (json!({"enabled": []}), "attributes.enabled"),
        (json!({"enabled": [true]}), "attributes.enabled"),
        (json!({"DisplayName": ["Frank"]}), "attributes.DisplayName"),
    ];
    for (attributes, field) in cases {
        refused(&with_attributes(attributes), field);
    }
    let trimmed = parse(&with_attributes(json!({
        "displayName": ["  Frank  Meyer "], "email": [" frank@example.com "],
        "department": [" Sales "], "title": [" Buyer "], "enabled": ["false"]
    })))
    .unwrap();
    let trimmed = attributes_of(&trimmed);
    assert_eq!(trimmed.display_name.as_deref(), Some("Frank  Meyer"));
    assert_eq!(trimmed.email.as_deref(), Some("frank@example.com"));
    assert_eq!(trimmed.department, Some(Some("Sales".into())));
    assert_eq!(trimmed.title.as_deref(), Some("Buyer"));
    assert_eq!(trimmed.enabled, Some(false));
}

#[test]
fn every_attribute_value_must_be_a_list_of_strings() {
    for value in [
        json!("bob"),
        json!(7),
        json!(null),
        json!({"a": 1}),
        json!([1]),
    ] {
        let error = parse(&with_attributes(json!({"manager": value}))).unwrap_err();
        assert_eq!(
            error.to_string(),
            "attributes.manager: a list of strings is expected"
        );
    }
    refused(
        &with_attributes(json!({"costCenter": "4711"})),
        "attributes.costCenter",
    );
}

#[test]
fn other_attributes_are_kept_within_limits() {
    let parsed = parse(&with_attributes(
        json!({"costCenter": ["4711"], "phone.mobile": ["1", "2"], "x_y-z": []}),
    ))
    .unwrap();
    let other = &attributes_of(&parsed).other;
    assert_eq!(other["costCenter"], vec!["4711".to_owned()]);
    assert_eq!(other["phone.mobile"], vec!["1".to_owned(), "2".to_owned()]);
    assert_eq!(other["x_y-z"], Vec::<String>::new());

    refused(
        &with_attributes(json!({"cost center": ["1"]})),
        "attributes.cost center",
    );
    refused(&with_attributes(json!({"": ["1"]})), "attributes");
    let long_name = "a".repeat(65);
    refused(
        &with_attributes(json!({ long_name.clone(): ["1"] })),
        &format!("attributes.{}…", &long_name[..60]),
    );
    assert!(parse(&with_attributes(json!({ "a".repeat(64): ["1"] }))).is_ok());
    let many_values: Vec<String> = (0..51).map(|i| i.to_string()).collect();
    refused(
        &with_attributes(json!({"codes": many_values})),
        "attributes.codes",
    );
    refused(
        &with_attributes(json!({"codes": ["x".repeat(1001)]})),
        "attributes.codes",
    );
    assert!(parse(&with_attributes(json!({"codes": ["x".repeat(1000)]}))).is_ok());

    let mut fifty = Map::new();
    for i in 0..50 {
        fifty.insert(format!("extra{i}"), json!(["v"]));
    }
    assert!(parse(&with_attributes(Value::Object(fifty.clone()))).is_ok());
    fifty.insert("extra50".into(), json!(["v"]));
    refused(&with_attributes(Value::Object(fifty)), "attributes");
}

#[test]
fn unknown_and_missing_top_level_fields_are_named() {
    let error = parse(&with("priority", Some(json!(1)))).unwrap_err();
    assert_eq!(error.to_string(), "unknown field `priority`");
    for field in FIELDS.into_iter().filter(|f| *f != "attributes") {
        let error = parse(&with(field, None)).unwrap_err();
        assert_eq!(error, ChangeEventError::Missing(field));
        assert_eq!(
            error.to_string(),
            format!("{field}: this field is required")
        );
    }
    for field in [
        "eventId",
        "source",
        "kind",
        "objectClass",
        "objectKey",
        "time",
    ] {
        let message = refused(&with(field, Some(json!(5))), field);
        assert!(
            message.ends_with("a string is expected, not a number"),
            "{message}"
        );
    }
}

#[test]
fn event_ids_are_printable_ascii() {
    for bad in ["", "a b", "ü", "x\n", &"x".repeat(129)] {
        refused(&with("eventId", Some(json!(bad))), "eventId");
    }
    let longest = "x".repeat(128);
    assert_eq!(
        parse(&with("eventId", Some(json!(longest))))
            .unwrap()
            .event_id,
        longest
    );
}

#[test]
fn source_names_are_normalised() {
    let parsed = parse(&with("source", Some(json!("  HR.Main_1-x ")))).unwrap();
    assert_eq!(parsed.source.as_str(), "hr.main_1-x");
    assert_eq!(parsed.source.to_string(), "hr.main_1-x");
    for bad in ["", "  ", "h r", "hr/1", "é", &"s".repeat(65)] {
        refused(&with("source", Some(json!(bad))), "source");
    }
    assert!(SourceName::parse(&"s".repeat(64)).is_ok());
    assert_eq!(SourceName::parse("HR"), SourceName::parse("hr"));
}

#[test]
fn sequences_are_positive_json_integers() {
    for bad in [
        json!("17"),
        json!(17.0),
        json!(17.5),
        json!(-1),
        json!(0),
        json!(null),
        json!(u64::MAX),
        json!(i64::MAX as u64 + 1),
    ] {
        refused(&with("sequence", Some(bad)), "sequence");
    }
    let message = refused(&with("sequence", Some(json!("17"))), "sequence");
    assert_eq!(
        message,
        "sequence: a whole number is expected, not a string"
    );
    let exponent = br#"{"eventId":"e","source":"hr","sequence":1e3,"kind":"delete","objectClass":"user","objectKey":"frank","time":"2026-12-03T07:05:03Z"}"#;
    assert_eq!(parse_event(exponent).unwrap_err().field(), Some("sequence"));
    let huge = String::from_utf8_lossy(exponent).replace("1e3", "99999999999999999999999");
    assert_eq!(
        parse_event(huge.as_bytes()).unwrap_err().field(),
        Some("sequence")
    );
    assert_eq!(
        parse(&with("sequence", Some(json!(1)))).unwrap().sequence,
        1
    );
    let max = parse(&with("sequence", Some(json!(i64::MAX)))).unwrap();
    assert_eq!(max.sequence, i64::MAX as u64);
}

#[test]
fn kind_object_class_and_object_key_are_checked() {
    let message = refused(&with("kind", Some(json!("remove"))), "kind");
    assert_eq!(
        message,
        "kind: create, modify or delete is expected, not \"remove\""
    );
    refused(&with("kind", Some(json!("Create"))), "kind");
    refused(&with("objectClass", Some(json!("group"))), "objectClass");
    let message = refused(&with("objectKey", Some(json!("frank meyer"))), "objectKey");
    assert!(message.contains("letters a-z"), "{message}");
}

#[test]
fn times_are_rfc_3339_with_a_zone() {
    for good in [
        "2026-12-03T07:05:03Z",
        "2026-12-03T07:05:03.5Z",
        "2026-12-03T07:05:03.123456789+01:00",
        "2028-02-29T23:59:60-05:30",
        "2026-12-03T07:05:03-00:00",
    ] {
        assert_eq!(parse(&with("time", Some(json!(good)))).unwrap().time, good);
    }
    for bad in [
        "",
        "2026-12-03",
        "2026-12-03T07:05:03",
        "2026-12-03 07:05:03Z",
        "2026-12-03t07:05:03z",
        "2026-12-03T07:05Z",
        "2026-12-03T07:05:03.Z",
        "2026-12-03T07:05:03.1234567890Z",
        "2026-12-03T07:05:03+0100",
        "2026-12-03T07:05:03+01:00 ",
        "2026-13-03T07:05:03Z",
        "2026-00-03T07:05:03Z",
        "2026-02-29T07:05:03Z",
        "2026-04-31T07:05:03Z",
        "2026-12-00T07:05:03Z",
        "0000-12-03T07:05:03Z",
        "2026-12-03T24:05:03Z",
        "2026-12-03T07:60:03Z",
        "2026-12-03T07:05:61Z",
        "2026-12-03T07:05:03+24:00",
        "2026-12-03T07:05:03+01:60",
        "+026-12-03T07:05:03Z",
        "2026-12-03T07:05:03ZZ",
    ] {
        refused(&with("time", Some(json!(bad))), "time");
    }
}

#[test]
fn unreadable_events_are_refused_before_their_fields() {
    let too_large = vec![b' '; MAX_EVENT_BYTES + 1];
    assert_eq!(
        parse_event(&too_large),
        Err(ChangeEventError::TooLarge {
            size: MAX_EVENT_BYTES + 1,
            max: MAX_EVENT_BYTES
        })
    );
    assert_eq!(
        parse_event(b"{\"a\":\"\xff\"}"),
        Err(ChangeEventError::NotUtf8)
    );
    for garbage in [&b""[..], b"{", b"not json", b"{} {}", b"{\"eventId\":}"] {
        assert!(
            matches!(parse_event(garbage), Err(ChangeEventError::NotJson(_))),
            "{garbage:?}"
        );
    }
    for not_object in [&b"[]"[..], b"17", b"\"event\"", b"null"] {
        assert_eq!(parse_event(not_object), Err(ChangeEventError::NotAnObject));
    }
    let twice = br#"{"sequence": 1, "sequence": 2}"#;
    let error = parse_event(twice).unwrap_err();
    assert!(
        error.to_string().contains("`sequence` appears twice"),
        "{error}"
    );
    let twice_inside = br#"{"attributes": {"manager": ["a"], "manager": []}}"#;
    assert!(matches!(
        parse_event(twice_inside),
        Err(ChangeEventError::NotJson(_))
    ));
}

#[test]
fn errors_repeat_only_a_short_excerpt_of_the_input() {
    let long = format!("{}\u{1b}", "Q".repeat(5000));
    for event in [
        with(&long, Some(json!(1))),
        with("kind", Some(json!(long))),
        with("objectClass", Some(json!(long))),
        with("eventId", Some(json!(long))),
        with_attributes(json!({ long.clone(): ["1"] })),
    ] {
        let message = parse(&event).unwrap_err().to_string();
        assert!(
            message.matches('Q').count() <= values::EXCERPT_CHARS,
            "{message}"
        );
        assert!(!message.contains('\u{1b}'));
    }
    assert_eq!(excerpt("a\u{1b}"), "a\\u{1b}");
}

#[test]
fn peek_reads_what_it_can() {
    assert_eq!(peek(b""), Peek::default());
    assert_eq!(peek(b"\xff\xfe garbage"), Peek::default());
    assert_eq!(peek(b"[1, 2, 3]"), Peek::default());
    let expected = Peek {
        event_id: Some("7c9e6679-7425-40de-944b-e07fc1f90ae7".into()),
        source: Some(SourceName::parse("hr").unwrap()),
        sequence: Some(17),
    };
    assert_eq!(
        peek(&serde_json::to_vec(&spec_example()).unwrap()),
        expected
    );
    // Valid envelope, invalid body: parse_event refuses it, peek still names it.
    let mut broken = with("kind", Some(json!("remove")));
    broken["attributes"] = json!({"manager": "bob"});
    broken["source"] = json!("HR");
    let raw = serde_json::to_vec(&broken).unwrap();
    assert!(parse_event(&raw).is_err());
    assert_eq!(peek(&raw), expected);
    // Truncated: what came before the break is kept.
    let truncated = br#"{"source": "hr", "attributes": {"a": [1, {"b": 2}]}, "sequence": 4, "eventId": "e-1", "kind": "#;
    assert_eq!(
        peek(truncated),
        Peek {
            event_id: Some("e-1".into()),
            source: Some(SourceName::parse("hr").unwrap()),
            sequence: Some(4),
        }
    );
    // Invalid values are not reported as if they were valid.
    let invalid = br#"{"eventId": "has space", "source": "h r", "sequence": "4"}"#;
    assert_eq!(peek(invalid), Peek::default());
    assert_eq!(peek(br#"{"sequence": 0, "eventId": 5}"#), Peek::default());
    // Too large for parse_event, still identified.
    let mut large = spec_example();
    large["attributes"]["notes"] = json!(["x".repeat(MAX_EVENT_BYTES)]);
    let raw = serde_json::to_vec(&large).unwrap();
    assert!(matches!(
        parse_event(&raw),
        Err(ChangeEventError::TooLarge { .. })
    ));
    assert_eq!(peek(&raw), expected);
}
