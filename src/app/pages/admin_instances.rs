//! Workflows for administrators: a search by state (or what needs attention: waiting in
//! error, overdue, failing jobs), definition, requester and subject, by a plain GET form
//! so that the dashboard's figures link to it and it works without JavaScript; newest
//! first, 50 to a page.

use crate::app::api::get_instances;
use crate::app::i18n::{t, tf, use_lang, Lang};
use crate::app::pages::common::{choice_options, FilterActions, Loaded, TableHead};
use crate::model::instances::{InstancePage, InstanceQuery, FAILING_JOBS, OVERDUE, STUCK};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The state filter's choices: what needs attention first, then the workflow states.
const STATES: [(&str, &str); 9] = [
    ("", "Any"),
    (STUCK, "Waiting in error"),
    (OVERDUE, "With an overdue work item"),
    (FAILING_JOBS, "With a failing job"),
    ("RUNNING", "Running"),
    ("SUSPENDED", "Suspended"),
    ("SUCCEEDED", "Succeeded"),
    ("FAILED", "Failed"),
    ("ABORTED", "Aborted"),
];

/// A workflow state in words.
pub fn state_label(lang: Lang, state: &str) -> String {
    STATES
        .iter()
        .find(|(value, _)| *value == state)
        .map_or_else(|| state.to_owned(), |(_, label)| t(lang, label).to_owned())
}

#[component]
pub fn AdminInstancesPage() -> impl IntoView {
    let lang = use_lang();
    let query = use_query_map();
    let asked = move || {
        let query = query.read();
        let text = |name: &str| query.get(name).filter(|v| !v.trim().is_empty());
        InstanceQuery {
            state: text("state"),
            definition: text("definition"),
            initiator: text("initiator"),
            subject: text("subject"),
            page: query.get("page").and_then(|p| p.parse().ok()),
        }
    };
    let found = Resource::new(asked, get_instances);
    view! {
        <Title text=t(lang, "Workflows")/>
        <p><a href="/admin">{t(lang, "← Administration")}</a></p>
        <h1>{t(lang, "Workflows")}</h1>
        <Loaded data=found keep_while_reloading=true refused=t(lang, "This page is for administrators.")
            shown=move |page| view! { <Search page asked=asked()/> }/>
    }
}

#[component]
fn Search(page: InstancePage, asked: InstanceQuery) -> impl IntoView {
    let lang = use_lang();
    let definitions: Vec<(String, String)> =
        std::iter::once((String::new(), t(lang, "Any").to_owned()))
            .chain(
                page.definitions
                    .iter()
                    .map(|path| (path.clone(), path.clone())),
            )
            .collect();
    let value = |text: &Option<String>| text.clone().unwrap_or_default();
    let link_to = {
        let asked = asked.clone();
        move |number: u64| format!("/admin/instances?{}", asked.query_string(number))
    };
    let paging = (page.pages > 1).then(|| {
        let previous = (page.page > 1).then(|| link_to(page.page - 1));
        let next = (page.page < page.pages).then(|| link_to(page.page + 1));
        view! {
            <nav class="pager" aria-label=t(lang, "Pages")>
                {previous.map(|href| view! { <a href=href rel="prev">{t(lang, "← Newer")}</a> })}
                <span>{tf(lang, "Page {page} of {pages}", &[("page", page.page.to_string()), ("pages", page.pages.to_string())])}</span>
                {next.map(|href| view! { <a href=href rel="next">{t(lang, "Older →")}</a> })}
            </nav>
        }
    });
    view! {
        <form method="get" action="/admin/instances" class="filters" role="search" id="instances-filter">
            <div class="field">
                <label for="in-state">{t(lang, "State")}</label>
                <select id="in-state" name="state">
                    {choice_options(STATES.map(|(value, label)| (value, t(lang, label))), Some(value(&asked.state).as_str()))}
                </select>
            </div>
            <div class="field">
                <label for="in-definition">{t(lang, "Definition")}</label>
                <select id="in-definition" name="definition">
                    {choice_options(definitions, Some(value(&asked.definition).as_str()))}
                </select>
            </div>
            <div class="field">
                <label for="in-initiator">{t(lang, "Requested by")}</label>
                <input id="in-initiator" name="initiator" type="search" value=value(&asked.initiator) autocapitalize="none" spellcheck="false"/>
            </div>
            <div class="field">
                <label for="in-subject">{t(lang, "For")}</label>
                <input id="in-subject" name="subject" type="search" value=value(&asked.subject) autocapitalize="none" spellcheck="false"/>
            </div>
            <FilterActions clear="/admin/instances"/>
        </form>
        <p class="muted" id="instances-count">{
            let count = [("count", page.total.to_string())];
            if page.more {
                tf(lang, "More than {count} workflows found: narrow the search to see them all.", &count)
            } else {
                tf(lang, "{count} workflows found.", &count)
            }
        }</p>
        {if page.lines.is_empty() {
            view! { <p class="empty" id="instances">{t(lang, "No workflow matches.")}</p> }.into_any()
        } else {
            view! { <InstanceTable page/> }.into_any()
        }}
        {paging}
    }
    .into_any()
}

#[component]
fn InstanceTable(page: InstancePage) -> impl IntoView {
    let lang = use_lang();
    let rows = page
        .lines
        .into_iter()
        .map(|line| {
            let href = format!("/admin/instances/{}", line.id);
            let mut state = state_label(lang, &line.state);
            if line.waits_in_error {
                state = format!("{state} · {}", t(lang, "Waiting in error"));
            }
            let (id, state_code) = (line.id.clone(), line.state.clone());
            view! {
                <tr data-workflow=id data-state=state_code>
                    <td><a href=href>{line.id}</a></td>
                    <td>{line.title}</td>
                    <td>{line.definition}</td>
                    <td>{state}</td>
                    <td>{line.initiator}</td>
                    <td>{line.subject.unwrap_or_default()}</td>
                    <td>{line.created}</td>
                    <td>{line.updated}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="table" id="instances">
            <TableHead labels=vec![
                t(lang, "Workflow ID"), t(lang, "Workflow"), t(lang, "Definition"), t(lang, "State"),
                t(lang, "Requested by"), t(lang, "For"), t(lang, "Started (UTC)"), t(lang, "Changed (UTC)"),
            ]/>
            <tbody>{rows}</tbody>
        </table>
    }
    .into_any()
}
