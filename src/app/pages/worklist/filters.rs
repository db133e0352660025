//! The filter, sort and page of the worklist: all in the query string (a plain GET
//! form), so they work without JavaScript and a filtered view is a link.

use crate::app::i18n::{t, tf, use_lang};
use crate::app::pages::common::{choice_options, FilterActions};
use crate::app::types::WorklistFilter;
use leptos::prelude::*;

pub(super) fn filter_from_query(query: &leptos_router::params::ParamsMap) -> WorklistFilter {
    let text = |key: &str| query.get(key).filter(|v| !v.is_empty());
    WorklistFilter {
        q: text("q"),
        definition: text("definition"),
        requester: text("requester"),
        subject: text("subject"),
        status: text("status"),
        overdue: query
            .get("overdue")
            .is_some_and(|v| v == "true" || v == "on"),
        sort: text("sort"),
        page: query.get("page").and_then(|p| p.parse().ok()),
    }
}

#[component]
pub(super) fn FilterForm(
    filter: WorklistFilter,
    definitions: Vec<(String, String)>,
) -> impl IntoView {
    let lang = use_lang();
    let status_options = [
        ("", t(lang, "Any")),
        ("personal", t(lang, "Mine")),
        ("pool", t(lang, "Pool, unclaimed")),
        ("claimed", t(lang, "Claimed by me")),
    ];
    let sort_options = [
        ("due", t(lang, "Due date")),
        ("oldest", t(lang, "Oldest first")),
        ("newest", t(lang, "Newest first")),
        ("requester", t(lang, "Requester")),
    ];
    // No state chosen selects "Any".
    let status = Some(filter.status.as_deref().unwrap_or_default());
    view! {
        <form method="get" action="/worklist" class="filters" role="search" id="worklist-filter">
            <div class="field">
                <label for="wl-q">{t(lang, "Search")}</label>
                <input id="wl-q" name="q" type="search" placeholder=t(lang, "Any word of the request") value=filter.q.clone().unwrap_or_default()/>
            </div>
            <div class="field">
                <label for="wl-definition">{t(lang, "Workflow")}</label>
                <select id="wl-definition" name="definition">
                    <option value="">{t(lang, "Any")}</option>
                    {choice_options(definitions, filter.definition.as_deref())}
                </select>
            </div>
            <div class="field">
                <label for="wl-requester">{t(lang, "Requester")}</label>
                <input id="wl-requester" name="requester" type="text" value=filter.requester.clone().unwrap_or_default()/>
            </div>
            <div class="field">
                <label for="wl-subject">{t(lang, "For (subject)")}</label>
                <input id="wl-subject" name="subject" type="text" value=filter.subject.clone().unwrap_or_default()/>
            </div>
            <div class="field">
                <label for="wl-status">{t(lang, "State")}</label>
                <select id="wl-status" name="status">{choice_options(status_options, status)}</select>
            </div>
            <div class="field">
                <label for="wl-sort">{t(lang, "Sort by")}</label>
                <select id="wl-sort" name="sort">{choice_options(sort_options, filter.sort.as_deref())}</select>
            </div>
            <div class="field field-check">
                <input id="wl-overdue" name="overdue" type="checkbox" value="true" checked=filter.overdue/>
                <label for="wl-overdue">{t(lang, "Overdue only")}</label>
            </div>
            <FilterActions clear="/worklist"/>
        </form>
    }
}

/// The filter travels with a no-JavaScript submission, for "all matching".
#[component]
pub(super) fn FilterFields(filter: WorklistFilter) -> impl IntoView {
    let fields = [
        ("filter[q]", filter.q),
        ("filter[definition]", filter.definition),
        ("filter[requester]", filter.requester),
        ("filter[subject]", filter.subject),
        ("filter[status]", filter.status),
        ("filter[sort]", filter.sort),
        ("filter[overdue]", Some(filter.overdue.to_string())),
    ];
    fields
        .into_iter()
        .filter_map(|(name, value)| {
            value.map(|v| view! { <input type="hidden" name=name value=v/> })
        })
        .collect_view()
}

#[component]
pub(super) fn Pager(filter: WorklistFilter, page: u32, pages: u32, total: u64) -> impl IntoView {
    let lang = use_lang();
    let base = filter.to_query();
    let link = move |to: u32| {
        if base.is_empty() {
            format!("/worklist?page={to}")
        } else {
            format!("/worklist?{base}&page={to}")
        }
    };
    let values = [
        ("total", total.to_string()),
        ("page", page.to_string()),
        ("pages", pages.to_string()),
    ];
    view! {
        <nav class="pager" aria-label=t(lang, "Pages")>
            <span class="muted" id="worklist-count">
                {if total == 1 {
                    tf(lang, "{total} open item · page {page} of {pages}", &values)
                } else {
                    tf(lang, "{total} open items · page {page} of {pages}", &values)
                }}
            </span>
            {(page > 1).then(|| view! { <a href=link(page - 1) rel="prev">{t(lang, "← Previous")}</a> })}
            {(page < pages).then(|| view! { <a href=link(page + 1) rel="next">{t(lang, "Next →")}</a> })}
        </nav>
    }
}
