//! One request as its requester follows it: state, outcome, every step with who was
//! asked, who decided with what reason, what is pending and until when; and withdrawing.

use crate::app::api::{get_request, WithdrawRequest};
use crate::app::history::HistoryTable;
use crate::app::i18n::{t, tf, use_lang};
use crate::app::pages::common::{named_in_address, FormAnswer, Loaded};
use crate::app::pages::deliveries::DeliveryTable;
use crate::app::types::RequestDetail;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn RequestDetailPage() -> impl IntoView {
    let lang = use_lang();
    let params = use_params_map();
    let withdraw = ServerAction::<WithdrawRequest>::new();
    let request = Resource::new(
        move || (params.read().get("workflow"), withdraw.version().get()),
        |(workflow, _)| named_in_address(workflow, get_request),
    );
    // A request form posted without JavaScript lands here after submitting.
    let query = use_query_map();
    let submitted = move || {
        let workflow = params.read().get("workflow").unwrap_or_default();
        query.read().get("submitted").map(|_| {
            view! {
                <div class="alert alert-info" role="status" id="confirmation">
                    <p>{tf(lang, "Your request was submitted. Workflow ID: {id}", &[("id", workflow)])}</p>
                </div>
            }
        })
    };
    view! {
        <Title text=t(lang, "Request")/>
        <p><a href="/requests">{t(lang, "← My requests")}</a></p>
        {submitted}
        {move || withdraw.value().get().map(|answer| view! { <FormAnswer answer/> })}
        <Loaded data=request shown=move |detail| view! { <Detail detail withdraw/> }
            refused=t(lang, "This request is not yours to follow.")/>
    }
}

#[component]
fn Detail(detail: RequestDetail, withdraw: ServerAction<WithdrawRequest>) -> impl IntoView {
    let lang = use_lang();
    let state = crate::app::pages::my_requests::request_status(
        lang,
        &detail.state,
        detail.outcome.as_deref(),
    );
    view! {
        <h1>{detail.workflow.clone()}</h1>
        <dl class="facts">
            <div><dt>{t(lang, "Workflow ID")}</dt><dd>{detail.workflow_id.clone()}</dd></div>
            <div><dt>{t(lang, "For")}</dt><dd>{detail.subject.clone()}</dd></div>
            <div><dt>{t(lang, "Items")}</dt><dd>{detail.items.join(", ")}</dd></div>
            <div><dt>{t(lang, "State")}</dt><dd id="request-state">{state}</dd></div>
            <div><dt>{t(lang, "Submitted")}</dt><dd>{detail.created.clone()}</dd></div>
        </dl>
        {view! {
            <section aria-labelledby="timeline-heading">
                <h2 id="timeline-heading">{t(lang, "Timeline")}</h2>
                <HistoryTable lines=detail.history id="timeline"/>
            </section>
        }.into_any()}
        // Type-erased: the whole page as one static type is deeper than rustc allows.
        {(!detail.provisioning.is_empty()).then(|| view! {
            <section aria-labelledby="provisioning-heading" id="provisioning">
                <h2 id="provisioning-heading">{t(lang, "Sent to target systems")}</h2>
                <DeliveryTable lines=detail.provisioning.clone() id="deliveries"/>
            </section>
        }.into_any())}
        {detail
            .can_withdraw
            .then(|| view! {
                <ActionForm action=withdraw attr:class="form withdraw">
                    <input type="hidden" name="workflow_id" value=detail.workflow_id.clone()/>
                    <input type="hidden" name="version" value=detail.version.to_string()/>
                    <button type="submit" class="button button-quiet">{t(lang, "Withdraw request")}</button>
                </ActionForm>
            })}
    }
}
