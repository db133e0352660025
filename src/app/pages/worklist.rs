//! Worklist: the decisions waiting for the signed-in user, soonest due first.

use crate::app::api::get_worklist;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn WorklistPage() -> impl IntoView {
    let items = Resource::new(|| (), |_| get_worklist());
    view! {
        <Title text="Worklist"/>
        <h1>"Worklist"</h1>
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match items.await {
                    Ok(items) if items.is_empty() => {
                        view! {
                            <div class="empty-state">
                                <p>"Nothing is waiting for your decision."</p>
                                <p class="muted">"Approvals assigned to you or your pools appear here."</p>
                            </div>
                        }
                            .into_any()
                    }
                    Ok(items) => {
                        view! {
                            <p class="muted">{format!("{} open items", items.len())}</p>
                            <table class="table" id="worklist">
                                <thead>
                                    <tr>
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
                                            view! {
                                                <tr data-workflow=item.workflow_id>
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
