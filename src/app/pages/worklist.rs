//! Worklist: the decisions waiting for the signed-in user, soonest due first, each one
//! openable, and many decidable at once (bulk approval).

use crate::app::api::{get_worklist, BulkDecide};
use crate::app::types::WorkItemLine;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn WorklistPage() -> impl IntoView {
    let bulk = ServerAction::<BulkDecide>::new();
    let items = Resource::new(move || bulk.version().get(), |_| get_worklist());
    view! {
        <Title text="Worklist"/>
        <h1>"Worklist"</h1>
        {move || {
            bulk.value()
                .get()
                .map(|result| match result {
                    Ok(outcome) => view! {
                        <div class="alert alert-info" role="status" id="bulk-result">
                            <p>{format!("{} decided.", outcome.decided)}</p>
                            {(!outcome.failed.is_empty())
                                .then(|| view! {
                                    <ul>
                                        {outcome
                                            .failed
                                            .into_iter()
                                            .map(|(id, why)| view! { <li>{format!("{id}: {why}")}</li> })
                                            .collect_view()}
                                    </ul>
                                })}
                        </div>
                    }
                        .into_any(),
                    Err(error) => view! { <p class="alert alert-error" role="alert">{error.to_string()}</p> }.into_any(),
                })
        }}
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match items.await {
                    Ok(items) if items.is_empty() => view! {
                        <div class="empty-state">
                            <p>"Nothing is waiting for your decision."</p>
                            <p class="muted">"Approvals assigned to you or your pools appear here."</p>
                        </div>
                    }
                        .into_any(),
                    Ok(items) => view! { <Items items bulk/> }.into_any(),
                    Err(error) => view! { <p class="alert alert-error" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Items(items: Vec<WorkItemLine>, bulk: ServerAction<BulkDecide>) -> impl IntoView {
    let count = items.len();
    // Ticking "select all" sets every row's box; each can still be changed after.
    let select_all = RwSignal::new(false);
    view! {
        <p class="muted">{format!("{count} open items")}</p>
        <ActionForm action=bulk attr:class="bulk-form" attr:id="bulk-form">
            <table class="table" id="worklist">
                <thead>
                    <tr>
                        <th scope="col">
                            <input
                                type="checkbox"
                                id="select-all"
                                aria-label="Select all items"
                                on:change=move |event| select_all.set(event_target_checked(&event))
                            />
                        </th>
                        <th scope="col">"Request"</th>
                        <th scope="col">"Step"</th>
                        <th scope="col">"For"</th>
                        <th scope="col">"Requested by"</th>
                        <th scope="col">"Items"</th>
                        <th scope="col">"Waiting since"</th>
                        <th scope="col">"Due"</th>
                    </tr>
                </thead>
                <tbody>
                    {items
                        .into_iter()
                        .map(|item| {
                            let href = format!("/worklist/{}/{}", item.workflow_id, item.run);
                            let reference = format!("{}:{}", item.workflow_id, item.run);
                            let label = format!("Select {} for {}", item.workflow, item.subject);
                            view! {
                                <tr data-workflow=item.workflow_id>
                                    <td>
                                        <input
                                            type="checkbox"
                                            name="items[]"
                                            value=reference
                                            aria-label=label
                                            prop:checked=move || select_all.get()
                                        />
                                    </td>
                                    <td><a href=href>{item.workflow}</a></td>
                                    <td>{item.step}</td>
                                    <td>{item.subject}</td>
                                    <td>{item.requester}</td>
                                    <td>{item.items.join(", ")}</td>
                                    <td>{item.waiting_since}</td>
                                    <td>{item.due.unwrap_or_else(|| "—".into())}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
            <fieldset class="bulk-actions">
                <legend>"Decide the selected items"</legend>
                <label><input type="radio" name="approve" value="true" required/>" Approve"</label>
                <label><input type="radio" name="approve" value="false" required/>" Reject"</label>
                <label for="bulk-reason" class="visually-hidden">"Reason"</label>
                <input id="bulk-reason" name="reason" type="text" placeholder="Reason (required to reject where the workflow says so)"/>
                <button type="submit" class="button button-primary">"Apply to selected"</button>
            </fieldset>
        </ActionForm>
    }
}
