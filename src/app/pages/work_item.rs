//! One open item: what is asked, by whom, why this user decides, the history so far,
//! and the decision itself (approve or reject, with a reason).

use crate::app::api::{get_work_item, ClaimItem, DecideItem, ForwardItem};
use crate::app::error::AppError;
use crate::app::frame::WorkChanged;
use crate::app::history::HistoryTable;
use crate::app::types::WorkItemDetail;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn WorkItemPage() -> impl IntoView {
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
        |(workflow, run, _, _)| async move {
            match (workflow, run.and_then(|r| r.parse::<u32>().ok())) {
                (Some(workflow), Some(run)) => get_work_item(workflow, run).await,
                _ => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Title text="Decide"/>
        <p><a href="/worklist">"← Worklist"</a></p>
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match item.await {
                    Ok(detail) => view! { <Detail detail decide forward claim/> }.into_any(),
                    Err(AppError::Forbidden) => {
                        view! {
                            <p class="alert alert-error" role="alert">
                                "This item is not in your worklist."
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

#[component]
fn Detail(
    detail: WorkItemDetail,
    decide: ServerAction<DecideItem>,
    forward: ServerAction<ForwardItem>,
    claim: ServerAction<ClaimItem>,
) -> impl IntoView {
    let forward_workflow = detail.workflow_id.clone();
    let forward_run = detail.run.to_string();
    let reason_hint = if detail.reason_required_on_reject {
        "Required when you reject."
    } else {
        "Optional."
    };
    view! {
        <h1>{detail.workflow.clone()}</h1>
        <p class="muted">{format!("Step: {}", detail.step)}</p>
        <dl class="facts">
            <div><dt>"Requested by"</dt><dd>{detail.requester.clone()}</dd></div>
            <div><dt>"For"</dt><dd>{detail.subject.clone()}</dd></div>
            <div><dt>"Items"</dt><dd>{detail.items.join(", ")}</dd></div>
            {detail
                .request_fields
                .iter()
                .map(|(name, value)| {
                    view! { <div><dt>{name.clone()}</dt><dd>{value.clone()}</dd></div> }
                })
                .collect_view()}
            <div><dt>"Due"</dt><dd>{detail.due.clone().unwrap_or_else(|| "—".into())}</dd></div>
        </dl>
        {(!detail.conflicts.is_empty())
            .then(|| {
                view! {
                    <p class="alert alert-error sod-warning" role="note">
                        {format!(
                            "Segregation of duties: {} already holds {}, which conflicts with what is asked.",
                            detail.subject,
                            detail.conflicts.join(", "),
                        )}
                    </p>
                }
            })}
        <p class="why-me">{detail.why_me.clone()}</p>
        <ClaimPanel detail=detail.clone() claim/>
        {move || {
            forward
                .value()
                .get()
                .map(|result| match result {
                    Ok(message) => {
                        view! { <p class="alert alert-info" role="status">{message}</p> }.into_any()
                    }
                    Err(error) => {
                        view! { <p class="alert alert-error" role="alert">{error.to_string()}</p> }
                            .into_any()
                    }
                })
        }}
        {move || {
            decide
                .value()
                .get()
                .map(|result| match result {
                    Ok(message) => {
                        view! { <p class="alert alert-info" role="status">{message}</p> }.into_any()
                    }
                    Err(error) => {
                        view! { <p class="alert alert-error" role="alert">{error.to_string()}</p> }
                            .into_any()
                    }
                })
        }}
        {detail
            .can_decide
            .then(|| {
                view! {
                    <section aria-labelledby="decide-heading" class="decide">
                        <h2 id="decide-heading">"Your decision"</h2>
                        <ActionForm action=decide attr:class="form">
                            <input type="hidden" name="workflow_id" value=detail.workflow_id.clone()/>
                            <input type="hidden" name="run" value=detail.run.to_string()/>
                            <input type="hidden" name="version" value=detail.version.to_string()/>
                            <fieldset class="choices">
                                <legend>"Decision"</legend>
                                <label>
                                    <input type="radio" name="approve" value="true" required/>
                                    " Approve"
                                </label>
                                <label>
                                    <input type="radio" name="approve" value="false" required/>
                                    " Reject"
                                </label>
                            </fieldset>
                            <div class="field">
                                <label for="reason">"Reason"</label>
                                <textarea id="reason" name="reason" rows="3" aria-describedby="reason-hint"></textarea>
                                <small id="reason-hint" class="muted">{reason_hint}</small>
                            </div>
                            <button type="submit" class="button button-primary">"Submit decision"</button>
                        </ActionForm>
                        <ActionForm action=forward attr:class="form forward">
                            <input type="hidden" name="workflow_id" value=forward_workflow.clone()/>
                            <input type="hidden" name="run" value=forward_run.clone()/>
                            <div class="field">
                                <label for="forward-to">"Forward to (user name)"</label>
                                <input id="forward-to" name="to" type="text" autocomplete="off" required/>
                            </div>
                            <button type="submit" class="button button-quiet">"Forward"</button>
                        </ActionForm>
                    </section>
                }
            })}
        <section aria-labelledby="history-heading">
            <h2 id="history-heading">"History"</h2>
            <HistoryTable lines=detail.history id="history"/>
        </section>
    }
}

/// Pool items (offered to several people) can be claimed so the others stop seeing them,
/// and released back to the pool.
#[component]
fn ClaimPanel(detail: WorkItemDetail, claim: ServerAction<ClaimItem>) -> impl IntoView {
    let (text, button) = match detail.status.as_str() {
        "pool" => (
            "This item is offered to several people. Claim it so the others no longer see it."
                .to_owned(),
            Some(("true", "Claim")),
        ),
        "claimed" => (
            "You claimed this item: the other candidates do not see it until you release it."
                .to_owned(),
            Some(("false", "Release to the pool")),
        ),
        "taken" => (
            format!(
                "{} has claimed this item.",
                detail.claimed_by.clone().unwrap_or_default()
            ),
            None,
        ),
        _ => return ().into_any(),
    };
    view! {
        <section class="claim" aria-label="Pool">
            <p id="claim-status">{text}</p>
            {move || {
                claim
                    .value()
                    .get()
                    .map(|result| match result {
                        Ok(message) => view! { <p class="alert alert-info" role="status">{message}</p> }.into_any(),
                        Err(error) => view! { <p class="alert alert-error" role="alert">{error.to_string()}</p> }.into_any(),
                    })
            }}
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
