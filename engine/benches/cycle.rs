//! How long the engine takes, in memory, for one create → approve → approve → end cycle of
//! the shipped "manager, then resource owner" definition.
//!
//! Run: `cargo bench -p assent-engine --bench cycle`

use assent_engine::definition::parse;
use assent_engine::expression::{Lookups, Val};
use assent_engine::runtime::directory::MemoryDirectory;
use assent_engine::runtime::model::{DefinitionRef, Order, OrderType, Timestamp, Verdict};
use assent_engine::runtime::{handle, start, CreateRequest, Env, Event, NewInstance};
use assent_engine::{UserName, WorkflowState};
use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::Instant;

struct NoLookups;
impl Lookups for NoLookups {
    fn names(&self) -> &'static [&'static str] {
        &[]
    }
    fn call(&self, name: &str, _: &[Val]) -> Result<Val, String> {
        Err(name.to_owned())
    }
}

fn main() {
    let source = include_str!("../../definitions/manager-then-owner.toml");
    let definition = parse("manager-then-owner.toml", source).expect("valid");
    let mut directory = MemoryDirectory::default();
    directory
        .user("erin", None)
        .user("bob", Some("erin"))
        .user("alice", Some("bob"))
        .user("carol", Some("erin"));
    directory
        .owners
        .insert("VPN Access".into(), UserName::parse("carol").unwrap());
    let env = Env {
        now: Timestamp(1_800_000_000_000),
        directory: &directory,
        lookups: &NoLookups,
    };
    let order = |object_type: &str, id: &str| Order {
        order_type: OrderType::AddOrder,
        target_id: id.into(),
        object_type: object_type.into(),
        attributes: BTreeMap::new(),
    };
    let cycle = |i: u64| {
        let step = start(
            &definition,
            NewInstance {
                id: format!("wf-{i}"),
                definition: DefinitionRef {
                    id: "manager-then-owner".into(),
                    version: 1,
                },
                request: CreateRequest {
                    definition_path: "manager-then-owner".into(),
                    initiator: UserName::parse("alice").unwrap(),
                    subject: Some(order("user", "alice")),
                    resources: vec![order("resource", "VPN Access")],
                    form: BTreeMap::new(),
                    context: BTreeMap::new(),
                    correlation_id: None,
                },
            },
            &env,
        );
        let decide = |instance, run, actor: &str| {
            handle(
                &definition,
                instance,
                Event::Decide {
                    run,
                    actor: UserName::parse(actor).unwrap(),
                    verdict: Verdict::Approve,
                    reason: None,
                    by: None,
                },
                &env,
            )
            .expect("accepted")
        };
        let step = decide(&step.instance, 1, "bob");
        let step = decide(&step.instance, 2, "carol");
        assert_eq!(step.instance.state, WorkflowState::Succeeded);
        step
    };
    for i in 0..2_000 {
        black_box(cycle(i));
    }
    let rounds = 50_000u64;
    let started = Instant::now();
    for i in 0..rounds {
        black_box(cycle(i));
    }
    let elapsed = started.elapsed();
    let per_cycle = elapsed.as_nanos() as f64 / rounds as f64;
    println!(
        "create-approve-approve-end in memory: {:.1} µs per cycle ({:.0} cycles/s on one core, {rounds} rounds)",
        per_cycle / 1000.0,
        1e9 / per_cycle
    );
}
