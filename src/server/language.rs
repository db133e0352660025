//! Choosing the pages' language: `/lang?to=de` keeps the choice in a cookie and goes
//! back to the page it came from.

use crate::app::i18n::{Lang, LANG_COOKIE};
use axum::extract::Query;
use axum::http::header::{REFERER, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct Choice {
    to: String,
}

pub async fn choose(headers: HeaderMap, Query(choice): Query<Choice>) -> Response {
    // Back to the page the link was on; only a path of this portal (no open redirect).
    let back = headers
        .get(REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|referer| {
            let after_scheme = referer.split_once("://").map(|(_, rest)| rest)?;
            let path = &after_scheme[after_scheme.find('/')?..];
            Some(path.to_owned())
        })
        .map(|path| {
            if path.starts_with("/login") {
                path
            } else {
                super::auth::safe_next(&path)
            }
        })
        .unwrap_or_else(|| "/".to_owned());
    let mut response = Redirect::to(&back).into_response();
    if let Some(lang) = Lang::from_code(&choice.to) {
        let cookie = format!(
            "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
            lang.code()
        );
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().insert(SET_COOKIE, value);
        }
    }
    response
}
