//! User verification: the shipped definition names every attribute a new account lacks.

mod support;

use assent_engine::runtime::model::{Order, OrderType};
use assent_engine::WorkflowState;
use support::*;

#[test]
fn verification_names_what_is_missing() {
    type Attributes<'a> = &'a [(&'a str, &'a str)];
    let cases: &[(Attributes, &[&str])] = &[
        (&[("mail", "ann@example.com"), ("sn", "Lee")], &[]),
        (
            &[("mail", "ann@elsewhere.org"), ("sn", "Lee")],
            &["mail: a company address ending in @example.com is required"],
        ),
        (
            &[("mail", "ANN@EXAMPLE.COM")],
            &["sn: the surname is required"],
        ),
        (
            &[],
            &[
                "mail: a company address ending in @example.com is required",
                "sn: the surname is required",
            ],
        ),
    ];
    for (attributes, expected) in cases {
        let subject = Order {
            order_type: OrderType::AddOrder,
            target_id: "new.hire".into(),
            object_type: "user".into(),
            attributes: attributes
                .iter()
                .map(|(k, v)| ((*k).to_owned(), vec![(*v).to_owned()]))
                .collect(),
        };
        let definition = shipped("user-verification.toml");
        let new = new_instance("v-1", &definition.path, "admin", Some(subject));
        let run = Run::start_new(definition, new);
        assert_eq!(
            run.instance.state,
            WorkflowState::Succeeded,
            "{attributes:?}"
        );
        let messages: Vec<String> = flow(&run, "context/errorMessage")
            .iter()
            .map(|v| v.as_text())
            .collect();
        assert_eq!(messages, *expected, "{attributes:?}");
    }
}
