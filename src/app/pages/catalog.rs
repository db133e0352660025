//! The catalog of requestable roles, resources and entitlements: search and categories
//! by a plain GET form, so it works before (and without) JavaScript.

use crate::app::api::{get_cart_count, get_catalog, AddToCart};
use leptos::form::ActionForm;
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
    let add = ServerAction::<AddToCart>::new();
    let in_cart = Resource::new(move || add.version().get(), |_| get_cart_count());
    view! {
        <Title text="Request access"/>
        <div class="page-head">
            <h1>"Request access"</h1>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let count = in_cart.await.unwrap_or_default();
                    view! { <a class="button button-quiet" href="/cart" id="cart-link">{format!("Cart ({count})")}</a> }
                })}
            </Transition>
        </div>
        {move || {
            add.value()
                .get()
                .map(|result| match result {
                    Ok(message) => view! { <p class="alert alert-info" role="status" id="cart-message">{message}</p> }.into_any(),
                    Err(error) => view! { <p class="alert alert-error" role="alert" id="cart-message">{error.to_string()}</p> }.into_any(),
                })
        }}
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
                                                let add_label = format!("Add to cart: {}", item.name);
                                                view! {
                                                    <li class="card">
                                                        <h2>{item.name.clone()}</h2>
                                                        <p class="muted">{format!("{} · {} · owner {}", item.kind, item.category, item.owner)}</p>
                                                        <p>{item.description}</p>
                                                        <div class="card-actions">
                                                            <a class="button button-primary" href=href>{format!("Request {}", item.name)}</a>
                                                            <ActionForm action=add attr:class="inline-form">
                                                                <input type="hidden" name="item_id" value=item.id.to_string()/>
                                                                <button type="submit" class="button button-quiet" aria-label=add_label>"Add to cart"</button>
                                                            </ActionForm>
                                                        </div>
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
