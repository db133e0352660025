//! Where a mailed approve or reject link lands: what would be decided, and a button to
//! confirm. Mail scanners that open the link change nothing.

use crate::app::api::{get_mail_decision, ConfirmMailDecision};
use crate::app::i18n::{t, use_lang};
use crate::app::pages::common::{FormAnswer, ServerError};
use crate::app::types::MailDecisionPreview;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn MailDecisionPage() -> impl IntoView {
    let lang = use_lang();
    let query = use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    let confirm = ServerAction::<ConfirmMailDecision>::new();
    let preview = Resource::new(token, get_mail_decision);
    view! {
        <Title text=t(lang, "Confirm your decision")/>
        <main class="login-page" id="main">
            <section class="login-card mail-decision">
                <div class="brand brand-large">
                    <span class="brand-mark" aria-hidden="true">"A"</span>
                    <span class="brand-name">"Assent"</span>
                </div>
                <Suspense fallback=move || view! { <p class="muted">{t(lang, "Loading…")}</p> }>
                    {move || Suspend::new(async move {
                        match preview.await {
                            Ok(preview) => view! { <Confirm preview token=token() confirm/> }.into_any(),
                            Err(error) => view! {
                                <h1>{t(lang, "Decision by link")}</h1>
                                <ServerError error/>
                                <p><a href="/worklist">{t(lang, "Open your worklist")}</a></p>
                            }
                                .into_any(),
                        }
                    })}
                </Suspense>
            </section>
        </main>
    }
}

#[component]
fn Confirm(
    preview: MailDecisionPreview,
    token: String,
    confirm: ServerAction<ConfirmMailDecision>,
) -> impl IntoView {
    let lang = use_lang();
    let (heading, button) = if preview.approve {
        (
            t(lang, "Approve this request?"),
            t(lang, "Confirm approval"),
        )
    } else {
        (
            t(lang, "Reject this request?"),
            t(lang, "Confirm rejection"),
        )
    };
    view! {
        <h1>{heading}</h1>
        <dl class="facts">
            <div><dt>{t(lang, "Request")}</dt><dd>{preview.workflow.clone()}</dd></div>
            <div><dt>{t(lang, "Step")}</dt><dd>{preview.step.clone()}</dd></div>
            <div><dt>{t(lang, "Requested by")}</dt><dd>{preview.requester.clone()}</dd></div>
            <div><dt>{t(lang, "For")}</dt><dd>{preview.subject.clone()}</dd></div>
            <div><dt>{t(lang, "Items")}</dt><dd>{preview.items.join(", ")}</dd></div>
            <div><dt>{t(lang, "Deciding as")}</dt><dd>{preview.approver.clone()}</dd></div>
        </dl>
        {move || {
            confirm
                .value()
                .get()
                .map(|answer| view! { <FormAnswer answer id="mail-decision-result"/> })
        }}
        {if preview.still_open {
            view! {
                <ActionForm action=confirm attr:class="form">
                    <input type="hidden" name="token" value=token/>
                    <div class="field">
                        <label for="reason">{if preview.reason_required { t(lang, "Reason *") } else { t(lang, "Reason (optional)") }}</label>
                        <textarea id="reason" name="reason" rows="3" required=preview.reason_required></textarea>
                    </div>
                    <button type="submit" class="button button-primary button-block" id="confirm-decision">{button}</button>
                </ActionForm>
            }
                .into_any()
        } else {
            view! { <p class="alert alert-info" role="status">{t(lang, "This item has already been decided.")}</p> }.into_any()
        }}
        <p><a href="/worklist">{t(lang, "Open your worklist instead")}</a></p>
    }
}
