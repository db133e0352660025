//! The page for addresses that lead nowhere.

use crate::app::i18n::{t, use_lang};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    let lang = use_lang();
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text=t(lang, "Not found")/>
        <main id="main" class="content narrow">
            <h1>{t(lang, "Page not found")}</h1>
            <p>{t(lang, "There is nothing at this address.")}</p>
            <p><a href="/">{t(lang, "Go to the start page")}</a></p>
        </main>
    }
}
