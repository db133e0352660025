//! My requests: what the signed-in user has asked for, newest first, filtered by state
//! and words by a plain GET form (so it works without JavaScript).

use crate::app::api::get_my_requests;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

const STATES: [(&str, &str); 6] = [
    ("", "Any"),
    ("open", "Open"),
    ("accepted", "Accepted"),
    ("rejected", "Rejected"),
    ("withdrawn", "Withdrawn"),
    ("failed", "Failed"),
];

#[component]
pub fn MyRequestsPage() -> impl IntoView {
    let query = use_query_map();
    let requests = Resource::new(
        move || {
            let query = query.read();
            (
                query.get("status").filter(|v| !v.is_empty()),
                query.get("q").filter(|v| !v.is_empty()),
            )
        },
        |(status, q)| get_my_requests(status, q),
    );
    view! {
        <Title text="My requests"/>
        <h1>"My requests"</h1>
        {move || {
            query
                .read()
                .get("submitted")
                .and_then(|n| n.parse::<u32>().ok())
                .map(|n| view! { <p class="alert alert-info" role="status" id="confirmation">{format!("{n} request(s) submitted.")}</p> })
        }}
        {move || {
            let query = query.read();
            let status = query.get("status").unwrap_or_default();
            let q = query.get("q").unwrap_or_default();
            view! {
                <form method="get" action="/requests" class="filters" role="search" id="requests-filter">
                    <div class="field">
                        <label for="rq-q">"Search"</label>
                        <input id="rq-q" name="q" type="search" value=q placeholder="Any word of the request"/>
                    </div>
                    <div class="field">
                        <label for="rq-status">"State"</label>
                        <select id="rq-status" name="status">
                            {STATES
                                .into_iter()
                                .map(|(value, label)| view! { <option value=value selected=value == status>{label}</option> })
                                .collect_view()}
                        </select>
                    </div>
                    <div class="filter-actions">
                        <button type="submit" class="button button-quiet">"Filter"</button>
                        <a href="/requests">"Clear"</a>
                    </div>
                </form>
            }
        }}
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match requests.await {
                    Ok(requests) if requests.is_empty() => {
                        view! {
                            <div class="empty-state">
                                <p>"No request matches."</p>
                                <p class="muted">
                                    "Requests you submit appear here with their state and current step."
                                </p>
                            </div>
                        }
                            .into_any()
                    }
                    Ok(requests) => {
                        view! {
                            <table class="table" id="my-requests">
                                <thead>
                                    <tr>
                                        <th scope="col">"Request"</th>
                                        <th scope="col">"For"</th>
                                        <th scope="col">"Items"</th>
                                        <th scope="col">"State"</th>
                                        <th scope="col">"Current step"</th>
                                        <th scope="col">"Submitted"</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {requests
                                        .into_iter()
                                        .map(|request| {
                                            let state = match request.outcome {
                                                Some(outcome) => format!("{} ({})", request.state, outcome),
                                                None => request.state,
                                            };
                                            let href = format!("/requests/{}", request.workflow_id);
                                            view! {
                                                <tr data-workflow=request.workflow_id>
                                                    <td><a href=href>{request.workflow}</a></td>
                                                    <td>{request.subject}</td>
                                                    <td>{request.items.join(", ")}</td>
                                                    <td>{state}</td>
                                                    <td>{request.current_steps.join(", ")}</td>
                                                    <td>{request.created}</td>
                                                </tr>
                                            }
                                        })
                                        .collect_view()}
                                </tbody>
                            </table>
                        }
                            .into_any()
                    }
                    Err(error) => {
                        view! { <p class="alert alert-error" role="alert">{error.to_string()}</p> }
                            .into_any()
                    }
                }
            })}
        </Transition>
    }
}
