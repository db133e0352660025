//! The checks of single values, shared by the envelope and the attributes.

use super::ChangeEventError;
use crate::calendar::days_in_month;
use crate::UserNameError;
use serde_json::{Map, Value};

const MAX_EVENT_ID_CHARS: usize = 128;
const MAX_EMAIL_CHARS: usize = 254;
/// The most of the input an error message repeats.
pub(super) const EXCERPT_CHARS: usize = 60;

pub(super) fn required<'a>(
    object: &'a Map<String, Value>,
    field: &'static str,
) -> Result<&'a Value, ChangeEventError> {
    object.get(field).ok_or(ChangeEventError::Missing(field))
}

pub(super) fn string<'a>(value: &'a Value, field: &str) -> Result<&'a str, ChangeEventError> {
    value.as_str().ok_or_else(|| ChangeEventError::Invalid {
        field: field.to_owned(),
        why: format!("a string is expected, not {}", describe(value)),
    })
}

/// How a value that has the wrong type is described to the person fixing the source.
pub(super) fn describe(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "true or false",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

pub(super) fn event_id(raw: &str) -> Result<&str, ChangeEventError> {
    let printable = |c: char| c.is_ascii_graphic();
    if raw.is_empty() || raw.len() > MAX_EVENT_ID_CHARS || !raw.chars().all(printable) {
        return Err(ChangeEventError::invalid(
            "eventId",
            "an event id has 1 to 128 printable ASCII characters and no spaces",
        ));
    }
    Ok(raw)
}

/// A JSON integer from 1 to `i64::MAX` (the database stores it as a BIGINT). A string or
/// a fraction is refused rather than converted: it shows a source that is not counting.
pub(super) fn sequence(value: &Value) -> Result<u64, ChangeEventError> {
    let invalid = |why: &str| ChangeEventError::invalid("sequence", why);
    let Value::Number(number) = value else {
        return Err(ChangeEventError::Invalid {
            field: "sequence".into(),
            why: format!("a whole number is expected, not {}", describe(value)),
        });
    };
    if let Some(n) = number.as_u64() {
        if n == 0 {
            return Err(invalid("the sequence starts at 1"));
        }
        if i64::try_from(n).is_err() {
            return Err(invalid("the sequence is at most 9223372036854775807"));
        }
        return Ok(n);
    }
    if number.is_i64() {
        return Err(invalid("the sequence starts at 1"));
    }
    Err(invalid(
        "a whole number is expected, without a fraction or an exponent",
    ))
}

/// Checks the shape of `YYYY-MM-DDTHH:MM:SS(.fraction)?(Z|±HH:MM)` and that each part is
/// in range. By hand, because the engine has no clock crate; the server parses the time.
pub(super) fn check_time(raw: &str) -> Result<(), &'static str> {
    const SHAPE: &str =
        "an RFC 3339 date and time with a time zone is expected, such as 2026-12-03T07:05:03Z";
    let b = raw.as_bytes();
    let digits = |from: usize, len: usize| -> Option<u32> {
        let part = b.get(from..from + len)?;
        part.iter().try_fold(0u32, |n, d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    };
    let at = |i: usize, c: u8| b.get(i) == Some(&c);
    let (Some(year), Some(month), Some(day), Some(hour), Some(minute), Some(second)) = (
        digits(0, 4),
        digits(5, 2),
        digits(8, 2),
        digits(11, 2),
        digits(14, 2),
        digits(17, 2),
    ) else {
        return Err(SHAPE);
    };
    if !(at(4, b'-') && at(7, b'-') && at(10, b'T') && at(13, b':') && at(16, b':')) {
        return Err(SHAPE);
    }
    let mut rest = 19;
    if at(rest, b'.') {
        let fraction = b[rest + 1..]
            .iter()
            .take_while(|d| d.is_ascii_digit())
            .count();
        if fraction == 0 || fraction > 9 {
            return Err("the fraction of a second has 1 to 9 digits");
        }
        rest += 1 + fraction;
    }
    match b.get(rest) {
        Some(b'Z') if b.len() == rest + 1 => {}
        Some(b'+' | b'-') if b.len() == rest + 6 && at(rest + 3, b':') => {
            let (Some(zone_hours), Some(zone_minutes)) = (digits(rest + 1, 2), digits(rest + 4, 2))
            else {
                return Err(SHAPE);
            };
            if zone_hours > 23 || zone_minutes > 59 {
                return Err("the time zone offset is out of range");
            }
        }
        _ => return Err(SHAPE),
    }
    let days_in_month = days_in_month(year, month).ok_or("the date does not exist")?;
    if year == 0 || day == 0 || day > days_in_month {
        return Err("the date does not exist");
    }
    // 60 seconds: a leap second, which RFC 3339 allows.
    if hour > 23 || minute > 59 || second > 60 {
        return Err("the time of day is out of range");
    }
    Ok(())
}

/// Every attribute is a list of strings, even one with a single value (the spec's rule,
/// so a source never has to guess which attributes are lists).
pub(super) fn strings<'a>(field: &str, value: &'a Value) -> Result<Vec<&'a str>, ChangeEventError> {
    let not_a_list = || ChangeEventError::invalid(field, "a list of strings is expected");
    let Value::Array(items) = value else {
        return Err(not_a_list());
    };
    items
        .iter()
        .map(|item| item.as_str().ok_or_else(not_a_list))
        .collect()
}

pub(super) fn exactly_one<'a>(
    field: &str,
    values: &[&'a str],
) -> Result<&'a str, ChangeEventError> {
    match values {
        [value] => Ok(value),
        _ => Err(ChangeEventError::Invalid {
            field: field.to_owned(),
            why: format!("exactly one value is expected ({} given)", values.len()),
        }),
    }
}

/// For attributes that can be removed: `[]` removes, one value sets.
pub(super) fn at_most_one<'a>(
    field: &str,
    values: &[&'a str],
) -> Result<Option<&'a str>, ChangeEventError> {
    match values {
        [] => Ok(None),
        [value] => Ok(Some(value)),
        _ => Err(ChangeEventError::Invalid {
            field: field.to_owned(),
            why: format!(
                "at most one value is expected ({} given); send [] to remove it",
                values.len()
            ),
        }),
    }
}

/// Text shown to people: trimmed, one line, 1 to `max` characters.
pub(super) fn text(field: &str, raw: &str, max: usize) -> Result<String, ChangeEventError> {
    let trimmed = raw.trim();
    if trimmed.chars().any(char::is_control) {
        return Err(ChangeEventError::invalid(
            field,
            "control characters (such as line breaks or tabs) are not allowed",
        ));
    }
    let chars = trimmed.chars().count();
    if chars == 0 || chars > max {
        return Err(ChangeEventError::Invalid {
            field: field.to_owned(),
            why: format!("1 to {max} characters are expected ({chars} given)"),
        });
    }
    Ok(trimmed.to_owned())
}

/// Only the shape mail needs; whether the address exists is the source's business.
pub(super) fn email(field: &str, raw: &str) -> Result<String, ChangeEventError> {
    let trimmed = raw.trim();
    if trimmed.chars().count() > MAX_EMAIL_CHARS {
        return Err(ChangeEventError::invalid(
            field,
            "an e-mail address has at most 254 characters",
        ));
    }
    if trimmed.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(ChangeEventError::invalid(
            field,
            "an e-mail address contains no spaces or control characters",
        ));
    }
    match trimmed.split_once('@') {
        Some((local, domain))
            if !local.is_empty() && !domain.is_empty() && !domain.contains('@') =>
        {
            Ok(trimmed.to_owned())
        }
        _ => Err(ChangeEventError::invalid(
            field,
            "an e-mail address has text on both sides of one @; send [] to remove it",
        )),
    }
}

pub(super) fn boolean(field: &str, values: &[&str]) -> Result<bool, ChangeEventError> {
    match values {
        ["true"] => Ok(true),
        ["false"] => Ok(false),
        _ => Err(ChangeEventError::invalid(
            field,
            "exactly one value, \"true\" or \"false\", is expected",
        )),
    }
}

pub(super) fn user_name_error(field: &str, error: UserNameError) -> ChangeEventError {
    ChangeEventError::Invalid {
        field: field.to_owned(),
        why: error.to_string(),
    }
}

/// At most `EXCERPT_CHARS` of the input, control characters escaped, for error messages.
pub(super) fn excerpt(raw: &str) -> String {
    let mut out: String = raw
        .chars()
        .take(EXCERPT_CHARS)
        .flat_map(char::escape_debug)
        .collect();
    if raw.chars().nth(EXCERPT_CHARS).is_some() {
        out.push('…');
    }
    out
}
