//! The language, case by case: what it computes, what it refuses at parse time, and the
//! limits that keep every evaluation small.

use super::*;

struct NoLookups;
impl Lookups for NoLookups {
    fn names(&self) -> &'static [&'static str] {
        &["managerOf"]
    }
    fn call(&self, name: &str, args: &[Val]) -> Result<Val, String> {
        match (name, args) {
            ("managerOf", [Val::Str(user)]) if user == "alice" => Ok(Val::Str("bob".into())),
            _ => Err(format!("no {name}")),
        }
    }
}

fn variables() -> BTreeMap<&'static str, Val> {
    let mut flowdata = BTreeMap::new();
    flowdata.insert(
        "decision".to_owned(),
        Val::List(vec![Val::Str("approved".into())]),
    );
    flowdata.insert("amount".to_owned(), Val::List(vec![Val::Int(1500)]));
    let mut subject = BTreeMap::new();
    subject.insert("id".to_owned(), Val::Str("alice".into()));
    subject.insert(
        "department".to_owned(),
        Val::List(vec![Val::Str("Finance".into())]),
    );
    BTreeMap::from([
        ("flowdata", Val::Map(flowdata)),
        ("subject", Val::Map(subject)),
    ])
}

fn eval(source: &str) -> Result<Val, ExpressionError> {
    Expression::parse(source, &["managerOf"])?.evaluate(&variables(), &NoLookups)
}

#[test]
fn evaluates_like_cel() {
    let cases: &[(&str, Val)] = &[
        ("1 + 2 * 3", Val::Int(7)),
        ("(1 + 2) * 3", Val::Int(9)),
        ("7 % 4 - -1", Val::Int(4)),
        ("1.5 * 2", Val::Float(3.0)),
        ("'a' + \"b\"", Val::Str("ab".into())),
        ("1 < 2 && 'b' > 'a'", Val::Bool(true)),
        ("!(1 == 1) || false", Val::Bool(false)),
        ("2 == 2.0", Val::Bool(true)),
        ("size([1, 2, 3])", Val::Int(3)),
        ("size('héllo')", Val::Int(5)),
        ("3 in [1, 2, 3]", Val::Bool(true)),
        ("'x' in [1, 2]", Val::Bool(false)),
        ("[1, 2][1]", Val::Int(2)),
        ("true ? 'yes' : 'no'", Val::Str("yes".into())),
        ("flowdata.decision == ['approved']", Val::Bool(true)),
        ("flowdata.amount[0] > 1000", Val::Bool(true)),
        ("size(flowdata.missing) == 0", Val::Bool(true)),
        ("'Finance' in subject.department", Val::Bool(true)),
        ("subject.id.startsWith('ali')", Val::Bool(true)),
        ("subject.id.upper()", Val::Str("ALICE".into())),
        ("identity.managerOf(subject.id)", Val::Str("bob".into())),
        ("int('42') + 1", Val::Int(43)),
        ("string(12) + '!'", Val::Str("12!".into())),
        ("[1] + [2]", Val::List(vec![Val::Int(1), Val::Int(2)])),
        ("false && (1 / 0 == 1)", Val::Bool(false)),
    ];
    for (source, expected) in cases {
        assert_eq!(
            &eval(source).unwrap_or_else(|e| panic!("{source}: {e}")),
            expected,
            "{source}"
        );
    }
}

#[test]
fn refuses_mistakes_at_parse_time() {
    type Case = (&'static str, fn(&ExpressionError) -> bool);
    let cases: &[Case] = &[
        ("1 +", |e| matches!(e, ExpressionError::Syntax { .. })),
        ("(1", |e| matches!(e, ExpressionError::Syntax { .. })),
        ("'open", |e| matches!(e, ExpressionError::Syntax { .. })),
        ("1 2", |e| matches!(e, ExpressionError::Syntax { .. })),
        ("a @ b", |e| matches!(e, ExpressionError::Syntax { .. })),
        ("flowdta.x", |e| {
            matches!(e, ExpressionError::UnknownVariable(_))
        }),
        ("identity", |e| {
            matches!(e, ExpressionError::UnknownVariable(_))
        }),
        ("sizeof(1)", |e| {
            matches!(e, ExpressionError::UnknownFunction(_))
        }),
        ("subject.id.explode()", |e| {
            matches!(e, ExpressionError::UnknownFunction(_))
        }),
        ("identity.dropTables()", |e| {
            matches!(e, ExpressionError::UnknownFunction(_))
        }),
    ];
    for (source, is_expected) in cases {
        let error = Expression::parse(source, &["managerOf"]).unwrap_err();
        assert!(is_expected(&error), "{source}: {error:?}");
    }
    let deep = format!("{}1{}", "(".repeat(200), ")".repeat(200));
    assert_eq!(
        Expression::parse(&deep, &[]),
        Err(ExpressionError::TooComplex)
    );
    let long = "1 + ".repeat(2000) + "1";
    assert_eq!(
        Expression::parse(&long, &[]),
        Err(ExpressionError::TooComplex)
    );
}

#[test]
fn run_time_errors_are_errors_not_panics() {
    for source in [
        "1 / 0",
        "9223372036854775807 + 1",
        "-(-9223372036854775807 - 1)",
        "[1][5]",
        "[1][-1]",
        "1 < 'a'",
        "'a' - 'b'",
        "subject.id.id",
        "identity.managerOf('nobody')",
        "int('x')",
        "!1",
    ] {
        assert!(eval(source).is_err(), "{source}");
    }
    let condition = Expression::parse("1 + 1", &[]).unwrap();
    assert!(condition.evaluate_bool(&variables(), &NoLookups).is_err());
}

#[test]
fn every_evaluation_is_bounded() {
    // 200 nested list doublings would be astronomically large; the budget stops it.
    let mut variables = BTreeMap::new();
    variables.insert(
        "flowdata",
        Val::Map(BTreeMap::from([(
            "big".to_owned(),
            Val::List((0..5000).map(Val::Int).collect()),
        )])),
    );
    let heavy = Expression::parse(
        "flowdata.big == flowdata.big && flowdata.big == flowdata.big && flowdata.big.contains(-1)",
        &[],
    )
    .unwrap();
    assert_eq!(
        heavy.evaluate(&variables, &NoLookups),
        Err(ExpressionError::BudgetExhausted)
    );
}
