//! One open item: what is asked, by whom, why this user decides, the history so far,
//! and the decision itself (approve or reject, with a reason).

use crate::app::api::{get_work_item, ClaimItem, DecideItem, ForwardItem};
use crate::app::frame::WorkChanged;
use crate::app::history::HistoryTable;
use crate::app::i18n::{t, tf, tr, use_lang, Lang};
use crate::app::pages::common::{named_in_address, ErrorAlert, FormAnswer, ServerError, TextField};
use crate::app::types::WorkItemDetail;
use crate::model::AppError;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn WorkItemPage() -> impl IntoView {
    let lang = use_lang();
    let params = use_params_map();
    let decide = ServerAction::<DecideItem>::new();
    let forward = ServerAction::<ForwardItem>::new();
    let claim = ServerAction::<ClaimItem>::new();
    // Each of these changes the worklist, so the frame's badge is refreshed after them.
    let work_changed = use_context::<WorkChanged>();
    Effect::new(move |_| {
        let changes = decide.version().get() + forward.version().get() + claim.version().get();
        if let (true, Some(WorkChanged(changed))) = (changes > 0, work_changed) {
            changed.update(|c| *c += 1);
        }
    });
    let item = Resource::new(
        move || {
            (
                params.read().get("workflow"),
                params.read().get("run"),
                decide.version().get(),
                forward.version().get() + claim.version().get(),
            )
        },
        |(workflow, run, _, _)| {
            let run = run.and_then(|r| r.parse::<u32>().ok());
            named_in_address(workflow.zip(run), |(workflow, run)| {
                get_work_item(workflow, run)
            })
        },
    );
    view! {
        <Title text=t(lang, "Decide")/>
        <p><a href="/worklist">{t(lang, "← Worklist")}</a></p>
        <Suspense fallback=move || view! { <p class="muted">{t(lang, "Loading…")}</p> }>
            {move || Suspend::new(async move {
                match item.await {
                    Ok(detail) => view! { <Detail detail decide forward claim/> }.into_any(),
                    // Someone else's item and one that does not exist read the same.
                    Err(AppError::Forbidden | AppError::NotFound) => {
                        view! { <ErrorAlert text=t(lang, "This item is not in your worklist.")/> }.into_any()
                    }
                    Err(error) => view! { <ServerError error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Detail(
    detail: WorkItemDetail,
    decide: ServerAction<DecideItem>,
    forward: ServerAction<ForwardItem>,
    claim: ServerAction<ClaimItem>,
) -> impl IntoView {
    let lang = use_lang();
    let forward_workflow = detail.workflow_id.clone();
    let forward_run = detail.run.to_string();
    let reason_hint = if detail.reason_required_on_reject {
        t(lang, "Required when you reject.")
    } else {
        t(lang, "Optional.")
    };
    view! {
        <h1>{detail.workflow.clone()}</h1>
        <p class="muted">{tf(lang, "Step: {step}", &[("step", detail.step.clone())])}</p>
        <dl class="facts">
            <div><dt>{t(lang, "Requested by")}</dt><dd>{detail.requester.clone()}</dd></div>
            <div><dt>{t(lang, "For")}</dt><dd>{detail.subject.clone()}</dd></div>
            <div><dt>{t(lang, "Items")}</dt><dd>{detail.items.join(", ")}</dd></div>
            {detail
                .request_fields
                .iter()
                .map(|(name, value)| {
                    view! { <div><dt>{name.clone()}</dt><dd>{value.clone()}</dd></div> }
                })
                .collect_view()}
            <div><dt>{t(lang, "Due")}</dt><dd>{detail.due.clone().unwrap_or_else(|| "—".into())}</dd></div>
        </dl>
        {(!detail.conflicts.is_empty())
            .then(|| {
                view! {
                    <p class="alert alert-error sod-warning" role="note">
                        {tf(lang, "Segregation of duties: {subject} already holds {conflicts}, which conflicts with what is asked.", &[
                            ("subject", detail.subject.clone()),
                            ("conflicts", detail.conflicts.join(", ")),
                        ])}
                    </p>
                }
            })}
        <p class="why-me">{detail.why_me.clone()}</p>
        <ClaimPanel detail=detail.clone() claim/>
        {move || forward.value().get().map(|answer| view! { <FormAnswer answer translate=message_text/> })}
        {move || decide.value().get().map(|answer| view! { <FormAnswer answer/> })}
        {detail
            .can_decide
            .then(|| {
                view! {
                    <section aria-labelledby="decide-heading" class="decide">
                        <h2 id="decide-heading">{t(lang, "Your decision")}</h2>
                        <ActionForm action=decide attr:class="form">
                            <input type="hidden" name="workflow_id" value=detail.workflow_id.clone()/>
                            <input type="hidden" name="run" value=detail.run.to_string()/>
                            <input type="hidden" name="version" value=detail.version.to_string()/>
                            <fieldset class="choices">
                                <legend>{t(lang, "Decision")}</legend>
                                <label>
                                    <input type="radio" name="approve" value="true" required=true/>
                                    " "{t(lang, "Approve")}
                                </label>
                                <label>
                                    <input type="radio" name="approve" value="false" required=true/>
                                    " "{t(lang, "Reject")}
                                </label>
                            </fieldset>
                            <div class="field">
                                <label for="reason">{t(lang, "Reason")}</label>
                                <textarea id="reason" name="reason" rows="3" aria-describedby="reason-hint"></textarea>
                                <small id="reason-hint" class="muted">{reason_hint}</small>
                            </div>
                            <button type="submit" class="button button-primary">{t(lang, "Submit decision")}</button>
                        </ActionForm>
                        <ActionForm action=forward attr:class="form forward">
                            <input type="hidden" name="workflow_id" value=forward_workflow.clone()/>
                            <input type="hidden" name="run" value=forward_run.clone()/>
                            <TextField id="forward-to" name="to" label=t(lang, "Forward to (user name)")
                                autocomplete="off" required=true/>
                            <button type="submit" class="button button-quiet">{t(lang, "Forward")}</button>
                        </ActionForm>
                    </section>
                }
            })}
        <section aria-labelledby="history-heading">
            <h2 id="history-heading">{t(lang, "History")}</h2>
            <HistoryTable lines=detail.history id="history"/>
        </section>
    }
}

/// Pool items (offered to several people) can be claimed so the others stop seeing them,
/// and released back to the pool.
#[component]
fn ClaimPanel(detail: WorkItemDetail, claim: ServerAction<ClaimItem>) -> impl IntoView {
    let lang = use_lang();
    let button = match detail.status.as_str() {
        "pool" => Some(("true", t(lang, "Claim"))),
        "claimed" => Some(("false", t(lang, "Release to the pool"))),
        "taken" => None,
        _ => return ().into_any(),
    };
    let claimed_by = [("who", detail.claimed_by.clone().unwrap_or_default())];
    view! {
        <section class="claim" aria-label=t(lang, "Pool")>
            <p id="claim-status">
                {match detail.status.as_str() {
                    "pool" => t(lang, "This item is offered to several people. Claim it so the others no longer see it.").to_owned(),
                    "claimed" => t(lang, "You claimed this item: the other candidates do not see it until you release it.").to_owned(),
                    _ => tf(lang, "{who} has claimed this item.", &claimed_by),
                }}
            </p>
            // The claim's own answers are fixed texts, which `message_text` leaves to the table.
            {move || claim.value().get().map(|answer| view! { <FormAnswer answer translate=message_text/> })}
            {button
                .map(|(value, label)| {
                    view! {
                        <ActionForm action=claim attr:class="form claim-form">
                            <input type="hidden" name="workflow_id" value=detail.workflow_id.clone()/>
                            <input type="hidden" name="run" value=detail.run.to_string()/>
                            <input type="hidden" name="claim" value=value/>
                            <button type="submit" class="button button-quiet" id="claim-button">{label}</button>
                        </ActionForm>
                    }
                })}
        </section>
    }
        .into_any()
}

/// A message of the forward and claim actions: the fixed ones from the table, and the
/// ones naming a person by their pattern.
fn message_text(lang: Lang, text: &str) -> String {
    if let Some(to) = text
        .strip_prefix("Forwarded to ")
        .and_then(|rest| rest.strip_suffix('.'))
    {
        return tf(lang, "Forwarded to {to}.", &[("to", to.to_owned())]);
    }
    if let Some((who, why)) = text
        .strip_prefix("Cannot forward to ")
        .and_then(|rest| rest.strip_suffix('.'))
        .and_then(|rest| rest.split_once(": "))
    {
        let values = [("who", who.to_owned()), ("why", tr(lang, why))];
        return tf(lang, "Cannot forward to {who}: {why}.", &values);
    }
    if let Some(why) = text.strip_prefix("Forward to: ") {
        return tf(lang, "Forward to: {why}", &[("why", tr(lang, why))]);
    }
    if let Some(who) = text.strip_suffix(" has already claimed this item") {
        let values = [("who", who.to_owned())];
        return tf(lang, "{who} has already claimed this item", &values);
    }
    tr(lang, text)
}
