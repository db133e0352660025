//! The login page. A plain HTML form posting to `/login`, so it works without JavaScript;
//! after hydration the password can be shown while typing.

use crate::app::i18n::{t, tf, use_lang, Lang};
use crate::app::pages::common::TextField;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The one message for every failed login: it must not tell an unknown user name from a
/// wrong password.
pub const LOGIN_FAILED_MESSAGE: &str = "The user name or password is incorrect.";

/// What a locked-out login is told: how long to wait, in seconds or whole minutes.
pub fn locked_message(lang: Lang, seconds: u64) -> String {
    if seconds < 120 {
        tf(
            lang,
            "Too many failed attempts. Please wait {seconds} seconds before trying again.",
            &[("seconds", seconds.to_string())],
        )
    } else {
        tf(
            lang,
            "Too many failed attempts. Please wait {minutes} minutes before trying again.",
            &[("minutes", seconds.div_ceil(60).to_string())],
        )
    }
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let lang = use_lang();
    let query = use_query_map();
    let failed = move || query.read().get("error").is_some_and(|e| e != "locked");
    let locked = move || {
        let query = query.read();
        (query.get("error").as_deref() == Some("locked")).then(|| {
            let seconds = query
                .get("wait")
                .and_then(|w| w.parse::<u64>().ok())
                .unwrap_or(60)
                .clamp(1, 86_400);
            locked_message(lang, seconds)
        })
    };
    let logged_out = move || query.read().get("logged_out").is_some();
    let expired = move || query.read().get("expired").is_some();
    let next = move || query.read().get("next").unwrap_or_default();
    let show_password = RwSignal::new(false);

    view! {
        <Title text=t(lang, "Log in")/>
        <main id="main" class="login-page">
            <section class="login-card" aria-labelledby="login-heading">
                <div class="brand brand-large">
                    <span class="brand-mark" aria-hidden="true">"A"</span>
                    <span class="brand-name">"Assent"</span>
                </div>
                <h1 id="login-heading">{t(lang, "Log in")}</h1>
                <p class="muted">{t(lang, "Requests and approvals for access at your company.")}</p>
                <Show when=failed>
                    <p class="alert alert-error" role="alert" id="login-error">
                        {t(lang, LOGIN_FAILED_MESSAGE)}
                    </p>
                </Show>
                {move || locked().map(|message| view! {
                    <p class="alert alert-error" role="alert" id="login-locked">{message}</p>
                })}
                <Show when=logged_out>
                    <p class="alert alert-info" role="status">{t(lang, "You have logged out.")}</p>
                </Show>
                <Show when=expired>
                    <p class="alert alert-info" role="status">
                        {t(lang, "Your session has ended. Please log in again.")}
                    </p>
                </Show>
                <form method="post" action="/login" class="form">
                    <input type="hidden" name="next" value=next/>
                    <TextField id="username" label=t(lang, "User name") autocomplete="username"
                        verbatim=true required=true autofocus=true/>
                    <div class="field">
                        <label for="password">{t(lang, "Password")}</label>
                        <div class="password-row">
                            <input
                                id="password"
                                name="password"
                                type=move || if show_password.get() { "text" } else { "password" }
                                autocomplete="current-password"
                                required
                            />
                            <button
                                type="button"
                                class="button button-quiet"
                                id="toggle-password"
                                aria-controls="password"
                                aria-pressed=move || show_password.get().to_string()
                                on:click=move |_| show_password.update(|shown| *shown = !*shown)
                            >
                                {move || if show_password.get() { t(lang, "Hide") } else { t(lang, "Show") }}
                            </button>
                        </div>
                    </div>
                    <button type="submit" class="button button-primary button-block">
                        {t(lang, "Log in")}
                    </button>
                </form>
            </section>
        </main>
    }
}
