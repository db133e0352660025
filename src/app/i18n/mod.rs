//! English and German for every text of the pages. The English text is the key: a page
//! writes `t(lang, "Worklist")`, and the German tables answer for it. The language is
//! the user's choice (a cookie set from the frame), else the browser's
//! (`Accept-Language`); the server renders in it and puts it on `<html lang>`, where the
//! browser half reads it back, so both halves render the same words.

mod de_access;
mod de_admin;
mod de_changes;
mod de_common;
mod de_definitions;
mod de_provisioning;
mod de_replay;
mod de_requests;
mod de_users;
mod de_work;
#[cfg(test)]
mod server_messages;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The cookie holding the user's choice of language.
pub const LANG_COOKIE: &str = "assent_lang";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    En,
    De,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::De => "de",
        }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        match code.trim().to_ascii_lowercase().get(..2)? {
            "en" => Some(Lang::En),
            "de" => Some(Lang::De),
            _ => None,
        }
    }

    /// The first supported language of an `Accept-Language` header, by weight.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut choices: Vec<(f32, Lang)> = header
            .split(',')
            .filter_map(|part| {
                let mut pieces = part.split(';');
                let lang = Lang::from_code(pieces.next()?)?;
                let weight = pieces
                    .find_map(|p| p.trim().strip_prefix("q=").and_then(|q| q.parse().ok()))
                    .unwrap_or(1.0);
                Some((weight, lang))
            })
            .collect();
        choices.sort_by(|a, b| b.0.total_cmp(&a.0));
        choices.first().map(|(_, lang)| *lang)
    }

    /// The language of a request: the cookie, else `Accept-Language`, else English.
    pub fn for_request(cookie_header: Option<&str>, accept_language: Option<&str>) -> Lang {
        cookie_header
            .and_then(|cookies| {
                cookies.split(';').find_map(|pair| {
                    let (name, value) = pair.trim().split_once('=')?;
                    (name == LANG_COOKIE)
                        .then(|| Lang::from_code(value))
                        .flatten()
                })
            })
            .or_else(|| accept_language.and_then(Lang::from_accept_language))
            .unwrap_or_default()
    }
}

#[cfg(feature = "ssr")]
impl Lang {
    /// The language of an HTTP request: its cookie, else its `Accept-Language`.
    pub fn of_request(parts: &axum::http::request::Parts) -> Lang {
        let header = |name| {
            parts
                .headers
                .get(name)
                .and_then(|v: &axum::http::HeaderValue| v.to_str().ok())
        };
        Lang::for_request(
            header(axum::http::header::COOKIE),
            header(axum::http::header::ACCEPT_LANGUAGE),
        )
    }
}

/// The language of the page being rendered.
pub fn use_lang() -> Lang {
    use_context::<Lang>().unwrap_or_default()
}

fn german(en: &str) -> Option<&'static str> {
    de_common::get(en)
        .or_else(|| de_requests::get(en))
        .or_else(|| de_work::get(en))
        .or_else(|| de_access::get(en))
        .or_else(|| de_provisioning::get(en))
        .or_else(|| de_changes::get(en))
        .or_else(|| de_admin::get(en))
        .or_else(|| de_replay::get(en))
        .or_else(|| de_definitions::get(en))
        .or_else(|| de_users::get(en))
}

/// A fixed text in the page's language.
pub fn t(lang: Lang, en: &'static str) -> &'static str {
    match lang {
        Lang::En => en,
        Lang::De => german(en).unwrap_or(en),
    }
}

/// A text with `{name}` placeholders, filled in after translation.
pub fn tf(lang: Lang, en: &'static str, values: &[(&str, String)]) -> String {
    let mut text = t(lang, en).to_owned();
    for (name, value) in values {
        text = text.replace(&format!("{{{name}}}"), value);
    }
    text
}

/// A text that came from the server (a message): translated when it is a known one.
pub fn tr(lang: Lang, text: &str) -> String {
    match lang {
        Lang::En => text.to_owned(),
        Lang::De => german(text)
            .map(str::to_owned)
            .unwrap_or_else(|| text.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_language_comes_from_the_cookie_then_the_browser() {
        let cases = [
            (None, None, Lang::En),
            (None, Some("de-DE,de;q=0.9,en;q=0.8"), Lang::De),
            (None, Some("fr-FR,en;q=0.5,de;q=0.7"), Lang::De),
            (None, Some("fr-FR"), Lang::En),
            (Some("a=b; assent_lang=en"), Some("de"), Lang::En),
            (Some("assent_lang=de"), None, Lang::De),
            (Some("assent_lang=xx"), Some("de"), Lang::De),
        ];
        for (cookie, accept, expected) in cases {
            assert_eq!(
                Lang::for_request(cookie, accept),
                expected,
                "{cookie:?} {accept:?}"
            );
        }
    }

    #[test]
    fn placeholders_are_filled_after_translation() {
        let text = tf(Lang::De, "{count} open items", &[("count", "3".into())]);
        assert_eq!(text, "3 offene Vorgänge");
        assert_eq!(t(Lang::En, "Worklist"), "Worklist");
    }

    /// Every `t(lang, "...")` / `tf(lang, "...", ...)` in the pages has a German text, so
    /// a new English text without one fails here rather than showing English to German
    /// users.
    #[test]
    fn every_text_of_the_pages_has_a_german_translation() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/app");
        let mut files = vec![root.clone()];
        let mut missing = Vec::new();
        let mut seen = 0;
        while let Some(path) = files.pop() {
            if path.is_dir() {
                for entry in std::fs::read_dir(&path).unwrap() {
                    files.push(entry.unwrap().path());
                }
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") || path.starts_with(root.join("i18n")) {
                continue;
            }
            let source = std::fs::read_to_string(&path).unwrap();
            for marker in ["t(lang, \"", "tf(lang, \""] {
                for (start, _) in source.match_indices(marker) {
                    // Only whole calls: not `ft(lang, ...` or `tr(`.
                    let before = source[..start].chars().last();
                    if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                        continue;
                    }
                    let rest = &source[start + marker.len()..];
                    let Some(end) = rest.find('"') else { continue };
                    let text = &rest[..end];
                    seen += 1;
                    if german(text).is_none() {
                        missing.push(format!("{}: {text:?}", path.display()));
                    }
                }
            }
        }
        assert!(
            seen > 100,
            "the pages use the translation tables ({seen} texts)"
        );
        assert!(
            missing.is_empty(),
            "no German text for:\n{}",
            missing.join("\n")
        );
    }
}
