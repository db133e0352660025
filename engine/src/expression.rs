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

use std::collections::BTreeMap;
use std::fmt;

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

#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    List(Vec<Val>),
    Map(BTreeMap<String, Val>),
}

impl Val {
    fn type_name(&self) -> &'static str {
        match self {
            Val::Null => "null",
            Val::Bool(_) => "bool",
            Val::Int(_) => "int",
            Val::Float(_) => "double",
            Val::Str(_) => "string",
            Val::List(_) => "list",
            Val::Map(_) => "map",
        }
    }
}

impl fmt::Display for Val {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Val::Null => f.write_str("null"),
            Val::Bool(b) => write!(f, "{b}"),
            Val::Int(i) => write!(f, "{i}"),
            Val::Float(x) => write!(f, "{x}"),
            Val::Str(s) => f.write_str(s),
            Val::List(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str("]")
            }
            Val::Map(_) => f.write_str("{…}"),
        }
    }
}

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

#[derive(Debug, Clone, PartialEq)]
enum Expr {
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
enum UnaryOp {
    Not,
    Negate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BinaryOp {
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

/// A parsed, checked expression, ready to evaluate many times.
#[derive(Debug, Clone, PartialEq)]
pub struct Expression {
    source: String,
    tree: Expr,
}

impl Expression {
    /// Parses and checks names against the variables, functions and `lookups` known.
    pub fn parse(source: &str, lookups: &[&str]) -> Result<Self, ExpressionError> {
        if source.len() > MAX_SOURCE_LEN {
            return Err(ExpressionError::TooComplex);
        }
        let tokens = lex(source)?;
        let mut parser = Parser {
            tokens,
            position: 0,
            depth: 0,
        };
        let tree = parser.expression()?;
        if let Some(token) = parser.tokens.get(parser.position) {
            return Err(ExpressionError::Syntax {
                at: token.at,
                message: format!("unexpected {}", token.kind),
            });
        }
        check_names(&tree, lookups)?;
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
        let mut evaluator = Evaluator {
            variables,
            lookups,
            budget: DEFAULT_BUDGET,
        };
        evaluator.eval(&self.tree)
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

fn check_names(tree: &Expr, lookups: &[&str]) -> Result<(), ExpressionError> {
    let recurse = |e: &Expr| check_names(e, lookups);
    match tree {
        Expr::Literal(_) => Ok(()),
        Expr::List(items) => items.iter().try_for_each(recurse),
        Expr::Variable(name) => {
            if VARIABLES.contains(&name.as_str()) && name != "identity" {
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

// ---------------------------------------------------------------- lexing

#[derive(Debug, Clone, PartialEq)]
enum TokenKind {
    Int(i64),
    Float(f64),
    Str(String),
    Ident(String),
    Symbol(&'static str),
}

impl fmt::Display for TokenKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenKind::Int(i) => write!(f, "number {i}"),
            TokenKind::Float(x) => write!(f, "number {x}"),
            TokenKind::Str(s) => write!(f, "string {s:?}"),
            TokenKind::Ident(name) => write!(f, "{name:?}"),
            TokenKind::Symbol(s) => write!(f, "'{s}'"),
        }
    }
}

#[derive(Debug, Clone)]
struct Token {
    kind: TokenKind,
    at: usize,
}

const SYMBOLS: &[&str] = &[
    "&&", "||", "==", "!=", "<=", ">=", "<", ">", "!", "+", "-", "*", "/", "%", "?", ":", "(", ")",
    "[", "]", ",", ".",
];

fn lex(source: &str) -> Result<Vec<Token>, ExpressionError> {
    let bytes = source.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        if c.is_ascii_digit() {
            while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'.') {
                if bytes[i] == b'.' && !bytes.get(i + 1).is_some_and(u8::is_ascii_digit) {
                    break;
                }
                i += 1;
            }
            let text = &source[start..i];
            let kind = if text.contains('.') {
                TokenKind::Float(text.parse().map_err(|_| syntax(start, "bad number"))?)
            } else {
                TokenKind::Int(
                    text.parse()
                        .map_err(|_| syntax(start, "number too large"))?,
                )
            };
            tokens.push(Token { kind, at: start });
            continue;
        }
        if c.is_ascii_alphabetic() || c == b'_' {
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            tokens.push(Token {
                kind: TokenKind::Ident(source[start..i].to_owned()),
                at: start,
            });
            continue;
        }
        if c == b'\'' || c == b'"' {
            let quote = c;
            i += 1;
            let mut text = String::new();
            loop {
                let Some(&b) = bytes.get(i) else {
                    return Err(syntax(start, "unterminated string"));
                };
                if b == quote {
                    i += 1;
                    break;
                }
                if b == b'\\' {
                    let escaped = *bytes
                        .get(i + 1)
                        .ok_or_else(|| syntax(i, "dangling escape"))?;
                    text.push(match escaped {
                        b'n' => '\n',
                        b't' => '\t',
                        b'\\' => '\\',
                        b'\'' => '\'',
                        b'"' => '"',
                        _ => return Err(syntax(i, "unknown escape")),
                    });
                    i += 2;
                    continue;
                }
                let ch = source[i..].chars().next().expect("inside the string");
                text.push(ch);
                i += ch.len_utf8();
            }
            tokens.push(Token {
                kind: TokenKind::Str(text),
                at: start,
            });
            continue;
        }
        let symbol = SYMBOLS
            .iter()
            .find(|s| source[i..].starts_with(**s))
            .ok_or_else(|| syntax(i, "unexpected character"))?;
        i += symbol.len();
        tokens.push(Token {
            kind: TokenKind::Symbol(symbol),
            at: start,
        });
    }
    Ok(tokens)
}

fn syntax(at: usize, message: &str) -> ExpressionError {
    ExpressionError::Syntax {
        at,
        message: message.to_owned(),
    }
}

// ---------------------------------------------------------------- parsing

struct Parser {
    tokens: Vec<Token>,
    position: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<&TokenKind> {
        self.tokens.get(self.position).map(|t| &t.kind)
    }

    fn at(&self) -> usize {
        self.tokens
            .get(self.position)
            .map(|t| t.at)
            .unwrap_or_else(|| self.tokens.last().map(|t| t.at + 1).unwrap_or(0))
    }

    fn eat(&mut self, symbol: &str) -> bool {
        if matches!(self.peek(), Some(TokenKind::Symbol(s)) if *s == symbol) {
            self.position += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, symbol: &str) -> Result<(), ExpressionError> {
        if self.eat(symbol) {
            Ok(())
        } else {
            Err(syntax(self.at(), &format!("expected '{symbol}'")))
        }
    }

    fn nested<T>(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<T, ExpressionError>,
    ) -> Result<T, ExpressionError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(ExpressionError::TooComplex);
        }
        let result = f(self);
        self.depth -= 1;
        result
    }

    fn expression(&mut self) -> Result<Expr, ExpressionError> {
        self.nested(|p| {
            let condition = p.or()?;
            if p.eat("?") {
                let then = p.expression()?;
                p.expect(":")?;
                let otherwise = p.expression()?;
                Ok(Expr::Conditional(
                    Box::new(condition),
                    Box::new(then),
                    Box::new(otherwise),
                ))
            } else {
                Ok(condition)
            }
        })
    }

    fn or(&mut self) -> Result<Expr, ExpressionError> {
        let mut left = self.and()?;
        while self.eat("||") {
            left = Expr::Binary(BinaryOp::Or, Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, ExpressionError> {
        let mut left = self.relation()?;
        while self.eat("&&") {
            left = Expr::Binary(BinaryOp::And, Box::new(left), Box::new(self.relation()?));
        }
        Ok(left)
    }

    fn relation(&mut self) -> Result<Expr, ExpressionError> {
        let mut left = self.additive()?;
        loop {
            let op = match self.peek() {
                Some(TokenKind::Symbol("==")) => BinaryOp::Eq,
                Some(TokenKind::Symbol("!=")) => BinaryOp::Ne,
                Some(TokenKind::Symbol("<")) => BinaryOp::Lt,
                Some(TokenKind::Symbol("<=")) => BinaryOp::Le,
                Some(TokenKind::Symbol(">")) => BinaryOp::Gt,
                Some(TokenKind::Symbol(">=")) => BinaryOp::Ge,
                Some(TokenKind::Ident(word)) if word == "in" => BinaryOp::In,
                _ => return Ok(left),
            };
            self.position += 1;
            left = Expr::Binary(op, Box::new(left), Box::new(self.additive()?));
        }
    }

    fn additive(&mut self) -> Result<Expr, ExpressionError> {
        let mut left = self.multiplicative()?;
        loop {
            let op = if self.eat("+") {
                BinaryOp::Add
            } else if self.eat("-") {
                BinaryOp::Sub
            } else {
                return Ok(left);
            };
            left = Expr::Binary(op, Box::new(left), Box::new(self.multiplicative()?));
        }
    }

    fn multiplicative(&mut self) -> Result<Expr, ExpressionError> {
        let mut left = self.unary()?;
        loop {
            let op = if self.eat("*") {
                BinaryOp::Mul
            } else if self.eat("/") {
                BinaryOp::Div
            } else if self.eat("%") {
                BinaryOp::Rem
            } else {
                return Ok(left);
            };
            left = Expr::Binary(op, Box::new(left), Box::new(self.unary()?));
        }
    }

    fn unary(&mut self) -> Result<Expr, ExpressionError> {
        self.nested(|p| {
            if p.eat("!") {
                Ok(Expr::Unary(UnaryOp::Not, Box::new(p.unary()?)))
            } else if p.eat("-") {
                Ok(Expr::Unary(UnaryOp::Negate, Box::new(p.unary()?)))
            } else {
                p.member()
            }
        })
    }

    fn member(&mut self) -> Result<Expr, ExpressionError> {
        let mut target = self.primary()?;
        loop {
            if self.eat(".") {
                let Some(TokenKind::Ident(name)) = self.peek().cloned() else {
                    return Err(syntax(self.at(), "expected a name after '.'"));
                };
                self.position += 1;
                if self.eat("(") {
                    let args = self.arguments()?;
                    target = match target {
                        Expr::Variable(ref v) if v == "identity" => Expr::Lookup(name, args),
                        other => Expr::Method(Box::new(other), name, args),
                    };
                } else {
                    target = Expr::Select(Box::new(target), name);
                }
            } else if self.eat("[") {
                let index = self.expression()?;
                self.expect("]")?;
                target = Expr::Index(Box::new(target), Box::new(index));
            } else {
                return Ok(target);
            }
        }
    }

    fn arguments(&mut self) -> Result<Vec<Expr>, ExpressionError> {
        let mut args = Vec::new();
        if self.eat(")") {
            return Ok(args);
        }
        loop {
            args.push(self.expression()?);
            if self.eat(")") {
                return Ok(args);
            }
            self.expect(",")?;
        }
    }

    fn primary(&mut self) -> Result<Expr, ExpressionError> {
        let at = self.at();
        let Some(token) = self.peek().cloned() else {
            return Err(syntax(at, "unexpected end of expression"));
        };
        self.position += 1;
        match token {
            TokenKind::Int(i) => Ok(Expr::Literal(Val::Int(i))),
            TokenKind::Float(x) => Ok(Expr::Literal(Val::Float(x))),
            TokenKind::Str(s) => Ok(Expr::Literal(Val::Str(s))),
            TokenKind::Ident(name) => match name.as_str() {
                "true" => Ok(Expr::Literal(Val::Bool(true))),
                "false" => Ok(Expr::Literal(Val::Bool(false))),
                "null" => Ok(Expr::Literal(Val::Null)),
                _ if self.eat("(") => Ok(Expr::Call(name, self.arguments()?)),
                _ => Ok(Expr::Variable(name)),
            },
            TokenKind::Symbol("(") => {
                let inner = self.expression()?;
                self.expect(")")?;
                Ok(inner)
            }
            TokenKind::Symbol("[") => {
                let mut items = Vec::new();
                if !self.eat("]") {
                    loop {
                        items.push(self.expression()?);
                        if self.eat("]") {
                            break;
                        }
                        self.expect(",")?;
                    }
                }
                Ok(Expr::List(items))
            }
            other => Err(syntax(at, &format!("unexpected {other}"))),
        }
    }
}

// ---------------------------------------------------------------- evaluation

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

#[cfg(test)]
mod tests {
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
}
