//! Lexing: source text into tokens, each with the character it starts at.

use super::ExpressionError;
use std::fmt;

#[derive(Debug, Clone, PartialEq)]
pub(super) enum TokenKind {
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
pub(super) struct Token {
    pub(super) kind: TokenKind,
    pub(super) at: usize,
}

/// Two-character symbols stand before their one-character starts (`<=` before `<`): the
/// first that matches is the one meant.
const SYMBOLS: &[&str] = &[
    "&&", "||", "==", "!=", "<=", ">=", "<", ">", "!", "+", "-", "*", "/", "%", "?", ":", "(", ")",
    "[", "]", ",", ".",
];

/// Splits `source` into tokens; a character the language does not use, a bad number or
/// an unfinished string is a syntax error at its place.
pub(super) fn lex(source: &str) -> Result<Vec<Token>, ExpressionError> {
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

/// A syntax error at character `at`.
pub(super) fn syntax(at: usize, message: &str) -> ExpressionError {
    ExpressionError::Syntax {
        at,
        message: message.to_owned(),
    }
}
