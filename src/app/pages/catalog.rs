//! The catalog of requestable roles, resources and entitlements: search and categories
//! by a plain GET form, so it works before (and without) JavaScript.

use crate::app::api::{get_cart_count, get_catalog, AddToCart};
use crate::app::i18n::{t, tf, tr, use_lang, Lang};
use crate::app::pages::common::{FormAnswer, HiddenIdButton, ServerError};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The cart's answers name the item; the other ones are fixed texts.
fn cart_message(lang: Lang, message: &str) -> String {
    let item = |name: &str| [("item", name.to_owned())];
    if let Some(name) = message.strip_suffix(" added to your cart.") {
        tf(lang, "{item} added to your cart.", &item(name))
    } else if let Some(name) = message.strip_suffix(" is already in your cart.") {
        tf(lang, "{item} is already in your cart.", &item(name))
    } else {
        tr(lang, message)
    }
}

#[component]
pub fn CatalogPage() -> impl IntoView {
    let lang = use_lang();
    let query = use_query_map();
    let catalog = Resource::new(
        move || (query.read().get("q"), query.read().get("category")),
        |(q, category)| get_catalog(q, category),
    );
    let add = ServerAction::<AddToCart>::new();
    let in_cart = Resource::new(move || add.version().get(), |_| get_cart_count());
    view! {
        <Title text=t(lang, "Request access")/>
        <div class="page-head">
            <h1>{t(lang, "Request access")}</h1>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let count = in_cart.await.unwrap_or_default();
                    let label = tf(lang, "Cart ({count})", &[("count", count.to_string())]);
                    view! { <a class="button button-quiet" href="/cart" id="cart-link">{label}</a> }
                })}
            </Transition>
        </div>
        {move || {
            add.value()
                .get()
                .map(|answer| view! { <FormAnswer answer id="cart-message" translate=cart_message/> })
        }}
        <Suspense fallback=move || view! { <p class="muted">{t(lang, "Loading…")}</p> }>
            {move || Suspend::new(async move {
                let current_q = query.read_untracked().get("q").unwrap_or_default();
                let current_category = query.read_untracked().get("category").unwrap_or_default();
                match catalog.await {
                    Ok(catalog) => {
                        view! {
                            <form method="get" action="/catalog" class="search" role="search">
                                <label for="q" class="visually-hidden">{t(lang, "Search")}</label>
                                <input id="q" name="q" type="search" placeholder=t(lang, "Search roles and resources") value=current_q/>
                                <label for="category" class="visually-hidden">{t(lang, "Category")}</label>
                                <select id="category" name="category">
                                    <option value="">{t(lang, "All categories")}</option>
                                    {catalog
                                        .categories
                                        .into_iter()
                                        .map(|c| {
                                            let selected = c == current_category;
                                            view! { <option value=c.clone() selected=selected>{c.clone()}</option> }
                                        })
                                        .collect_view()}
                                </select>
                                <button type="submit" class="button button-quiet">{t(lang, "Search")}</button>
                            </form>
                            {if catalog.items.is_empty() {
                                view! { <p class="empty-state">{t(lang, "Nothing matches your search.")}</p> }.into_any()
                            } else {
                                view! {
                                    <ul class="catalog" id="catalog">
                                        {catalog
                                            .items
                                            .into_iter()
                                            .map(|item| {
                                                let href = format!("/catalog/{}/request", item.id);
                                                let add_label =
                                                    tf(lang, "Add to cart: {name}", &[("name", item.name.clone())]);
                                                let values = [
                                                    ("kind", item.kind.clone()),
                                                    ("category", item.category.clone()),
                                                    ("owner", item.owner.clone()),
                                                ];
                                                let facts = tf(lang, "{kind} · {category} · owner {owner}", &values);
                                                let request_label =
                                                    tf(lang, "Request {name}", &[("name", item.name.clone())]);
                                                view! {
                                                    <li class="card">
                                                        <h2>{item.name.clone()}</h2>
                                                        <p class="muted">{facts}</p>
                                                        <p>{item.description}</p>
                                                        <div class="card-actions">
                                                            <a class="button button-primary" href=href>{request_label}</a>
                                                            <ActionForm action=add attr:class="inline-form">
                                                                <HiddenIdButton field="item_id" id=item.id.to_string() label=add_label text=t(lang, "Add to cart")/>
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
                    Err(error) => view! { <ServerError error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
