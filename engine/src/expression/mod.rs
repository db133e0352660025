//! Expressions in definitions: conditions, mappings and form defaults.
//!
//! The language is a small subset of CEL (Common Expression Language) with the same
//! syntax and meaning for what it has: literals, lists, field selection, indexing,
//! arithmetic, comparison, `in`, `&&`, `||`, `!`, `? :`, and a few functions. It has no
//! loops, no recursion and no definitions, and every evaluation runs on a fixed budget of
//! steps, so no expression can run away. We chose our own subset over the `cel` crate
//! because that crate pulls a release-candidate ANTLR runtime into every build, and has no
//! cost limit; the subset is small enough to test completely. Expressions are parsed when
//! a definition is deployed, so a typo is refused there and not found at run time.
//!
//! Source text goes through `lexer` into tokens and through `parser` into a `tree` whose
//! names are checked; `evaluator` computes a [`Val`] from it.

mod evaluator;
mod lexer;
mod parser;
mod tree;
mod value;

use std::collections::BTreeMap;

pub use value::Val;

/// Steps one evaluation may take (every node, every list element touched).
pub const DEFAULT_BUDGET: u32 = 10_000;
const MAX_SOURCE_LEN: usize = 4096;
const MAX_DEPTH: usize = 48;

/// The variables an expression may read.
pub const VARIABLES: &[&str] = &["flowdata", "initiator", "subject", "resource", "identity"];

/// Functions called as `f(x)`.
const GLOBAL_FUNCTIONS: &[&str] = &["size", "int", "string"];
/// Methods called as `x.f(y)`.
const METHODS: &[&str] = &["contains", "startsWith", "endsWith", "lower", "upper"];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExpressionError {
    #[error("syntax error at character {at}: {message}")]
    Syntax { at: usize, message: String },
    #[error("unknown variable {0:?} (known: flowdata, initiator, subject, resource, identity)")]
    UnknownVariable(String),
    #[error("unknown function {0:?}")]
    UnknownFunction(String),
    #[error("expression too long or too deeply nested")]
    TooComplex,
    #[error("evaluation ran out of its step budget")]
    BudgetExhausted,
    #[error("{0}")]
    Type(String),
    #[error("look-up failed: {0}")]
    Lookup(String),
}

/// Identity-store look-ups an expression may call as `identity.name(args)`.
pub trait Lookups {
    /// Names this store answers; used to refuse unknown ones at deploy.
    fn names(&self) -> &'static [&'static str];
    fn call(&self, name: &str, args: &[Val]) -> Result<Val, String>;
}

/// Look-ups every deployment has; the server's identity store implements them.
pub const STANDARD_LOOKUPS: &[&str] = &["managerOf", "sodConflicts", "isMember", "attribute"];

/// A parsed, checked expression, ready to evaluate many times.
#[derive(Debug, Clone, PartialEq)]
pub struct Expression {
    source: String,
    tree: tree::Expr,
}

impl Expression {
    /// Parses and checks names against the variables, functions and `lookups` known.
    pub fn parse(source: &str, lookups: &[&str]) -> Result<Self, ExpressionError> {
        Self::parse_with_variables(source, lookups, &[])
    }

    /// As [`Expression::parse`], where the place the expression is used also offers the
    /// variables `extra` (a `rest` activity's mapping reads its `response`).
    pub fn parse_with_variables(
        source: &str,
        lookups: &[&str],
        extra: &[&str],
    ) -> Result<Self, ExpressionError> {
        if source.len() > MAX_SOURCE_LEN {
            return Err(ExpressionError::TooComplex);
        }
        let tokens = lexer::lex(source)?;
        let tree = parser::parse(tokens)?;
        tree::check_names(&tree, lookups, extra)?;
        Ok(Self {
            source: source.to_owned(),
            tree,
        })
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    pub fn evaluate(
        &self,
        variables: &BTreeMap<&str, Val>,
        lookups: &dyn Lookups,
    ) -> Result<Val, ExpressionError> {
        evaluator::evaluate(&self.tree, variables, lookups)
    }

    pub fn evaluate_bool(
        &self,
        variables: &BTreeMap<&str, Val>,
        lookups: &dyn Lookups,
    ) -> Result<bool, ExpressionError> {
        match self.evaluate(variables, lookups)? {
            Val::Bool(b) => Ok(b),
            other => Err(ExpressionError::Type(format!(
                "a condition must give a bool, not {}",
                other.type_name()
            ))),
        }
    }
}

#[cfg(test)]
mod tests;
