//! The start page: where to go next.

use crate::app::api::get_shell_info;
use crate::app::i18n::{t, tf, use_lang};
use assent_engine::Role;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn HomePage() -> impl IntoView {
    let lang = use_lang();
    let shell = Resource::new(|| (), |_| get_shell_info());
    view! {
        <Title text=t(lang, "Home")/>
        <Suspense fallback=move || view! { <p class="muted">{t(lang, "Loading…")}</p> }>
            {move || Suspend::new(async move {
                let info = shell.await.ok().flatten();
                let name = info
                    .as_ref()
                    .map(|i| i.user.display_name.clone())
                    .unwrap_or_default();
                let is_admin = info.as_ref().is_some_and(|i| i.user.has_role(Role::Admin));
                let open = info.as_ref().map(|i| i.open_work_items).unwrap_or(0);
                view! {
                    <h1>{tf(lang, "Welcome, {name}", &[("name", name)])}</h1>
                    <div class="cards">
                        <a class="card" href="/requests">
                            <h2>{t(lang, "My requests")}</h2>
                            <p>{t(lang, "Follow what you asked for: state, current step and who decides.")}</p>
                        </a>
                        <a class="card" href="/worklist">
                            <h2>{t(lang, "Worklist")}</h2>
                            <p>
                                {if open == 0 {
                                    t(lang, "Nothing is waiting for your decision.").to_owned()
                                } else {
                                    tf(lang, "{count} items wait for your decision.", &[("count", open.to_string())])
                                }}
                            </p>
                        </a>
                        {is_admin
                            .then(|| {
                                view! {
                                    <a class="card" href="/admin">
                                        <h2>{t(lang, "Admin")}</h2>
                                        <p>{t(lang, "Directory figures and the audit trail.")}</p>
                                    </a>
                                }
                            })}
                    </div>
                }
            })}
        </Suspense>
    }
}
