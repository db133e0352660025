//! A resource declaration: one TOML file per target system, checked like a definition,
//! every mistake reported at its line.

use crate::definition::{DefinitionErrors, Localized, Problems};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use toml::Spanned;

/// A resource's key: also the AMQP routing key, so only characters that mean nothing to
/// a topic exchange (no `*`, `#` or spaces; dots separate words).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ResourceKey(String);

impl ResourceKey {
    pub const MAX_LEN: usize = 64;

    pub fn parse(text: &str) -> Result<Self, String> {
        let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || "-_.".contains(c);
        if text.is_empty() || text.len() > Self::MAX_LEN {
            return Err(format!("must be 1 to {} characters", Self::MAX_LEN));
        }
        if !text.chars().all(allowed) || text.starts_with('.') || text.ends_with('.') {
            return Err(
                "may hold only lower-case letters, digits, '-', '_' and inner '.'".to_owned(),
            );
        }
        Ok(Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ResourceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// How requests reach the resource. Only the asynchronous broker today; a synchronous
/// connector or a manual work queue would be further variants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// Messages on the `assent.provisioning` exchange; `results`: the target system
    /// answers on `assent.provisioning.results`, so operations end confirmed or failed
    /// rather than stay at sent.
    Amqp { results: bool },
}

/// A field of the person's directory entry that an account attribute carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserField {
    Username,
    DisplayName,
    Email,
    Title,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ItemKind {
    Role,
    Resource,
    Entitlement,
}

impl ItemKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Role => "role",
            ItemKind::Resource => "resource",
            ItemKind::Entitlement => "entitlement",
        }
    }

    pub fn parse(word: &str) -> Option<Self> {
        [ItemKind::Role, ItemKind::Resource, ItemKind::Entitlement]
            .into_iter()
            .find(|kind| kind.as_str() == word)
    }
}

/// What every account on the resource holds, whatever gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountTemplate {
    pub attributes: BTreeMap<String, UserField>,
    /// The attribute that says whether the account may be used (`"true"`/`"false"`);
    /// without it, disabling a person sends nothing to this resource.
    pub enabled: Option<String>,
}

/// What holding one catalog item adds to the account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub item: String,
    /// Only holdings of this kind count; any kind when absent.
    pub kind: Option<ItemKind>,
    pub attributes: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resource {
    pub key: ResourceKey,
    pub name: Localized,
    pub object_class: String,
    pub transport: Transport,
    pub account: AccountTemplate,
    pub grants: Vec<Grant>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawResource {
    key: Spanned<String>,
    name: Spanned<BTreeMap<String, String>>,
    #[serde(default = "default_object_class")]
    object_class: String,
    transport: Spanned<RawTransport>,
    #[serde(default)]
    account: RawAccount,
    #[serde(default)]
    grant: Vec<Spanned<RawGrant>>,
}

fn default_object_class() -> String {
    "account".to_owned()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTransport {
    kind: Spanned<String>,
    #[serde(default)]
    results: bool,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawAccount {
    #[serde(default)]
    attributes: BTreeMap<String, Spanned<String>>,
    enabled: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGrant {
    item: Spanned<String>,
    kind: Option<Spanned<String>>,
    attributes: Spanned<BTreeMap<String, Vec<String>>>,
}

/// Reads one resource file. `file` names it in error messages.
pub fn parse_resource(file: &str, source: &str) -> Result<Resource, DefinitionErrors> {
    let mut problems = Problems::new(file, source);
    let resource = problems
        .read::<RawResource>()
        .and_then(|raw| convert(raw, &mut problems));
    problems.finish(resource)
}

fn convert(raw: RawResource, problems: &mut Problems) -> Option<Resource> {
    let key = ResourceKey::parse(raw.key.get_ref())
        .map_err(|error| problems.at(raw.key.span(), format!("key {error}")))
        .ok();
    if !raw.name.get_ref().contains_key("en") {
        problems.at(raw.name.span(), "name needs at least an English text (en)");
    }
    let transport = match raw.transport.get_ref().kind.get_ref().as_str() {
        "amqp" => Some(Transport::Amqp {
            results: raw.transport.get_ref().results,
        }),
        other => {
            let span = raw.transport.get_ref().kind.span();
            problems.at(
                span,
                format!("transport.kind must be \"amqp\", not {other:?}"),
            );
            None
        }
    };
    let account = convert_account(raw.account, problems);
    let mut grants: Vec<Grant> = Vec::new();
    for grant in raw.grant {
        let span = grant.span();
        let Some(grant) = convert_grant(grant.into_inner(), problems) else {
            continue;
        };
        if grants
            .iter()
            .any(|g| g.item == grant.item && g.kind == grant.kind)
        {
            problems.at(
                span.clone(),
                format!("item {:?} is mapped twice", grant.item),
            );
        }
        if let Some(shared) = grant
            .attributes
            .keys()
            .find(|a| account.attributes.contains_key(*a) || account.enabled.as_ref() == Some(a))
        {
            problems.at(
                span,
                format!("attribute {shared:?} is already filled from the account's template"),
            );
        }
        grants.push(grant);
    }
    if grants.is_empty() {
        problems.at(
            0..0,
            "a resource needs at least one [[grant]] of a catalog item",
        );
    }
    Some(Resource {
        key: key?,
        name: Localized(raw.name.into_inner()),
        object_class: raw.object_class,
        transport: transport?,
        account,
        grants,
    })
}

fn convert_account(raw: RawAccount, problems: &mut Problems) -> AccountTemplate {
    let fields = [
        ("username", UserField::Username),
        ("display_name", UserField::DisplayName),
        ("email", UserField::Email),
        ("title", UserField::Title),
    ];
    let mut attributes = BTreeMap::new();
    for (attribute, field) in raw.attributes {
        let key = format!("account.attributes.{attribute}");
        if let Some(field) = problems.one_of(field.span(), &key, field.get_ref(), &fields) {
            attributes.insert(attribute, field);
        }
    }
    let enabled = raw.enabled.and_then(|name| {
        if name.get_ref().trim().is_empty() || attributes.contains_key(name.get_ref()) {
            problems.at(
                name.span(),
                "account.enabled must name an attribute of its own",
            );
            None
        } else {
            Some(name.into_inner())
        }
    });
    AccountTemplate {
        attributes,
        enabled,
    }
}

fn convert_grant(raw: RawGrant, problems: &mut Problems) -> Option<Grant> {
    if raw.item.get_ref().trim().is_empty() {
        problems.at(raw.item.span(), "item must name a catalog item");
        return None;
    }
    let kind = match &raw.kind {
        None => None,
        Some(word) => {
            let choices = [
                ("role", ItemKind::Role),
                ("resource", ItemKind::Resource),
                ("entitlement", ItemKind::Entitlement),
            ];
            Some(problems.one_of(word.span(), "kind", word.get_ref(), &choices)?)
        }
    };
    let span = raw.attributes.span();
    let attributes = raw.attributes.into_inner();
    if attributes.is_empty() || attributes.values().any(Vec::is_empty) {
        problems.at(
            span,
            "attributes must give each attribute at least one value",
        );
        return None;
    }
    Some(Grant {
        item: raw.item.into_inner(),
        kind,
        attributes,
    })
}
