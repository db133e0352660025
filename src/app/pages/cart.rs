//! The cart: several catalog items requested at once, grouped by the workflow that
//! approves them, each group with its own form; for oneself or for a report.

use crate::app::api::{get_cart, RemoveFromCart, SubmitCart};
use crate::app::i18n::{t, tf, tr, use_lang};
use crate::app::pages::common::{
    two_forms_and_data, ErrorAlert, HiddenIdButton, Loaded, ServerError,
};
use crate::app::pages::request::{field_error, typed_before, Field, SubjectChoice};
use crate::app::types::{CartGroup, CartOutcome, CartView};
use crate::model::AppError;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn CartPage() -> impl IntoView {
    let lang = use_lang();
    let (remove, submit, cart) = two_forms_and_data::<RemoveFromCart, SubmitCart, _, _>(get_cart);
    view! {
        <Title text=t(lang, "Cart")/>
        <p><a href="/catalog">{t(lang, "← Catalog")}</a></p>
        <h1>{t(lang, "Cart")}</h1>
        {move || match submit.value().get() {
            Some(Ok(CartOutcome::Started { workflow_ids })) => {
                let count = [("count", workflow_ids.len().to_string())];
                view! {
                    <div class="alert alert-info" role="status" id="confirmation">
                        <p>{if workflow_ids.len() == 1 {
                            tf(lang, "Your request was submitted as {count} workflow.", &count)
                        } else {
                            tf(lang, "Your request was submitted as {count} workflows.", &count)
                        }}</p>
                        <ul>
                            {workflow_ids
                                .into_iter()
                                .map(|id| {
                                    let href = format!("/requests/{id}");
                                    view! { <li>{t(lang, "Workflow ID:")} " " <a href=href>{id.clone()}</a></li> }
                                })
                                .collect_view()}
                        </ul>
                    </div>
                }
                    .into_any()
            }
            Some(Err(error @ AppError::FormInvalid { .. })) => {
                let error = [("error", tr(lang, &error.to_string()))];
                let text = tf(lang, "{error} Nothing was requested yet.", &error);
                view! { <ErrorAlert text/> }.into_any()
            }
            Some(Err(error)) => view! { <ServerError error/> }.into_any(),
            None => ().into_any(),
        }}
        <Loaded data=cart keep_while_reloading=true shown=move |cart| view! { <CartContents cart remove submit/> }/>
    }
}

/// The cart's groups, each with its form, or a word that it is empty.
#[component]
fn CartContents(
    cart: CartView,
    remove: ServerAction<RemoveFromCart>,
    submit: ServerAction<SubmitCart>,
) -> impl IntoView {
    let lang = use_lang();
    if cart.groups.is_empty() {
        view! {
            <div class="empty-state">
                <p>{t(lang, "Your cart is empty.")}</p>
                <p class="muted"><a href="/catalog">{t(lang, "Add roles and resources from the catalog.")}</a></p>
            </div>
        }
            .into_any()
    } else {
        view! {
            {cart
                .groups
                .iter()
                .map(|group| view! { <GroupItems group=group.clone() remove/> })
                .collect_view()}
            <ActionForm action=submit attr:class="form request-form" attr:id="cart-form">
                <SubjectChoice subjects=cart.subjects.clone() selected=None/>
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
                                        let error = field_error(submit, key.clone());
                                        let value = typed_before(submit, &key).unwrap_or_default();
                                        view! { <Field field key error value/> }
                                    })
                                    .collect_view()}
                            </fieldset>
                        }
                    })
                    .collect_view()}
                <button type="submit" class="button button-primary">{t(lang, "Request everything")}</button>
            </ActionForm>
        }
            .into_any()
    }
}

#[component]
fn GroupItems(group: CartGroup, remove: ServerAction<RemoveFromCart>) -> impl IntoView {
    let lang = use_lang();
    let workflow = [("workflow", group.workflow)];
    let approved_by = tf(lang, "Approved by: {workflow}", &workflow);
    let section_label = approved_by.clone();
    view! {
        <section class="card cart-items" aria-label=section_label>
            <h2>{approved_by}</h2>
            <ul id="cart-list">
                {group
                    .items
                    .into_iter()
                    .map(|item| {
                        let label = tf(lang, "Remove {name} from the cart", &[("name", item.name.clone())]);
                        let values = [("kind", item.kind.clone()), ("owner", item.owner.clone())];
                        let facts = tf(lang, "{kind} · owner {owner}", &values);
                        view! {
                            <li>
                                <strong>{item.name.clone()}</strong>
                                <span class="muted">{format!(" · {facts}")}</span>
                                <ActionForm action=remove attr:class="inline-form">
                                    <HiddenIdButton field="item_id" id=item.id.to_string() label text=t(lang, "Remove")/>
                                </ActionForm>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
    }
}
