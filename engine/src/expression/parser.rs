//! Parsing: tokens into a syntax tree, by recursive descent with CEL's precedence (`? :`,
//! `||`, `&&`, relations, `+ -`, `* / %`, unary, member access). Nesting is limited so a
//! deep expression is refused, not a stack overflow.

use super::lexer::{syntax, Token, TokenKind};
use super::tree::{BinaryOp, Expr, UnaryOp};
use super::{ExpressionError, Val, MAX_DEPTH};

/// The tree of a whole expression; a token left over after it is a syntax error.
pub(super) fn parse(tokens: Vec<Token>) -> Result<Expr, ExpressionError> {
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
    Ok(tree)
}

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
        self.binary_level(&[("||", BinaryOp::Or)], Self::and)
    }

    fn and(&mut self) -> Result<Expr, ExpressionError> {
        self.binary_level(&[("&&", BinaryOp::And)], Self::relation)
    }

    fn relation(&mut self) -> Result<Expr, ExpressionError> {
        let operators = [
            ("==", BinaryOp::Eq),
            ("!=", BinaryOp::Ne),
            ("<", BinaryOp::Lt),
            ("<=", BinaryOp::Le),
            (">", BinaryOp::Gt),
            (">=", BinaryOp::Ge),
            ("in", BinaryOp::In),
        ];
        self.binary_level(&operators, Self::additive)
    }

    fn additive(&mut self) -> Result<Expr, ExpressionError> {
        let operators = [("+", BinaryOp::Add), ("-", BinaryOp::Sub)];
        self.binary_level(&operators, Self::multiplicative)
    }

    fn multiplicative(&mut self) -> Result<Expr, ExpressionError> {
        let operators = [
            ("*", BinaryOp::Mul),
            ("/", BinaryOp::Div),
            ("%", BinaryOp::Rem),
        ];
        self.binary_level(&operators, Self::unary)
    }

    /// One level of left-associative binary operators, `operand (operator operand)*`:
    /// `1 - 2 - 3` is `(1 - 2) - 3`.
    fn binary_level(
        &mut self,
        operators: &[(&str, BinaryOp)],
        operand: fn(&mut Self) -> Result<Expr, ExpressionError>,
    ) -> Result<Expr, ExpressionError> {
        let mut left = operand(self)?;
        while let Some(op) = self.eat_operator(operators) {
            left = Expr::Binary(op, Box::new(left), Box::new(operand(self)?));
        }
        Ok(left)
    }

    /// Takes the next token if it is one of `operators`. `in` is a word, not a symbol.
    fn eat_operator(&mut self, operators: &[(&str, BinaryOp)]) -> Option<BinaryOp> {
        let (_, op) = operators.iter().find(|(text, _)| match self.peek() {
            Some(TokenKind::Symbol(symbol)) => symbol == text,
            Some(TokenKind::Ident(word)) => word == text,
            _ => false,
        })?;
        self.position += 1;
        Some(*op)
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
