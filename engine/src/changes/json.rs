//! The JSON plumbing of change events: a strict reader for `parse_event` and a lenient
//! one for `peek`.

use super::values::{event_id, excerpt, sequence};
use super::{Peek, SourceName};
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::{Map, Value};
use std::fmt;

/// A JSON value read like serde_json's own, except that an object naming a key twice is
/// refused: serde_json keeps the last, and which `sequence` a source meant is a guess.
pub(super) struct Strict(pub(super) Value);

impl<'de> Deserialize<'de> for Strict {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StrictVisitor)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Strict;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Strict, E> {
        Ok(Strict(Value::Bool(v)))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Strict, E> {
        Ok(Strict(Value::from(v)))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Strict, E> {
        Ok(Strict(Value::from(v)))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Strict, E> {
        Ok(Strict(Value::from(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Strict, E> {
        Ok(Strict(Value::String(v.to_owned())))
    }
    fn visit_string<E>(self, v: String) -> Result<Strict, E> {
        Ok(Strict(Value::String(v)))
    }
    fn visit_unit<E>(self) -> Result<Strict, E> {
        Ok(Strict(Value::Null))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Strict, A::Error> {
        let mut items = Vec::new();
        while let Some(Strict(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Strict(Value::Array(items)))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Strict, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                return Err(de::Error::custom(format_args!(
                    "the field `{}` appears twice",
                    excerpt(&key)
                )));
            }
            let Strict(value) = map.next_value()?;
            object.insert(key, value);
        }
        Ok(Strict(Value::Object(object)))
    }
}

/// Reads `raw` into `peek` as far as it goes; the error is `parse_event`'s to report.
pub(super) fn read_peek(raw: &[u8], peek: &mut Peek) {
    let mut deserializer = serde_json::Deserializer::from_slice(raw);
    let _ = PeekVisitor(peek).deserialize(&mut deserializer);
}

#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "camelCase")]
enum PeekField {
    EventId,
    Source,
    Sequence,
    #[serde(other)]
    Other,
}

struct PeekVisitor<'p>(&'p mut Peek);

impl<'de> DeserializeSeed<'de> for PeekVisitor<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for PeekVisitor<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let peek = self.0;
        while let Some(field) = map.next_key::<PeekField>()? {
            let value = match field {
                PeekField::Other => {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
                _ => map.next_value::<Scalar>()?,
            };
            // The first valid value wins; parse_event refuses duplicates anyway.
            match (field, value) {
                (PeekField::EventId, Scalar::Str(s)) if peek.event_id.is_none() => {
                    peek.event_id = event_id(&s).ok().map(str::to_owned);
                }
                (PeekField::Source, Scalar::Str(s)) if peek.source.is_none() => {
                    peek.source = SourceName::parse(&s).ok();
                }
                (PeekField::Sequence, Scalar::Number(n)) if peek.sequence.is_none() => {
                    peek.sequence = sequence(&Value::from(n)).ok();
                }
                _ => {}
            }
        }
        Ok(())
    }
}

/// A value `peek` may keep: a short string or an unsigned integer; anything else is
/// skipped without being stored.
enum Scalar {
    Str(String),
    Number(u64),
    Other,
}

/// Longer strings cannot be a valid event id or source name.
const MAX_PEEK_STRING_BYTES: usize = 256;

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ScalarVisitor)
    }
}

struct ScalarVisitor;

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = Scalar;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<Scalar, E> {
        Ok(Scalar::Other)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Scalar, E> {
        Ok(Scalar::Other)
    }
    fn visit_u64<E>(self, v: u64) -> Result<Scalar, E> {
        Ok(Scalar::Number(v))
    }
    fn visit_f64<E>(self, _: f64) -> Result<Scalar, E> {
        Ok(Scalar::Other)
    }
    fn visit_str<E>(self, v: &str) -> Result<Scalar, E> {
        Ok(if v.len() <= MAX_PEEK_STRING_BYTES {
            Scalar::Str(v.to_owned())
        } else {
            Scalar::Other
        })
    }
    fn visit_unit<E>(self) -> Result<Scalar, E> {
        Ok(Scalar::Other)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Scalar, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Scalar::Other)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Scalar, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Scalar::Other)
    }
}
