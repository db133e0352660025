//! Change events pushed by source systems (an HR system, a directory), parsed into typed
//! values before anything is applied (see `shared/spec/change-events.md`).
//!
//! A malformed event stops the whole stream, so every refusal says which field is wrong
//! and why, in words an administrator can act on, without echoing more than a short
//! excerpt of what the source sent (an event may carry personal data).

mod json;
mod values;

use crate::UserName;
use json::Strict;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::fmt;
use values::{
    at_most_one, boolean, check_time, describe, email, event_id, exactly_one, excerpt, required,
    sequence, string, strings, text, user_name_error,
};

/// Larger events are refused unread: a source has no reason to send one, and a bound
/// keeps a broken or hostile source from making the parser allocate without limit.
pub const MAX_EVENT_BYTES: usize = 64 * 1024;

const FIELDS: [&str; 8] = [
    "eventId",
    "source",
    "sequence",
    "kind",
    "objectClass",
    "objectKey",
    "time",
    "attributes",
];

/// One change event, every part already checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeEvent {
    /// The source's own id of the event; an id already applied is a redelivery.
    pub event_id: String,
    pub source: SourceName,
    /// Grows per source; at most `i64::MAX` so that it fits a database BIGINT.
    pub sequence: u64,
    /// As sent: an RFC 3339 time with a zone, checked for shape only (no clock here).
    pub time: String,
    pub change: Change,
}

/// The name of a source system (`hr`), normalised like a user name so that `HR` and
/// `hr` are one stream with one sequence.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SourceName(String);

impl SourceName {
    pub const MAX_LEN: usize = 64;

    pub fn parse(raw: &str) -> Result<Self, ChangeEventError> {
        let invalid = |why: &str| ChangeEventError::invalid("source", why);
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(invalid("a source name is required"));
        }
        if trimmed.chars().count() > Self::MAX_LEN {
            return Err(invalid("a source name has at most 64 characters"));
        }
        let lowered = trimmed.to_ascii_lowercase();
        let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c);
        if !lowered.chars().all(allowed) {
            return Err(invalid(
                "a source name may contain only letters a-z, digits and . _ -",
            ));
        }
        Ok(Self(lowered))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SourceName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What the event asks for. Only combinations that mean something can be built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    CreateUser {
        user: UserName,
        attributes: UserAttributes,
    },
    /// Only the attributes named change; the others stay as stored.
    ModifyUser {
        user: UserName,
        attributes: UserAttributes,
    },
    /// kind delete of a user: disabled, never erased.
    DeleteUser { user: UserName },
    /// objectClass membership; kind create/modify use `member`, kind delete means member=false.
    Membership {
        user: UserName,
        group: String,
        member: bool,
    },
}

impl Change {
    /// The user the change is about (for a membership, the member).
    pub fn user(&self) -> &UserName {
        match self {
            Change::CreateUser { user, .. }
            | Change::ModifyUser { user, .. }
            | Change::DeleteUser { user }
            | Change::Membership { user, .. } => user,
        }
    }

    /// A short name for logs and the stream's status page.
    pub fn kind(&self) -> &'static str {
        match self {
            Change::CreateUser { .. } => "create",
            Change::ModifyUser { .. } => "modify",
            Change::DeleteUser { .. } => "delete",
            Change::Membership { .. } => "membership",
        }
    }
}

/// The user attributes an event names. `None` means "not named, leave as stored"; the
/// inner values say what to store, removal included.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserAttributes {
    /// Trimmed, 1 to 200 characters; cannot be removed (every user shows a name).
    pub display_name: Option<String>,
    /// Trimmed; `Some("")` removes the address (sent as `[]`).
    pub email: Option<String>,
    /// Trimmed, at most 200 characters; `Some("")` removes the title.
    pub title: Option<String>,
    /// `Some(None)`: the user has no manager any more.
    pub manager: Option<Option<UserName>>,
    /// `Some(None)`: the user belongs to no department any more.
    pub department: Option<Option<String>>,
    pub enabled: Option<bool>,
    /// Attributes Assent does not interpret, kept as sent for definitions to read.
    pub other: BTreeMap<String, Vec<String>>,
}

/// Why an event cannot be read. Display names the field and says what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChangeEventError {
    #[error("the event has {size} bytes; at most {max} are accepted")]
    TooLarge { size: usize, max: usize },
    #[error("the event is not UTF-8 text")]
    NotUtf8,
    #[error("the event cannot be read as JSON: {0}")]
    NotJson(String),
    #[error("the event must be a JSON object")]
    NotAnObject,
    /// Refused rather than ignored: a field Assent does not know may carry meaning the
    /// source expects to be honoured.
    #[error("unknown field `{0}`")]
    UnknownField(String),
    #[error("{0}: this field is required")]
    Missing(&'static str),
    #[error("{field}: {why}")]
    Invalid { field: String, why: String },
}

impl ChangeEventError {
    /// The field at fault (`attributes.manager`), for a status page that highlights it.
    pub fn field(&self) -> Option<&str> {
        match self {
            ChangeEventError::UnknownField(field) => Some(field),
            ChangeEventError::Missing(field) => Some(field),
            ChangeEventError::Invalid { field, .. } => Some(field),
            _ => None,
        }
    }

    fn invalid(field: &str, why: &str) -> Self {
        ChangeEventError::Invalid {
            field: field.to_owned(),
            why: why.to_owned(),
        }
    }
}

/// Reads one event; nothing is returned unless all of it is valid.
pub fn parse_event(raw: &[u8]) -> Result<ChangeEvent, ChangeEventError> {
    if raw.len() > MAX_EVENT_BYTES {
        return Err(ChangeEventError::TooLarge {
            size: raw.len(),
            max: MAX_EVENT_BYTES,
        });
    }
    let text = std::str::from_utf8(raw).map_err(|_| ChangeEventError::NotUtf8)?;
    let Strict(value) =
        serde_json::from_str(text).map_err(|e| ChangeEventError::NotJson(e.to_string()))?;
    let Value::Object(object) = value else {
        return Err(ChangeEventError::NotAnObject);
    };
    if let Some(name) = object.keys().find(|k| !FIELDS.contains(&k.as_str())) {
        return Err(ChangeEventError::UnknownField(excerpt(name)));
    }
    let event_id = event_id(string(required(&object, "eventId")?, "eventId")?)?;
    let source = SourceName::parse(string(required(&object, "source")?, "source")?)?;
    let sequence = sequence(required(&object, "sequence")?)?;
    let kind = Kind::parse(string(required(&object, "kind")?, "kind")?)?;
    let class = ObjectClass::parse(string(required(&object, "objectClass")?, "objectClass")?)?;
    let object_key = string(required(&object, "objectKey")?, "objectKey")?;
    let time = string(required(&object, "time")?, "time")?;
    check_time(time).map_err(|why| ChangeEventError::invalid("time", why))?;
    let attributes = match object.get("attributes") {
        None => None,
        Some(Value::Object(attributes)) => Some(attributes),
        Some(other) => {
            return Err(ChangeEventError::Invalid {
                field: "attributes".into(),
                why: format!("an object is expected, not {}", describe(other)),
            })
        }
    };
    let change = match class {
        ObjectClass::User => user_change(kind, object_key, attributes)?,
        ObjectClass::Membership => membership_change(kind, object_key, attributes)?,
    };
    Ok(ChangeEvent {
        event_id: event_id.to_owned(),
        source,
        sequence,
        time: time.to_owned(),
        change,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Create,
    Modify,
    Delete,
}

impl Kind {
    fn parse(raw: &str) -> Result<Self, ChangeEventError> {
        match raw {
            "create" => Ok(Kind::Create),
            "modify" => Ok(Kind::Modify),
            "delete" => Ok(Kind::Delete),
            _ => Err(ChangeEventError::Invalid {
                field: "kind".into(),
                why: format!(
                    "create, modify or delete is expected, not \"{}\"",
                    excerpt(raw)
                ),
            }),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ObjectClass {
    User,
    Membership,
}

impl ObjectClass {
    fn parse(raw: &str) -> Result<Self, ChangeEventError> {
        match raw {
            "user" => Ok(ObjectClass::User),
            "membership" => Ok(ObjectClass::Membership),
            _ => Err(ChangeEventError::Invalid {
                field: "objectClass".into(),
                why: format!("user or membership is expected, not \"{}\"", excerpt(raw)),
            }),
        }
    }
}

fn user_change(
    kind: Kind,
    object_key: &str,
    attributes: Option<&Map<String, Value>>,
) -> Result<Change, ChangeEventError> {
    let user = UserName::parse(object_key).map_err(|e| user_name_error("objectKey", e))?;
    // A delete only disables: whatever else the source sends along has no use, and
    // refusing it would stop the stream over data that is thrown away.
    if kind == Kind::Delete {
        return Ok(Change::DeleteUser { user });
    }
    let attributes = user_attributes(attributes.ok_or(ChangeEventError::Missing("attributes"))?)?;
    if kind == Kind::Create {
        if attributes.display_name.is_none() {
            return Err(ChangeEventError::Missing("attributes.displayName"));
        }
        Ok(Change::CreateUser { user, attributes })
    } else {
        Ok(Change::ModifyUser { user, attributes })
    }
}

// Bounds on what an event may carry, so that a source cannot grow the directory without
// limit; generous for any real directory.
const MAX_OBJECT_KEY_CHARS: usize = 256;
const MAX_TEXT_CHARS: usize = 200;
const MAX_DEPARTMENT_CHARS: usize = 120;
const MAX_GROUP_CHARS: usize = 120;
const MAX_OTHER_ATTRIBUTES: usize = 50;
const MAX_OTHER_NAME_CHARS: usize = 64;
const MAX_OTHER_VALUES: usize = 50;
const MAX_OTHER_VALUE_CHARS: usize = 1000;

/// The attribute names Assent interprets; another name differing only in case is
/// refused, as it is almost surely a typo that would otherwise be kept silently.
const USER_ATTRIBUTES: [&str; 6] = [
    "displayName",
    "email",
    "title",
    "manager",
    "department",
    "enabled",
];

fn user_attributes(attributes: &Map<String, Value>) -> Result<UserAttributes, ChangeEventError> {
    let mut parsed = UserAttributes::default();
    for (name, value) in attributes {
        let field = format!("attributes.{}", excerpt(name));
        let values = strings(&field, value)?;
        let invalid = |why: String| ChangeEventError::Invalid {
            field: field.clone(),
            why,
        };
        match name.as_str() {
            "displayName" => {
                let value = exactly_one(&field, &values)?;
                parsed.display_name = Some(text(&field, value, MAX_TEXT_CHARS)?);
            }
            "email" => {
                parsed.email = Some(match at_most_one(&field, &values)? {
                    None => String::new(),
                    Some(value) => email(&field, value)?,
                });
            }
            "title" => {
                parsed.title = Some(match at_most_one(&field, &values)? {
                    Some(value) if !value.trim().is_empty() => text(&field, value, MAX_TEXT_CHARS)?,
                    _ => String::new(),
                });
            }
            "manager" => {
                parsed.manager = Some(match at_most_one(&field, &values)? {
                    None => None,
                    Some(value) => {
                        Some(UserName::parse(value).map_err(|e| user_name_error(&field, e))?)
                    }
                });
            }
            "department" => {
                parsed.department = Some(match at_most_one(&field, &values)? {
                    None => None,
                    Some(value) => Some(text(&field, value, MAX_DEPARTMENT_CHARS)?),
                });
            }
            "enabled" => parsed.enabled = Some(boolean(&field, &values)?),
            _ => {
                if let Some(known) = USER_ATTRIBUTES
                    .iter()
                    .find(|known| known.eq_ignore_ascii_case(name))
                {
                    return Err(invalid(format!(
                        "attribute names are case-sensitive; did you mean {known}?"
                    )));
                }
                if name.is_empty() {
                    return Err(ChangeEventError::invalid(
                        "attributes",
                        "an attribute name cannot be empty",
                    ));
                }
                let name_ok = |c: char| c.is_ascii_alphanumeric() || "_.-".contains(c);
                if name.chars().count() > MAX_OTHER_NAME_CHARS || !name.chars().all(name_ok) {
                    return Err(invalid(
                        "an attribute name has 1 to 64 characters: letters A-Z a-z, digits and _ . -"
                            .into(),
                    ));
                }
                if values.len() > MAX_OTHER_VALUES {
                    return Err(invalid(format!(
                        "at most {MAX_OTHER_VALUES} values are accepted ({} given)",
                        values.len()
                    )));
                }
                if values
                    .iter()
                    .any(|v| v.chars().count() > MAX_OTHER_VALUE_CHARS)
                {
                    return Err(invalid(format!(
                        "a value has at most {MAX_OTHER_VALUE_CHARS} characters"
                    )));
                }
                if parsed.other.len() == MAX_OTHER_ATTRIBUTES {
                    return Err(ChangeEventError::invalid(
                        "attributes",
                        "at most 50 attributes besides the ones Assent knows are accepted",
                    ));
                }
                let values = values.iter().map(|v| (*v).to_owned()).collect();
                parsed.other.insert(name.clone(), values);
            }
        }
    }
    Ok(parsed)
}

fn membership_change(
    kind: Kind,
    object_key: &str,
    attributes: Option<&Map<String, Value>>,
) -> Result<Change, ChangeEventError> {
    // The key only names the membership in the source; user and group say what it is.
    let key_chars = object_key.trim().chars().count();
    if key_chars == 0 || key_chars > MAX_OBJECT_KEY_CHARS {
        return Err(ChangeEventError::invalid(
            "objectKey",
            "a membership key has 1 to 256 characters",
        ));
    }
    let attributes = attributes.ok_or(ChangeEventError::Missing("attributes"))?;
    let (mut user, mut group, mut member) = (None, None, None);
    for (name, value) in attributes {
        let field = format!("attributes.{}", excerpt(name));
        let values = strings(&field, value)?;
        match name.as_str() {
            "user" => {
                let value = exactly_one(&field, &values)?;
                user = Some(UserName::parse(value).map_err(|e| user_name_error(&field, e))?);
            }
            "group" => {
                group = Some(text(
                    &field,
                    exactly_one(&field, &values)?,
                    MAX_GROUP_CHARS,
                )?)
            }
            // A delete ends the membership whatever `member` says.
            "member" if kind == Kind::Delete => {}
            "member" => member = Some(boolean(&field, &values)?),
            _ => {
                return Err(ChangeEventError::invalid(
                    &field,
                    "a membership has only the attributes user, group and member",
                ))
            }
        }
    }
    let user = user.ok_or(ChangeEventError::Missing("attributes.user"))?;
    let group = group.ok_or(ChangeEventError::Missing("attributes.group"))?;
    let member = match kind {
        Kind::Delete => false,
        Kind::Create | Kind::Modify => {
            member.ok_or(ChangeEventError::Missing("attributes.member"))?
        }
    };
    Ok(Change::Membership {
        user,
        group,
        member,
    })
}

/// What can be read of an event that does not parse, so a stopped stream can say whose event it is.
///
/// Each value is one `parse_event` would also accept, so it can be trusted as far as it goes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Peek {
    pub event_id: Option<String>,
    pub source: Option<SourceName>,
    pub sequence: Option<u64>,
}

/// Best effort, never fails: reads the top-level object up to the first thing that is not
/// JSON, keeping what came before it (a truncated event still shows its id). Not bounded
/// by `MAX_EVENT_BYTES`, since an event too large is one to identify; it keeps nothing
/// but these three values, so memory stays small.
pub fn peek(raw: &[u8]) -> Peek {
    let mut peek = Peek::default();
    json::read_peek(raw, &mut peek);
    peek
}

#[cfg(test)]
mod tests;
