//! The frame around every signed-in page: navigation, the worklist badge, who is logged
//! in, and logging out.

use super::api::get_shell_info;
use super::i18n::{t, tf, tr, use_lang, Lang};
use super::types::ShellInfo;
use assent_engine::Role;
use leptos::prelude::*;
use leptos_router::components::{Outlet, A};

/// Bumped by a page after a change to the user's worklist, so the frame's badge follows.
#[derive(Clone, Copy)]
pub struct WorkChanged(pub RwSignal<u32>);

#[component]
pub fn Frame() -> impl IntoView {
    let work_changed = RwSignal::new(0u32);
    provide_context(WorkChanged(work_changed));
    let shell = Resource::new(move || work_changed.get(), |_| get_shell_info());
    let menu_open = RwSignal::new(false);
    let lang = use_lang();

    view! {
        <a class="skip-link" href="#main">{t(lang, "Skip to content")}</a>
        <header class="topbar">
            <a class="brand" href="/">
                <span class="brand-mark" aria-hidden="true">"A"</span>
                <span class="brand-name">"Assent"</span>
            </a>
            <button
                type="button"
                class="menu-toggle"
                aria-controls="primary-nav"
                aria-expanded=move || menu_open.get().to_string()
                on:click=move |_| menu_open.update(|open| *open = !*open)
            >
                <span aria-hidden="true">"☰"</span>
                <span class="visually-hidden">{t(lang, "Menu")}</span>
            </button>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match shell.await {
                        Ok(Some(info)) => view! { <Navigation info menu_open/> }.into_any(),
                        Ok(None) => {
                            view! {
                                <nav class="primary-nav" aria-label=t(lang, "Main")>
                                    <a href="/login">{t(lang, "Log in")}</a>
                                </nav>
                            }
                                .into_any()
                        }
                        Err(error) => {
                            view! { <p class="nav-error" role="alert">{tr(lang, &error.to_string())}</p> }
                                .into_any()
                        }
                    }
                })}
            </Transition>
        </header>
        <main id="main" class="content" tabindex="-1">
            <Outlet/>
        </main>
        <footer class="footer">
            <span>{t(lang, "Assent — identity requests and approvals")}</span>
            <LanguageChoice lang/>
        </footer>
    }
}

#[component]
fn Navigation(info: ShellInfo, menu_open: RwSignal<bool>) -> impl IntoView {
    let is_admin = info.user.has_role(Role::Admin);
    let initials = info.user.initials();
    let lang = use_lang();
    let count = info.open_work_items;
    let badge_label = if count == 1 {
        tf(lang, "{count} open item", &[("count", count.to_string())])
    } else {
        tf(lang, "{count} open items", &[("count", count.to_string())])
    };
    view! {
        <nav
            id="primary-nav"
            class="primary-nav"
            class:open=move || menu_open.get()
            aria-label=t(lang, "Main")
        >
            <A href="/" exact=true>{t(lang, "Home")}</A>
            <A href="/catalog">{t(lang, "Request access")}</A>
            <A href="/requests">{t(lang, "My requests")}</A>
            <A href="/access">{t(lang, "My access")}</A>
            <A href="/worklist">
                {t(lang, "Worklist")}
                <span class="badge" class:badge-zero=count == 0 aria-label=badge_label>
                    {count}
                </span>
            </A>
            <A href="/delegations">{t(lang, "Delegations")}</A>
            <A href="/tokens">{t(lang, "API tokens")}</A>
            {is_admin.then(|| view! { <A href="/admin">{t(lang, "Admin")}</A> })}
        </nav>
        <div class="user-menu" class:open=move || menu_open.get()>
            <span class="avatar" aria-hidden="true">{initials}</span>
            <span class="user-name" data-username=info.user.username.to_string()>
                {info.user.display_name.clone()}
            </span>
            <form method="post" action="/logout" class="logout-form">
                <button type="submit" class="button button-quiet">{t(lang, "Log out")}</button>
            </form>
        </div>
    }
}

/// English or German; the link leaves the client-side router (`rel="external"`), the
/// server keeps the choice in a cookie and comes back to this page.
#[component]
pub fn LanguageChoice(lang: Lang) -> impl IntoView {
    view! {
        <nav class="language" aria-label=t(lang, "Language")>
            <a href="/lang?to=en" rel="external" hreflang="en" lang="en" aria-current=(lang == Lang::En).then_some("true")>"English"</a>
            " · "
            <a href="/lang?to=de" rel="external" hreflang="de" lang="de" aria-current=(lang == Lang::De).then_some("true")>"Deutsch"</a>
        </nav>
    }
}
