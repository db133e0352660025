//! My requests: what the signed-in user has asked for, newest first, filtered by state
//! and words by a plain GET form (so it works without JavaScript).

use crate::app::api::get_my_requests;
use crate::app::i18n::{t, tf, tr, use_lang, Lang};
use crate::app::pages::common::{choice_options, column_heads, FilterActions, Loaded};
use crate::app::types::RequestLine;
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
    let lang = use_lang();
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
        <Title text=t(lang, "My requests")/>
        <h1>{t(lang, "My requests")}</h1>
        {move || {
            query
                .read()
                .get("submitted")
                .and_then(|n| n.parse::<u32>().ok())
                .map(|n| {
                    let text = if n == 1 {
                        tf(lang, "{count} request submitted.", &[("count", n.to_string())])
                    } else {
                        tf(lang, "{count} requests submitted.", &[("count", n.to_string())])
                    };
                    view! { <p class="alert alert-info" role="status" id="confirmation">{text}</p> }
                })
        }}
        {move || {
            let query = query.read();
            let status = query.get("status").unwrap_or_default();
            let q = query.get("q").unwrap_or_default();
            view! {
                <form method="get" action="/requests" class="filters" role="search" id="requests-filter">
                    <div class="field">
                        <label for="rq-q">{t(lang, "Search")}</label>
                        <input id="rq-q" name="q" type="search" value=q placeholder=t(lang, "Any word of the request")/>
                    </div>
                    <div class="field">
                        <label for="rq-status">{t(lang, "State")}</label>
                        <select id="rq-status" name="status">
                            {choice_options(STATES.map(|(value, label)| (value, t(lang, label))), Some(status.as_str()))}
                        </select>
                    </div>
                    <FilterActions clear="/requests"/>
                </form>
            }
        }}
        <Loaded data=requests keep_while_reloading=true shown=|requests| view! { <RequestTable requests/> }/>
    }
}

/// The requests found, or a word that none matches.
#[component]
fn RequestTable(requests: Vec<RequestLine>) -> impl IntoView {
    let lang = use_lang();
    if requests.is_empty() {
        view! {
            <div class="empty-state">
                <p>{t(lang, "No request matches.")}</p>
                <p class="muted">
                    {t(lang, "Requests you submit appear here with their state and current step.")}
                </p>
            </div>
        }
        .into_any()
    } else {
        view! {
            <table class="table" id="my-requests">
                <thead>
                    <tr>
                        {column_heads([
                            t(lang, "Request"), t(lang, "For"), t(lang, "Items"),
                            t(lang, "State"), t(lang, "Current step"), t(lang, "Submitted"),
                        ])}
                    </tr>
                </thead>
                <tbody>
                    {requests
                        .into_iter()
                        .map(|request| {
                            let state = request_status(
                                lang,
                                &request.state,
                                request.outcome.as_deref(),
                            );
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
}

/// A request's state in the requester's words: the outcome once there is one (the
/// engine's SUCCEEDED says only that the workflow ran to its end, approved or not).
pub fn request_status(lang: Lang, state: &str, outcome: Option<&str>) -> String {
    let words = match (state, outcome) {
        (_, Some("ACCEPTED")) => "Approved",
        (_, Some("REJECTED")) => "Rejected",
        ("INITIAL", _) => "Starting",
        ("RUNNING", _) => "In progress",
        ("SUSPENDED", _) => "On hold",
        ("SUCCEEDED", _) => "Completed",
        ("FAILED", _) => "Failed",
        ("ABORTED", _) => "Withdrawn",
        (other, _) => other,
    };
    tr(lang, words)
}
