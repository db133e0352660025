//! The audit trail for administrators: a search by actor, kind, workflow, words of the
//! detail and days, by a plain GET form; newest first, 100 to a page; and
//! the same search as a CSV file, of any size.

use crate::app::api::get_audit;
use crate::app::i18n::{t, use_lang};
use crate::app::pages::common::{FilterActions, Loaded, TableHead};
use crate::model::audit::{AuditPage, AuditQuery};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn AdminAuditPage() -> impl IntoView {
    let lang = use_lang();
    let query = use_query_map();
    let asked = move || {
        let query = query.read();
        let text = |name: &str| query.get(name).filter(|v| !v.trim().is_empty());
        AuditQuery {
            actor: text("actor"),
            kind: text("kind"),
            target: text("target"),
            words: text("words"),
            from: text("from"),
            to: text("to"),
            before: query.get("before").and_then(|b| b.parse().ok()),
        }
    };
    let found = Resource::new(asked, get_audit);
    view! {
        <Title text=t(lang, "Audit trail")/>
        <p><a href="/admin">{t(lang, "← Administration")}</a></p>
        <h1>{t(lang, "Audit trail")}</h1>
        {move || view! { <Filters asked=asked()/> }}
        <Loaded data=found keep_while_reloading=true refused=t(lang, "This page is for administrators.")
            shown=move |page| view! { <Entries page asked=asked()/> }/>
    }
}

#[component]
fn Filters(asked: AuditQuery) -> impl IntoView {
    let lang = use_lang();
    let value = |text: &Option<String>| text.clone().unwrap_or_default();
    let export = format!("/admin/audit.csv?{}", asked.query_string());
    view! {
        <form method="get" action="/admin/audit" class="filters" role="search" id="audit-filter">
            <div class="field">
                <label for="au-actor">{t(lang, "Who")}</label>
                <input id="au-actor" name="actor" type="search" value=value(&asked.actor) autocapitalize="none" spellcheck="false"/>
            </div>
            <div class="field">
                <label for="au-kind">{t(lang, "Kind (e.g. workflow. or login.failed)")}</label>
                <input id="au-kind" name="kind" type="search" value=value(&asked.kind) autocapitalize="none" spellcheck="false"/>
            </div>
            <div class="field">
                <label for="au-target">{t(lang, "Workflow ID")}</label>
                <input id="au-target" name="target" type="search" value=value(&asked.target) autocapitalize="none" spellcheck="false"/>
            </div>
            <div class="field">
                <label for="au-words">{t(lang, "Words in the detail")}</label>
                <input id="au-words" name="words" type="search" value=value(&asked.words)/>
            </div>
            <div class="field">
                <label for="au-from">{t(lang, "From (UTC)")}</label>
                <input id="au-from" name="from" type="date" value=value(&asked.from)/>
            </div>
            <div class="field">
                <label for="au-to">{t(lang, "To (UTC)")}</label>
                <input id="au-to" name="to" type="date" value=value(&asked.to)/>
            </div>
            <FilterActions clear="/admin/audit"/>
            <a class="button button-quiet" href=export id="audit-export" download>{t(lang, "Export as CSV")}</a>
        </form>
    }
    .into_any()
}

#[component]
fn Entries(page: AuditPage, asked: AuditQuery) -> impl IntoView {
    let lang = use_lang();
    if page.entries.is_empty() {
        return view! { <p class="empty" id="audit">{t(lang, "No entry matches.")}</p> }.into_any();
    }
    let older = page.older.map(|before| {
        let filters = asked.query_string();
        let separator = if filters.is_empty() { "" } else { "&" };
        let href = format!("/admin/audit?{filters}{separator}before={before}");
        view! { <nav class="pager" aria-label=t(lang, "Pages")><a href=href rel="next">{t(lang, "Older →")}</a></nav> }
    });
    let rows = page
        .entries
        .into_iter()
        .map(|entry| {
            let workflow = entry.workflow_id.map(|id| {
                let href = format!("/admin/instances/{id}");
                view! { <a href=href>{id}</a> }
            });
            view! {
                <tr data-entry=entry.id.to_string()>
                    <td>{entry.occurred_at}</td>
                    <td>{entry.actor.unwrap_or_else(|| "—".into())}</td>
                    <td>{entry.action}</td>
                    <td>{workflow}</td>
                    <td class="audit-detail">{entry.detail}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="table" id="audit">
            <TableHead labels=vec![t(lang, "When (UTC)"), t(lang, "Who"), t(lang, "What"), t(lang, "Workflow"), t(lang, "Detail")]/>
            <tbody>{rows}</tbody>
        </table>
        {older}
    }
    .into_any()
}
