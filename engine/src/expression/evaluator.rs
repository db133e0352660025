//! Evaluation: a checked tree and the variables to a value. Every node and every list
//! element touched costs a step of a fixed budget, so no expression runs away, and every
//! mistake at run time (a wrong type, an overflow, an index out of range) is an error,
//! never a panic.

use super::tree::{BinaryOp, Expr, UnaryOp};
use super::{ExpressionError, Lookups, Val, DEFAULT_BUDGET};
use std::collections::BTreeMap;

/// Evaluates `tree` with a fresh budget of [`DEFAULT_BUDGET`] steps.
pub(super) fn evaluate(
    tree: &Expr,
    variables: &BTreeMap<&str, Val>,
    lookups: &dyn Lookups,
) -> Result<Val, ExpressionError> {
    let mut evaluator = Evaluator {
        variables,
        lookups,
        budget: DEFAULT_BUDGET,
    };
    evaluator.eval(tree)
}

struct Evaluator<'a> {
    variables: &'a BTreeMap<&'a str, Val>,
    lookups: &'a dyn Lookups,
    budget: u32,
}

fn type_error(message: String) -> ExpressionError {
    ExpressionError::Type(message)
}

impl Evaluator<'_> {
    fn spend(&mut self, steps: usize) -> Result<(), ExpressionError> {
        let steps = u32::try_from(steps).unwrap_or(u32::MAX);
        self.budget = self
            .budget
            .checked_sub(steps)
            .ok_or(ExpressionError::BudgetExhausted)?;
        Ok(())
    }

    fn eval(&mut self, expr: &Expr) -> Result<Val, ExpressionError> {
        self.spend(1)?;
        match expr {
            Expr::Literal(v) => Ok(v.clone()),
            Expr::List(items) => Ok(Val::List(
                items
                    .iter()
                    .map(|e| self.eval(e))
                    .collect::<Result<_, _>>()?,
            )),
            Expr::Variable(name) => Ok(self
                .variables
                .get(name.as_str())
                .cloned()
                .unwrap_or(Val::Map(BTreeMap::new()))),
            Expr::Select(target, field) => match self.eval(target)? {
                // A missing field of a map reads as the empty list, like flowdata.
                Val::Map(mut map) => Ok(map.remove(field).unwrap_or(Val::List(vec![]))),
                other => Err(type_error(format!(
                    "cannot select .{field} of a {}",
                    other.type_name()
                ))),
            },
            Expr::Index(target, index) => {
                let target = self.eval(target)?;
                let index = self.eval(index)?;
                match (target, index) {
                    (Val::List(items), Val::Int(i)) => usize::try_from(i)
                        .ok()
                        .and_then(|i| items.get(i).cloned())
                        .ok_or_else(|| type_error(format!("index {i} is out of range"))),
                    (Val::Map(map), Val::Str(key)) => {
                        Ok(map.get(&key).cloned().unwrap_or(Val::List(vec![])))
                    }
                    (t, i) => Err(type_error(format!(
                        "cannot index a {} with a {}",
                        t.type_name(),
                        i.type_name()
                    ))),
                }
            }
            Expr::Call(name, args) => {
                let args = self.eval_all(args)?;
                self.call(name, args)
            }
            Expr::Method(target, name, args) => {
                let target = self.eval(target)?;
                let args = self.eval_all(args)?;
                self.method(target, name, args)
            }
            Expr::Lookup(name, args) => {
                let args = self.eval_all(args)?;
                self.spend(10)?;
                self.lookups
                    .call(name, &args)
                    .map_err(ExpressionError::Lookup)
            }
            Expr::Unary(op, inner) => match (op, self.eval(inner)?) {
                (UnaryOp::Not, Val::Bool(b)) => Ok(Val::Bool(!b)),
                (UnaryOp::Negate, Val::Int(i)) => i
                    .checked_neg()
                    .map(Val::Int)
                    .ok_or_else(|| type_error("integer overflow".into())),
                (UnaryOp::Negate, Val::Float(x)) => Ok(Val::Float(-x)),
                (op, v) => Err(type_error(format!(
                    "cannot apply {op:?} to a {}",
                    v.type_name()
                ))),
            },
            Expr::Binary(BinaryOp::And, a, b) => {
                if !self.bool_of(a)? {
                    return Ok(Val::Bool(false));
                }
                Ok(Val::Bool(self.bool_of(b)?))
            }
            Expr::Binary(BinaryOp::Or, a, b) => {
                if self.bool_of(a)? {
                    return Ok(Val::Bool(true));
                }
                Ok(Val::Bool(self.bool_of(b)?))
            }
            Expr::Binary(op, a, b) => {
                let a = self.eval(a)?;
                let b = self.eval(b)?;
                self.binary(*op, a, b)
            }
            Expr::Conditional(condition, then, otherwise) => {
                if self.bool_of(condition)? {
                    self.eval(then)
                } else {
                    self.eval(otherwise)
                }
            }
        }
    }

    fn eval_all(&mut self, args: &[Expr]) -> Result<Vec<Val>, ExpressionError> {
        args.iter().map(|e| self.eval(e)).collect()
    }

    fn bool_of(&mut self, expr: &Expr) -> Result<bool, ExpressionError> {
        match self.eval(expr)? {
            Val::Bool(b) => Ok(b),
            other => Err(type_error(format!(
                "expected a bool, found a {}",
                other.type_name()
            ))),
        }
    }

    fn call(&mut self, name: &str, args: Vec<Val>) -> Result<Val, ExpressionError> {
        match (name, args.as_slice()) {
            ("size", [Val::List(items)]) => Ok(Val::Int(items.len() as i64)),
            ("size", [Val::Str(s)]) => Ok(Val::Int(s.chars().count() as i64)),
            ("size", [Val::Map(m)]) => Ok(Val::Int(m.len() as i64)),
            ("int", [Val::Int(i)]) => Ok(Val::Int(*i)),
            ("int", [Val::Float(x)]) => Ok(Val::Int(*x as i64)),
            ("int", [Val::Str(s)]) => s
                .trim()
                .parse()
                .map(Val::Int)
                .map_err(|_| type_error(format!("{s:?} is not an integer"))),
            ("string", [v]) => {
                self.spend(1)?;
                Ok(Val::Str(v.to_string()))
            }
            _ => Err(type_error(format!(
                "{name}() does not take ({})",
                args.iter()
                    .map(Val::type_name)
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        }
    }

    fn method(&mut self, target: Val, name: &str, args: Vec<Val>) -> Result<Val, ExpressionError> {
        match (target, name, args.as_slice()) {
            (Val::Str(s), "contains", [Val::Str(x)]) => Ok(Val::Bool(s.contains(x.as_str()))),
            (Val::Str(s), "startsWith", [Val::Str(x)]) => Ok(Val::Bool(s.starts_with(x.as_str()))),
            (Val::Str(s), "endsWith", [Val::Str(x)]) => Ok(Val::Bool(s.ends_with(x.as_str()))),
            (Val::Str(s), "lower", []) => Ok(Val::Str(s.to_lowercase())),
            (Val::Str(s), "upper", []) => Ok(Val::Str(s.to_uppercase())),
            (Val::List(items), "contains", [x]) => {
                self.spend(items.len())?;
                Ok(Val::Bool(items.contains(x)))
            }
            (target, name, args) => Err(type_error(format!(
                "a {} has no {name}({})",
                target.type_name(),
                args.iter()
                    .map(Val::type_name)
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        }
    }

    fn binary(&mut self, op: BinaryOp, a: Val, b: Val) -> Result<Val, ExpressionError> {
        use BinaryOp::*;
        let size = |v: &Val| match v {
            Val::List(items) => items.len(),
            Val::Str(s) => s.len() / 16,
            _ => 0,
        };
        self.spend(size(&a) + size(&b))?;
        match (op, a, b) {
            (Eq, a, b) => Ok(Val::Bool(equal(&a, &b))),
            (Ne, a, b) => Ok(Val::Bool(!equal(&a, &b))),
            (In, x, Val::List(items)) => Ok(Val::Bool(items.iter().any(|i| equal(i, &x)))),
            (In, Val::Str(key), Val::Map(map)) => Ok(Val::Bool(map.contains_key(&key))),
            (Lt | Le | Gt | Ge, a, b) => {
                let ordering = compare(&a, &b).ok_or_else(|| {
                    type_error(format!(
                        "cannot compare a {} with a {}",
                        a.type_name(),
                        b.type_name()
                    ))
                })?;
                Ok(Val::Bool(match op {
                    Lt => ordering.is_lt(),
                    Le => ordering.is_le(),
                    Gt => ordering.is_gt(),
                    _ => ordering.is_ge(),
                }))
            }
            (Add, Val::Str(a), Val::Str(b)) => Ok(Val::Str(a + &b)),
            (Add, Val::List(mut a), Val::List(b)) => {
                a.extend(b);
                Ok(Val::List(a))
            }
            (op, Val::Int(a), Val::Int(b)) => {
                let result = match op {
                    Add => a.checked_add(b),
                    Sub => a.checked_sub(b),
                    Mul => a.checked_mul(b),
                    Div => a.checked_div(b),
                    Rem => a.checked_rem(b),
                    _ => None,
                };
                result
                    .map(Val::Int)
                    .ok_or_else(|| type_error(format!("{op:?} of {a} and {b} is undefined")))
            }
            (op, a, b) => match (number(&a), number(&b)) {
                (Some(x), Some(y)) => Ok(Val::Float(match op {
                    Add => x + y,
                    Sub => x - y,
                    Mul => x * y,
                    Div => x / y,
                    Rem => x % y,
                    _ => {
                        return Err(type_error(format!("{op:?} is not defined for numbers")));
                    }
                })),
                _ => Err(type_error(format!(
                    "{op:?} is not defined for a {} and a {}",
                    a.type_name(),
                    b.type_name()
                ))),
            },
        }
    }
}

fn number(v: &Val) -> Option<f64> {
    match v {
        Val::Int(i) => Some(*i as f64),
        Val::Float(x) => Some(*x),
        _ => None,
    }
}

fn equal(a: &Val, b: &Val) -> bool {
    match (a, b) {
        (Val::Int(_) | Val::Float(_), Val::Int(_) | Val::Float(_)) => number(a) == number(b),
        (Val::List(x), Val::List(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| equal(a, b))
        }
        _ => a == b,
    }
}

fn compare(a: &Val, b: &Val) -> Option<std::cmp::Ordering> {
    match (a, b) {
        (Val::Str(x), Val::Str(y)) => Some(x.cmp(y)),
        (Val::Bool(x), Val::Bool(y)) => Some(x.cmp(y)),
        _ => number(a)?.partial_cmp(&number(b)?),
    }
}
