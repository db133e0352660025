//! Admin overview. Its data comes only from `admin_overview`, which refuses non-admins on
//! the server; this page merely shows the refusal.

use crate::app::api::get_admin_overview;
use crate::app::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AdminPage() -> impl IntoView {
    let overview = Resource::new(|| (), |_| get_admin_overview());
    view! {
        <Title text="Admin"/>
        <h1>"Admin"</h1>
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Ok(figures) => {
                        view! {
                            <section aria-labelledby="figures-heading">
                                <h2 id="figures-heading" class="visually-hidden">"Figures"</h2>
                                <dl class="figures">
                                    <div><dt>"Users"</dt><dd>{figures.users}</dd></div>
                                    <div><dt>"Disabled"</dt><dd>{figures.disabled_users}</dd></div>
                                    <div><dt>"Departments"</dt><dd>{figures.departments}</dd></div>
                                    <div><dt>"Catalog items"</dt><dd>{figures.catalog_items}</dd></div>
                                </dl>
                            </section>
                            <section aria-labelledby="audit-heading">
                                <h2 id="audit-heading">"Recent audit events"</h2>
                                <table class="table">
                                    <thead>
                                        <tr>
                                            <th scope="col">"When (UTC)"</th>
                                            <th scope="col">"Who"</th>
                                            <th scope="col">"What"</th>
                                            <th scope="col">"Detail"</th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {figures
                                            .recent_audit
                                            .into_iter()
                                            .map(|line| {
                                                view! {
                                                    <tr>
                                                        <td>{line.occurred_at}</td>
                                                        <td>{line.actor.unwrap_or_else(|| "—".into())}</td>
                                                        <td>{line.action}</td>
                                                        <td>{line.detail}</td>
                                                    </tr>
                                                }
                                            })
                                            .collect_view()}
                                    </tbody>
                                </table>
                            </section>
                        }
                            .into_any()
                    }
                    Err(AppError::Forbidden) => {
                        view! {
                            <p class="alert alert-error" role="alert">
                                "This page is for administrators."
                            </p>
                        }
                            .into_any()
                    }
                    Err(error) => {
                        view! { <p class="alert alert-error" role="alert">{error.to_string()}</p> }
                            .into_any()
                    }
                }
            })}
        </Suspense>
    }
}
