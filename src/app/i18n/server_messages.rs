//! The texts the server hands to people need a German text as much as the pages' own:
//! the pages show them through `tr` (or read them by their pattern first, as the
//! delegations page does with "{who} stands in for you from ..."), which looks them up in
//! the same tables. The test finds them in the server's sources by the forms they are
//! written in:
//!
//! - everywhere in `src/` (but the Workflow Management Service in `src/server/wfs`,
//!   which answers programs): a refusal, `AppError::Invalid(...)` and
//!   `TokenError::Invalid(...)` (which the tokens page turns into the former);
//! - in the pages' server functions (`src/server/pages`): the answer of a form,
//!   `Ok(...)`, and the failure of one item of a bulk decision, `message: ...`;
//! - in the use cases (`src/server/usecases`): `WorkflowError::Invalid(...)` and
//!   `Ok(...)`; in the shared model (`src/model`): `Err(...)` and `ok_or(...)`;
//! - the `#[error("...")]` texts written as sentences, those of the errors handed on to
//!   people whole (`AppError`, `LinkError` of the mailed links, the worklist's refusals);
//! - the field messages of request forms (`engine/src/form.rs`): `Err(...)`,
//!   `ok_or(...)` and `message: ...`.
//!
//! A message is a string literal, a `format!("...", ...)`, or the literals of an
//! `if`/`match` whose branches are `"...".into()`; anything else is a value handed on
//! from elsewhere and is looked at where it is made. A `{NAME}` placeholder naming an
//! integer constant of the same file is filled in; a text still built from values at run
//! time needs a German text of its shape (the page reads it by its pattern), and the
//! test prints those.

use super::german;
use std::path::{Path, PathBuf};

/// Texts left in English on purpose, with the reason.
const UNTRANSLATED: &[(&str, &str)] = &[(
    "{key}: not a field of this cart.",
    "answers only a forged post: the cart's own form names its fields",
)];

#[test]
fn every_message_of_the_server_has_a_german_translation() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let keys = german_keys(&root.join("src/app/i18n"));
    let mut messages = Vec::new();
    for path in rust_files(&root.join("src")) {
        let place = path.strip_prefix(root).unwrap();
        if place.starts_with("src/app/i18n") || place.starts_with("src/server/wfs") {
            continue;
        }
        let source = without_tests(&std::fs::read_to_string(&path).unwrap());
        let mut markers = vec!["AppError::Invalid(", "TokenError::Invalid("];
        if place.starts_with("src/server/pages") {
            markers.extend(["Ok(", "message: "]);
        }
        // The use cases refuse in the workflow layer's words and answer forms with
        // sentences; the shared model refuses a form it cannot read.
        if place.starts_with("src/server/usecases") {
            markers.extend(["WorkflowError::Invalid(", "AuditError::Invalid(", "Ok("]);
        }
        if place.starts_with("src/model") {
            markers.extend(["Err(", "ok_or("]);
        }
        messages.extend(messages_after(place, &source, &markers));
        messages.extend(error_sentences(place, &source));
    }
    let form = Path::new("engine/src/form.rs");
    let source = without_tests(&std::fs::read_to_string(root.join(form)).unwrap());
    messages.extend(messages_after(
        form,
        &source,
        &["Err(", "ok_or(", "message: "],
    ));

    let (missing, by_pattern) = untranslated(&messages, &keys);
    println!(
        "server texts built at run time, translated by their pattern:\n{}",
        by_pattern.join("\n")
    );
    assert!(
        messages.len() > 50,
        "the server's messages are found ({} texts)",
        messages.len()
    );
    assert!(
        missing.is_empty(),
        "no German text for these server messages (add one to a de_*.rs table; a text \
         built from run-time values needs one of its shape and a page that reads it by \
         its pattern):\n{}",
        missing.join("\n")
    );
}

/// The check itself must see a new message: one added to a server source is reported
/// until it has a German text, whether fixed or built with a constant.
#[test]
fn a_new_untranslated_message_is_reported() {
    let source = r#"
        const MAX_THINGS: usize = 7;
        fn check(done: bool) -> Result<String, AppError> {
            Err(AppError::Invalid("Nobody has translated this yet.".into()))?;
            Err(AppError::Invalid(format!("At most {MAX_THINGS} things.")))?;
            Ok(if done { "Approved.".into() } else { "Rejected.".into() })
        }
    "#;
    let place = Path::new("new.rs");
    let found = messages_after(place, source, &["AppError::Invalid(", "Ok("]);
    let texts: Vec<&str> = found.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(
        texts,
        [
            "Nobody has translated this yet.",
            "At most 7 things.",
            "Approved.",
            "Rejected."
        ]
    );
    let keys = german_keys(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src/app/i18n"));
    let (missing, _) = untranslated(&found, &keys);
    assert_eq!(
        missing,
        [
            "new.rs: \"Nobody has translated this yet.\"",
            "new.rs: \"At most 7 things.\""
        ]
    );
}

/// The messages without a German text, and the built ones whose German text is one of
/// their shape.
fn untranslated(messages: &[Message], keys: &[String]) -> (Vec<String>, Vec<String>) {
    let mut missing = Vec::new();
    let mut by_pattern = Vec::new();
    for message in messages {
        let text = message.text.as_str();
        if UNTRANSLATED
            .iter()
            .any(|(untranslated, _)| *untranslated == text)
        {
            continue;
        }
        if german(text).is_some() {
            continue;
        }
        let shaped = message
            .built
            .then(|| keys.iter().find(|key| fits(key, text) || fits(text, key)));
        match shaped.flatten() {
            Some(key) => by_pattern.push(format!("{text:?} ~ {key:?}")),
            None => missing.push(format!("{}: {text:?}", message.place.display())),
        }
    }
    (missing, by_pattern)
}

struct Message {
    place: PathBuf,
    text: String,
    /// Made by `format!`: looked up by its shape when no table has it as it is.
    built: bool,
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(path) = pending.pop() {
        if path.is_dir() {
            for entry in std::fs::read_dir(&path).unwrap() {
                pending.push(entry.unwrap().path());
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
    found.sort();
    found
}

/// A file's code without its module of unit tests, whose texts are shown to no one.
fn without_tests(source: &str) -> String {
    let tests = source
        .match_indices("#[cfg(test)]")
        .find(|(at, marker)| source[at + marker.len()..].trim_start().starts_with("mod "));
    match tests {
        Some((end, _)) => source[..end].to_owned(),
        None => source.to_owned(),
    }
}

/// The English keys of the German tables, for the texts built at run time.
fn german_keys(dir: &Path) -> Vec<String> {
    let mut keys = Vec::new();
    for path in rust_files(dir) {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.starts_with("de_") {
            continue;
        }
        let source = std::fs::read_to_string(&path).unwrap();
        let mut rest = source.as_str();
        while let Some(start) = rest.find('"') {
            let Some((text, after)) = string_literal(&rest[start..]) else {
                break;
            };
            let next = after.trim_start();
            if next.starts_with("=>") || next.starts_with('|') {
                keys.push(text);
            }
            rest = after;
        }
    }
    keys
}

/// The messages given as the argument after each of `markers`.
fn messages_after(place: &Path, source: &str, markers: &[&str]) -> Vec<Message> {
    let constants = integer_constants(source);
    let mut found = Vec::new();
    for marker in markers {
        for (start, _) in source.match_indices(marker) {
            // Only whole names: not `MyAppError::Invalid(` or `tok_or(`.
            let before = source[..start].chars().last();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let after = &source[start + marker.len()..];
            let argument = if marker.ends_with('(') {
                inside_parentheses(after)
            } else if after.trim_start().starts_with('"') {
                after
            } else {
                continue;
            };
            for (text, built) in texts_of(argument.trim_start()) {
                let text = if built {
                    fill_constants(&text, &constants)
                } else {
                    text
                };
                if has_words(&text) {
                    found.push(Message {
                        place: place.to_path_buf(),
                        text,
                        built,
                    });
                }
            }
        }
    }
    found
}

/// The `#[error("...")]` texts of a file written as sentences (a capital first, a
/// period last): those of the errors handed on to people whole (`AppError`, the mailed
/// links' `LinkError`, the worklist's refusals), where the ones for programs and logs
/// are lower case.
fn error_sentences(place: &Path, source: &str) -> Vec<Message> {
    source
        .match_indices("#[error(")
        .filter_map(|(at, marker)| string_literal(&source[at + marker.len()..]))
        .map(|(text, _)| text)
        .filter(|text| text.starts_with(char::is_uppercase) && text.ends_with('.'))
        .map(|text| Message {
            place: place.to_path_buf(),
            built: text.contains('{'),
            text: fill_constants(&text, &integer_constants(source)),
        })
        .collect()
}

/// The message texts an argument starts with, each with whether `format!` builds it.
fn texts_of(argument: &str) -> Vec<(String, bool)> {
    if argument.starts_with('"') {
        return string_literal(argument)
            .map(|(text, _)| vec![(text, false)])
            .unwrap_or_default();
    }
    if let Some(rest) = argument.strip_prefix("format!(") {
        return string_literal(rest.trim_start())
            .map(|(text, _)| vec![(text, true)])
            .unwrap_or_default();
    }
    // The literals of the branches of an `if` or `match` that is the message.
    if argument.starts_with("if ") || argument.starts_with("match ") {
        let mut texts = Vec::new();
        let mut rest = argument;
        while let Some(start) = rest.find('"') {
            let Some((text, after)) = string_literal(&rest[start..]) else {
                break;
            };
            if [".into()", ".to_owned()", ".to_string()"]
                .iter()
                .any(|call| after.starts_with(call))
            {
                texts.push((text, false));
            }
            rest = after;
        }
        return texts;
    }
    Vec::new()
}

/// The text up to the parenthesis that closes the one just before `source`.
fn inside_parentheses(source: &str) -> &str {
    let mut depth = 1;
    let mut rest = source;
    while let Some(at) = rest.find(['(', ')', '"']) {
        match rest.as_bytes()[at] {
            b'"' => match string_literal(&rest[at..]) {
                Some((_, after)) => {
                    rest = after;
                    continue;
                }
                None => break,
            },
            b'(' => depth += 1,
            _ => depth -= 1,
        }
        rest = &rest[at + 1..];
        if depth == 0 {
            return &source[..source.len() - rest.len() - 1];
        }
    }
    source
}

/// The string literal at the start of `source` (`"` first), and what follows it.
fn string_literal(source: &str) -> Option<(String, &str)> {
    let mut text = String::new();
    let mut chars = source.strip_prefix('"')?.char_indices();
    while let Some((at, c)) = chars.next() {
        match c {
            '"' => return Some((text, &source[at + 2..])),
            '\\' => match chars.next()?.1 {
                'n' => text.push('\n'),
                // A line continuation: the break and the next line's indent are no text.
                '\n' => {
                    let rest = chars.as_str();
                    let indent = rest.len() - rest.trim_start().len();
                    for _ in 0..indent {
                        chars.next();
                    }
                }
                other => text.push(other),
            },
            c => text.push(c),
        }
    }
    None
}

/// `const NAME: type = 123;` of a file, by name.
fn integer_constants(source: &str) -> Vec<(String, String)> {
    source
        .lines()
        .filter_map(|line| {
            let declaration = line.trim_start();
            let declaration = declaration
                .strip_prefix("pub ")
                .unwrap_or(declaration)
                .strip_prefix("const ")?;
            let (name, rest) = declaration.split_once(':')?;
            let value = rest.split_once('=')?.1.trim().strip_suffix(';')?;
            let value = value.replace('_', "");
            value
                .chars()
                .all(|c| c.is_ascii_digit())
                .then(|| (name.trim().to_owned(), value))
        })
        .collect()
}

fn fill_constants(text: &str, constants: &[(String, String)]) -> String {
    let mut text = text.to_owned();
    for (name, value) in constants {
        text = text.replace(&format!("{{{name}}}"), value);
    }
    text
}

/// Whether a text has words outside its placeholders: a message does, a number's or a
/// stamp's format (`"{}-{:x}"`) does not.
fn has_words(text: &str) -> bool {
    let mut depth = 0;
    text.chars().any(|c| {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            _ => {}
        }
        depth == 0 && c.is_alphabetic()
    })
}

/// Whether `text` fits `pattern`, whose `{...}` placeholders stand for any text.
fn fits(pattern: &str, text: &str) -> bool {
    match pattern.find('{') {
        None => pattern == text,
        Some(open) => {
            let Some(close) = pattern[open..].find('}') else {
                return pattern == text;
            };
            let (head, tail) = (&pattern[..open], &pattern[open + close + 1..]);
            let Some(rest) = text.strip_prefix(head) else {
                return false;
            };
            (1..=rest.len())
                .filter(|end| rest.is_char_boundary(*end))
                .any(|end| fits(tail, &rest[end..]))
        }
    }
}

#[test]
fn placeholders_stand_for_any_text() {
    assert!(fits(
        "{who} no longer stands in for you.",
        "{} no longer stands in for you."
    ));
    assert!(fits(
        "The {name} filter has at most 200 characters.",
        "The search filter has at most 200 characters."
    ));
    assert!(!fits(
        "{item} added to your cart.",
        "Removed from your cart."
    ));
    assert!(has_words("Forward to: {e}"));
    assert!(!has_words("{}-{:x}"));
}
