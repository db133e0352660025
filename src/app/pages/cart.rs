//! The cart: several catalog items requested at once, grouped by the workflow that
//! approves them, each group with its own form; for oneself or for a report.

use crate::app::api::{get_cart, RemoveFromCart, SubmitCart};
use crate::app::pages::request::{Field, SubjectChoice};
use crate::app::types::{CartGroup, CartOutcome};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn CartPage() -> impl IntoView {
    let remove = ServerAction::<RemoveFromCart>::new();
    let submit = ServerAction::<SubmitCart>::new();
    let cart = Resource::new(
        move || (remove.version().get(), submit.version().get()),
        |_| get_cart(),
    );
    let error_for = move |key: String| {
        move || match submit.value().get() {
            Some(Err(error)) => error.field_error(&key),
            _ => None,
        }
    };
    let typed = move |key: &str| match submit.value().get_untracked() {
        Some(Err(error)) => error.typed(key),
        _ => None,
    };
    view! {
        <Title text="Cart"/>
        <p><a href="/catalog">"← Catalog"</a></p>
        <h1>"Cart"</h1>
        {move || match submit.value().get() {
            Some(Ok(CartOutcome::Started { workflow_ids })) => view! {
                <div class="alert alert-info" role="status" id="confirmation">
                    <p>{format!("Your request was submitted as {} workflow(s).", workflow_ids.len())}</p>
                    <ul>
                        {workflow_ids
                            .into_iter()
                            .map(|id| {
                                let href = format!("/requests/{id}");
                                view! { <li>"Workflow ID: " <a href=href>{id.clone()}</a></li> }
                            })
                            .collect_view()}
                    </ul>
                </div>
            }
                .into_any(),
            Some(Err(error @ crate::app::error::AppError::FormInvalid { .. })) => view! {
                <p class="alert alert-error" role="alert">{format!("{error} Nothing was requested yet.")}</p>
            }
                .into_any(),
            Some(Err(error)) => view! { <p class="alert alert-error" role="alert">{error.to_string()}</p> }.into_any(),
            None => ().into_any(),
        }}
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match cart.await {
                    Ok(cart) if cart.groups.is_empty() => view! {
                        <div class="empty-state">
                            <p>"Your cart is empty."</p>
                            <p class="muted"><a href="/catalog">"Add roles and resources from the catalog."</a></p>
                        </div>
                    }
                        .into_any(),
                    Ok(cart) => view! {
                        {cart
                            .groups
                            .iter()
                            .map(|group| view! { <GroupItems group=group.clone() remove/> })
                            .collect_view()}
                        <ActionForm action=submit attr:class="form request-form" attr:id="cart-form">
                            <SubjectChoice subjects=cart.subjects.clone()/>
                            {cart
                                .groups
                                .into_iter()
                                .enumerate()
                                .map(|(index, group)| {
                                    view! {
                                        <fieldset class="cart-group">
                                            <legend>{format!("{} — {}", group.workflow, group.items.iter().map(|i| i.name.clone()).collect::<Vec<_>>().join(", "))}</legend>
                                            {group
                                                .fields
                                                .into_iter()
                                                .map(|field| {
                                                    let key = format!("g{index}_{}", field.name);
                                                    let error = error_for(key.clone());
                                                    let value = typed(&key).unwrap_or_default();
                                                    view! { <Field field key error value/> }
                                                })
                                                .collect_view()}
                                        </fieldset>
                                    }
                                })
                                .collect_view()}
                            <button type="submit" class="button button-primary">"Request everything"</button>
                        </ActionForm>
                    }
                        .into_any(),
                    Err(error) => view! { <p class="alert alert-error" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn GroupItems(group: CartGroup, remove: ServerAction<RemoveFromCart>) -> impl IntoView {
    view! {
        <section class="card cart-items" aria-label=format!("Approved by: {}", group.workflow)>
            <h2>{format!("Approved by: {}", group.workflow)}</h2>
            <ul id="cart-list">
                {group
                    .items
                    .into_iter()
                    .map(|item| {
                        let label = format!("Remove {} from the cart", item.name);
                        view! {
                            <li>
                                <strong>{item.name.clone()}</strong>
                                <span class="muted">{format!(" · {} · owner {}", item.kind, item.owner)}</span>
                                <ActionForm action=remove attr:class="inline-form">
                                    <input type="hidden" name="item_id" value=item.id.to_string()/>
                                    <button type="submit" class="button button-quiet" aria-label=label>"Remove"</button>
                                </ActionForm>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
    }
}
