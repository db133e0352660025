//! My requests: what the signed-in user has asked for, newest first.

use crate::app::api::get_my_requests;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn MyRequestsPage() -> impl IntoView {
    let requests = Resource::new(|| (), |_| get_my_requests());
    view! {
        <Title text="My requests"/>
        <h1>"My requests"</h1>
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match requests.await {
                    Ok(requests) if requests.is_empty() => {
                        view! {
                            <div class="empty-state">
                                <p>"You have no requests yet."</p>
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
        </Suspense>
    }
}
