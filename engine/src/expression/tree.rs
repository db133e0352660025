//! The syntax tree the parser builds, and the check that it names only known variables,
//! functions and look-ups.

use super::{ExpressionError, Val, GLOBAL_FUNCTIONS, METHODS, VARIABLES};

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Expr {
    Literal(Val),
    List(Vec<Expr>),
    Variable(String),
    Select(Box<Expr>, String),
    Index(Box<Expr>, Box<Expr>),
    Call(String, Vec<Expr>),
    Method(Box<Expr>, String, Vec<Expr>),
    Lookup(String, Vec<Expr>),
    Unary(UnaryOp, Box<Expr>),
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    Conditional(Box<Expr>, Box<Expr>, Box<Expr>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum UnaryOp {
    Not,
    Negate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum BinaryOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    Add,
    Sub,
    Mul,
    Div,
    Rem,
}

/// Refuses any name the language, the place's `extra` variables or the deployment's
/// `lookups` do not know, so a typo fails at deploy. `identity` is no value of its own:
/// only its look-ups can be called.
pub(super) fn check_names(
    tree: &Expr,
    lookups: &[&str],
    extra: &[&str],
) -> Result<(), ExpressionError> {
    let recurse = |e: &Expr| check_names(e, lookups, extra);
    match tree {
        Expr::Literal(_) => Ok(()),
        Expr::List(items) => items.iter().try_for_each(recurse),
        Expr::Variable(name) => {
            let known = VARIABLES.contains(&name.as_str()) && name != "identity";
            if known || extra.contains(&name.as_str()) {
                Ok(())
            } else {
                Err(ExpressionError::UnknownVariable(name.clone()))
            }
        }
        Expr::Select(inner, _) => recurse(inner),
        Expr::Index(a, b) => recurse(a).and_then(|()| recurse(b)),
        Expr::Call(name, args) => {
            if !GLOBAL_FUNCTIONS.contains(&name.as_str()) {
                return Err(ExpressionError::UnknownFunction(name.clone()));
            }
            args.iter().try_for_each(recurse)
        }
        Expr::Method(target, name, args) => {
            if !METHODS.contains(&name.as_str()) {
                return Err(ExpressionError::UnknownFunction(name.clone()));
            }
            recurse(target)?;
            args.iter().try_for_each(recurse)
        }
        Expr::Lookup(name, args) => {
            if !lookups.contains(&name.as_str()) {
                return Err(ExpressionError::UnknownFunction(format!("identity.{name}")));
            }
            args.iter().try_for_each(recurse)
        }
        Expr::Unary(_, inner) => recurse(inner),
        Expr::Binary(_, a, b) => recurse(a).and_then(|()| recurse(b)),
        Expr::Conditional(a, b, c) => recurse(a)
            .and_then(|()| recurse(b))
            .and_then(|()| recurse(c)),
    }
}
