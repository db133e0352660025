//! The `path` of a `rest` activity: text appended to the endpoint's base URL, with
//! `{expression}` placeholders whose values are filled in when the activity runs.
//! Checked at deploy (here) and filled in by the runtime, so both read it alike.

/// The variable a `rest` activity's `assign` expressions read its answer from:
/// `response.status`, `response.body.<field>`, `response.calls`.
pub const RESPONSE_VARIABLE: &str = "response";

/// One piece of a path: text as written, or a placeholder's expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathPart<'a> {
    Text(&'a str),
    Placeholder(&'a str),
}

/// Splits `path` into text and placeholders. The path starts with `/` or `?` (or is
/// empty: the base URL itself); a brace without its partner, an empty placeholder, or
/// text a URL cannot carry (spaces, `#`) is an error. An expression in a placeholder
/// cannot hold braces, which the expression language never needs.
pub fn path_parts(path: &str) -> Result<Vec<PathPart<'_>>, String> {
    if !path.is_empty() && !path.starts_with(['/', '?']) {
        return Err(format!("path {path:?} must start with '/' or '?'"));
    }
    let mut parts = Vec::new();
    let mut rest = path;
    while !rest.is_empty() {
        match rest.find(['{', '}']) {
            Some(at) if rest[at..].starts_with('}') => {
                return Err(format!("path {path:?} has a '}}' without its '{{'"));
            }
            Some(at) => {
                push_text(&mut parts, &rest[..at], path)?;
                let inner = &rest[at + 1..];
                let end = inner
                    .find(['{', '}'])
                    .filter(|&end| inner[end..].starts_with('}'))
                    .ok_or_else(|| format!("path {path:?} has a '{{' without its '}}'"))?;
                let expression = inner[..end].trim();
                if expression.is_empty() {
                    return Err(format!("path {path:?} has an empty placeholder"));
                }
                parts.push(PathPart::Placeholder(expression));
                rest = &inner[end + 1..];
            }
            None => {
                push_text(&mut parts, rest, path)?;
                rest = "";
            }
        }
    }
    Ok(parts)
}

fn push_text<'a>(parts: &mut Vec<PathPart<'a>>, text: &'a str, path: &str) -> Result<(), String> {
    if text
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || c == '#')
    {
        return Err(format!(
            "path {path:?} may not contain spaces, control characters or '#'"
        ));
    }
    if !text.is_empty() {
        parts.push(PathPart::Text(text));
    }
    Ok(())
}

/// `value` as one path segment: every byte but letters, digits and `-._~` is
/// percent-encoded, so a value cannot add segments, a query or a fragment. `.` and `..`
/// are refused: URLs resolve them (even encoded) to this or the parent segment.
pub fn encode_segment(value: &str) -> Result<String, String> {
    if value == "." || value == ".." || value.is_empty() {
        return Err(format!("{value:?} cannot be a path segment"));
    }
    let mut encoded = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    Ok(encoded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_split_from_text() {
        assert_eq!(
            path_parts("/employees/{flowdata.request.user[0]}/roles?active=true"),
            Ok(vec![
                PathPart::Text("/employees/"),
                PathPart::Placeholder("flowdata.request.user[0]"),
                PathPart::Text("/roles?active=true"),
            ])
        );
        assert_eq!(path_parts(""), Ok(vec![]));
        assert_eq!(
            path_parts("/{ subject.id }"),
            Ok(vec![
                PathPart::Text("/"),
                PathPart::Placeholder("subject.id")
            ])
        );
    }

    #[test]
    fn bad_paths_are_named() {
        for bad in [
            "employees",
            "/a/{x",
            "/a/x}",
            "/a/{}",
            "/a/{ {x} }",
            "/a b",
            "/a#top",
        ] {
            let error = path_parts(bad).unwrap_err();
            assert!(error.contains(&format!("{bad:?}")), "{bad}: {error}");
        }
    }

    #[test]
    fn values_cannot_leave_their_segment() {
        assert_eq!(encode_segment("nina.k"), Ok("nina.k".into()));
        assert_eq!(
            encode_segment("a/b?c=d#e f"),
            Ok("a%2Fb%3Fc%3Dd%23e%20f".into())
        );
        assert_eq!(encode_segment("Jürgen"), Ok("J%C3%BCrgen".into()));
        for bad in [".", "..", ""] {
            assert!(encode_segment(bad).is_err(), "{bad:?}");
        }
    }
}
