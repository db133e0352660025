//! Resource declarations and the provisioning plan: what an account should hold and the
//! one operation that brings the attribute cache there.

use assent_engine::provisioning::{
    parse_resource, plan, AccountHolder, AttributeChange, Attributes, Holding, ItemKind, Operation,
    Resource, Transport,
};

const VPN: &str = include_str!("../../definitions/resources/vpn-gateway.toml");
const CLOUD: &str = include_str!("../../definitions/resources/cloud-console.toml");

fn resource(source: &str) -> Resource {
    parse_resource("resource.toml", source).expect("a valid resource")
}

fn alice(holdings: &[(ItemKind, &str)]) -> AccountHolder {
    AccountHolder {
        username: "alice".into(),
        display_name: "Alice Schmidt".into(),
        email: "alice@example.com".into(),
        title: String::new(),
        enabled: true,
        holdings: holdings
            .iter()
            .map(|(kind, name)| Holding {
                kind: *kind,
                name: (*name).into(),
            })
            .collect(),
    }
}

fn attributes(pairs: &[(&str, &[&str])]) -> Attributes {
    pairs
        .iter()
        .map(|(name, values)| {
            (
                (*name).to_owned(),
                values.iter().map(|v| (*v).to_owned()).collect(),
            )
        })
        .collect()
}

#[test]
fn the_shipped_resources_read_as_declared() {
    let vpn = resource(VPN);
    assert_eq!(vpn.key.as_str(), "vpn-gateway");
    assert_eq!(vpn.name.get("de"), "VPN-Gateway");
    assert_eq!(vpn.object_class, "account");
    assert_eq!(vpn.transport, Transport::Amqp { results: true });
    assert_eq!(vpn.grants.len(), 1);
    for file in ["production-database", "finance-erp"] {
        let path = format!(
            "{}/../definitions/resources/{file}.toml",
            env!("CARGO_MANIFEST_DIR")
        );
        let source = std::fs::read_to_string(&path).expect("shipped resource");
        parse_resource(&path, &source).expect("every shipped resource is valid");
    }
}

#[test]
fn a_granted_item_gives_an_account_with_the_template_and_its_attributes() {
    let vpn = resource(VPN);
    let desired = vpn.desired(&alice(&[(ItemKind::Role, "VPN Access")]));
    assert_eq!(
        desired,
        Some(attributes(&[
            ("displayName", &["Alice Schmidt"]),
            ("enabled", &["true"]),
            ("groups", &["vpn-users"]),
            ("mail", &["alice@example.com"]),
        ]))
    );
    assert_eq!(vpn.desired(&alice(&[(ItemKind::Role, "Developer")])), None);
}

#[test]
fn grants_of_one_account_are_united_and_kinds_are_respected() {
    let cloud = resource(CLOUD);
    let both = cloud
        .desired(&alice(&[
            (ItemKind::Resource, "Cloud Console"),
            (ItemKind::Role, "Developer"),
        ]))
        .expect("an account");
    assert_eq!(both["groups"], vec!["console-users", "developers"]);
    // An empty directory field is left out rather than sent as "".
    assert!(!both.contains_key("jobTitle"));
    // `kind = "role"`: a Developer entitlement is something else.
    assert_eq!(
        cloud.desired(&alice(&[(ItemKind::Entitlement, "Developer")])),
        None
    );
}

#[test]
fn the_plan_adds_modifies_deletes_or_does_nothing() {
    let before = attributes(&[("groups", &["vpn-users"]), ("enabled", &["true"])]);
    let after = attributes(&[
        ("groups", &["admins", "vpn-users"]),
        ("enabled", &["false"]),
    ]);
    assert_eq!(plan(None, None), None);
    assert_eq!(
        plan(None, Some(&before)),
        Some(Operation::Add(before.clone()))
    );
    assert_eq!(plan(Some(&before), None), Some(Operation::Delete));
    assert_eq!(plan(Some(&before), Some(&before)), None);
    assert_eq!(
        plan(Some(&before), Some(&after)),
        Some(Operation::Modify(vec![
            AttributeChange {
                attribute: "enabled".into(),
                add: vec!["false".into()],
                delete: vec!["true".into()],
            },
            AttributeChange {
                attribute: "groups".into(),
                add: vec!["admins".into()],
                delete: vec![],
            },
        ]))
    );
}

#[test]
fn every_mistake_of_a_resource_file_is_named_at_its_line() {
    let source = r#"key = "VPN Gateway"
name = { de = "VPN" }

[transport]
kind = "smtp"

[account]
attributes = { displayName = "full_name" }

[[grant]]
item = "VPN Access"
kind = "group"
attributes = { groups = ["vpn-users"] }
"#;
    let errors = parse_resource("vpn.toml", source)
        .expect_err("refused")
        .to_string();
    for expected in [
        "vpn.toml:1: key may hold only",
        "vpn.toml:2: name needs at least an English text",
        "vpn.toml:5: transport.kind must be \"amqp\"",
        "vpn.toml:8: account.attributes.displayName must be username, display_name, email or title",
        "vpn.toml:12: kind must be role, resource or entitlement",
    ] {
        assert!(
            errors.contains(expected),
            "{expected:?} missing from:\n{errors}"
        );
    }
}

#[test]
fn unknown_keys_and_syntax_errors_are_refused_with_their_line() {
    let errors = parse_resource("r.toml", "key = \"r\"\nname = { en = \"R\" }\nbogus = 1\n")
        .expect_err("refused")
        .to_string();
    assert!(errors.starts_with("r.toml:3:"), "{errors}");
    let errors = parse_resource("r.toml", "key = \n")
        .expect_err("refused")
        .to_string();
    assert!(errors.starts_with("r.toml:1:"), "{errors}");
}
