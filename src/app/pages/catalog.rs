//! The catalog of requestable roles, resources and entitlements: search and categories
//! by a plain GET form, so it works before (and without) JavaScript.

use crate::app::api::get_catalog;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn CatalogPage() -> impl IntoView {
    let query = use_query_map();
    let catalog = Resource::new(
        move || (query.read().get("q"), query.read().get("category")),
        |(q, category)| get_catalog(q, category),
    );
    view! {
        <Title text="Request access"/>
        <h1>"Request access"</h1>
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let current_q = query.read_untracked().get("q").unwrap_or_default();
                let current_category = query.read_untracked().get("category").unwrap_or_default();
                match catalog.await {
                    Ok(catalog) => {
                        view! {
                            <form method="get" action="/catalog" class="search" role="search">
                                <label for="q" class="visually-hidden">"Search"</label>
                                <input id="q" name="q" type="search" placeholder="Search roles and resources" value=current_q/>
                                <label for="category" class="visually-hidden">"Category"</label>
                                <select id="category" name="category">
                                    <option value="">"All categories"</option>
                                    {catalog
                                        .categories
                                        .into_iter()
                                        .map(|c| {
                                            let selected = c == current_category;
                                            view! { <option value=c.clone() selected=selected>{c.clone()}</option> }
                                        })
                                        .collect_view()}
                                </select>
                                <button type="submit" class="button button-quiet">"Search"</button>
                            </form>
                            {if catalog.items.is_empty() {
                                view! { <p class="empty-state">"Nothing matches your search."</p> }.into_any()
                            } else {
                                view! {
                                    <ul class="catalog" id="catalog">
                                        {catalog
                                            .items
                                            .into_iter()
                                            .map(|item| {
                                                let href = format!("/catalog/{}/request", item.id);
                                                view! {
                                                    <li class="card">
                                                        <h2>{item.name.clone()}</h2>
                                                        <p class="muted">{format!("{} · {} · owner {}", item.kind, item.category, item.owner)}</p>
                                                        <p>{item.description}</p>
                                                        <a class="button button-primary" href=href>{format!("Request {}", item.name)}</a>
                                                    </li>
                                                }
                                            })
                                            .collect_view()}
                                    </ul>
                                }
                                    .into_any()
                            }}
                        }
                            .into_any()
                    }
                    Err(error) => view! { <p class="alert alert-error" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}
