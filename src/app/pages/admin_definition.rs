//! One workflow definition for its administrators: every deployed version with the
//! workflows still open on it, the graph and text of one version, what changed between two
//! versions, and a rehearsal of a changed text (`admin_dry_run`). Everything is addressed by
//! query (`?path=…&version=…&compare=…`) so that links and the back button work.

use crate::app::api::get_definition;
use crate::app::i18n::{t, tf, use_lang};
use crate::app::pages::admin_dry_run::DryRunForm;
use crate::app::pages::common::{Loaded, TableHead};
use crate::app::pages::graph::WorkflowGraph;
use crate::model::definitions::{DefinitionView, Diff};
use crate::model::query::query_string;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The address of a definition's screen showing `version`, compared with `compare`.
pub fn definition_href(path: &str, version: Option<i32>, compare: Option<i32>) -> String {
    let version = version.map(|v| v.to_string());
    let compare = compare.map(|v| v.to_string());
    format!(
        "/admin/definition?{}",
        query_string([
            ("path", Some(path)),
            ("version", version.as_deref()),
            ("compare", compare.as_deref()),
        ])
    )
}

#[component]
pub fn AdminDefinitionPage() -> impl IntoView {
    let lang = use_lang();
    let query = use_query_map();
    let view_data = Resource::new(
        move || {
            let query = query.read();
            let number = |name: &str| query.get(name).and_then(|v| v.parse::<i32>().ok());
            (
                query.get("path").unwrap_or_default(),
                number("version"),
                number("compare"),
            )
        },
        |(path, version, compare)| get_definition(path, version, compare),
    );
    view! {
        <Title text=t(lang, "Workflow definition")/>
        <p><a href="/admin">{t(lang, "← Admin")}</a></p>
        <Loaded data=view_data keep_while_reloading=true refused=t(lang, "This page is for administrators.")
            shown=move |definition| view! { <Shown definition/> }/>
    }
}

#[component]
fn Shown(definition: DefinitionView) -> impl IntoView {
    let lang = use_lang();
    let path = definition.path.clone();
    let shown = definition.shown;
    let versions = definition
        .versions
        .iter()
        .map(|line| {
            let current = (line.version == shown).then_some("page");
            let compare = (line.version != shown).then(|| {
                view! {
                    <a href=definition_href(&path, Some(shown), Some(line.version))>
                        {tf(lang, "changes since v{version}", &[("version", line.version.to_string())])}
                    </a>
                }
            });
            view! {
                <tr>
                    <td><a href=definition_href(&path, Some(line.version), None) aria-current=current>{format!("v{}", line.version)}</a></td>
                    <td>{line.deployed_at.clone()}</td>
                    <td>{line.deployed_by.clone().unwrap_or_else(|| t(lang, "start-up").into())}</td>
                    <td>{line.open}</td>
                    <td>{compare}</td>
                </tr>
            }
        })
        .collect_view();
    let diff = definition
        .diff
        .clone()
        .map(|diff| view! { <Changes diff/> });
    view! {
        <h1>{definition.title.clone()}</h1>
        <p class="muted">{format!("{} · v{}", definition.path, shown)}</p>
        <section aria-labelledby="versions-heading">
            <h2 id="versions-heading">{t(lang, "Versions")}</h2>
            <table class="table" id="versions">
                <TableHead labels=vec![t(lang, "Version"), t(lang, "Deployed (UTC)"), t(lang, "By"), t(lang, "Open workflows"), t(lang, "Compare")]/>
                <tbody>{versions}</tbody>
            </table>
        </section>
        {diff}
        <section aria-labelledby="definition-graph-heading">
            <h2 id="definition-graph-heading">{tf(lang, "Graph of v{version}", &[("version", shown.to_string())])}</h2>
            <WorkflowGraph graph=definition.graph.clone() id="definition-graph"/>
        </section>
        <details class="definition-text">
            <summary>{tf(lang, "Text of v{version}", &[("version", shown.to_string())])}</summary>
            <pre class="code">{definition.source.clone()}</pre>
        </details>
        <DryRunForm definition/>
    }
    .into_any()
}

/// The lines that changed between two versions, with a little context around each.
#[component]
fn Changes(diff: Diff) -> impl IntoView {
    let lang = use_lang();
    let hunks = diff
        .hunks
        .into_iter()
        .map(|hunk| {
            let lines = hunk
                .into_iter()
                .map(|line| {
                    let number = |n: Option<usize>| n.map(|n| n.to_string()).unwrap_or_default();
                    view! {
                        <tr class=format!("diff-{}", line.change.class())>
                            <td class="diff-number">{number(line.old)}</td>
                            <td class="diff-number">{number(line.new)}</td>
                            <td class="diff-sign" aria-hidden="true">{line.change.sign()}</td>
                            <td class="diff-text"><code>{line.text}</code></td>
                        </tr>
                    }
                })
                .collect_view();
            view! { <tbody class="diff-hunk">{lines}</tbody> }
        })
        .collect_view();
    let summary = tf(
        lang,
        "From v{from} to v{to}: {added} lines added, {removed} removed.",
        &[
            ("from", diff.from.to_string()),
            ("to", diff.to.to_string()),
            ("added", diff.added.to_string()),
            ("removed", diff.removed.to_string()),
        ],
    );
    view! {
        <section aria-labelledby="diff-heading">
            <h2 id="diff-heading">{t(lang, "Changes")}</h2>
            <p id="diff-summary">{summary}</p>
            <div class="table-scroll">
                <table class="diff" id="diff">
                    <thead><tr>
                        <th scope="col">{format!("v{}", diff.from)}</th>
                        <th scope="col">{format!("v{}", diff.to)}</th>
                        <th scope="col"><span class="visually-hidden">{t(lang, "Change")}</span></th>
                        <th scope="col">{t(lang, "Line")}</th>
                    </tr></thead>
                    {hunks}
                </table>
            </div>
        </section>
    }
    .into_any()
}
