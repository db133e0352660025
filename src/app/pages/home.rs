//! The start page: where to go next.

use crate::app::api::get_shell_info;
use assent_engine::Role;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn HomePage() -> impl IntoView {
    let shell = Resource::new(|| (), |_| get_shell_info());
    view! {
        <Title text="Home"/>
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let info = shell.await.ok().flatten();
                let name = info
                    .as_ref()
                    .map(|i| i.user.display_name.clone())
                    .unwrap_or_default();
                let is_admin = info.as_ref().is_some_and(|i| i.user.has_role(Role::Admin));
                let open = info.as_ref().map(|i| i.open_work_items).unwrap_or(0);
                view! {
                    <h1>{format!("Welcome, {name}")}</h1>
                    <div class="cards">
                        <a class="card" href="/requests">
                            <h2>"My requests"</h2>
                            <p>"Follow what you asked for: state, current step and who decides."</p>
                        </a>
                        <a class="card" href="/worklist">
                            <h2>"Worklist"</h2>
                            <p>
                                {if open == 0 {
                                    "Nothing is waiting for your decision.".to_owned()
                                } else {
                                    format!("{open} items wait for your decision.")
                                }}
                            </p>
                        </a>
                        {is_admin
                            .then(|| {
                                view! {
                                    <a class="card" href="/admin">
                                        <h2>"Admin"</h2>
                                        <p>"Directory figures and the audit trail."</p>
                                    </a>
                                }
                            })}
                    </div>
                }
            })}
        </Suspense>
    }
}
