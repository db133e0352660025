//! Admin overview: directory figures, deployed workflow definitions (and deploying a new
//! one), and the audit trail. Its data comes only from server functions that refuse
//! non-admins on the server; this page merely shows the refusal.

use crate::app::api::{get_admin_overview, DeployDefinition};
use crate::app::i18n::{t, tf, tr, use_lang};
use crate::app::pages::admin_definition::definition_href;
use crate::app::pages::common::{Loaded, TableHead, TextField, TextTable};
use crate::app::types::AdminOverview;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AdminPage() -> impl IntoView {
    let lang = use_lang();
    let deploy = ServerAction::<DeployDefinition>::new();
    // Reloads after every deployment so the list shows the new version.
    let overview = Resource::new(move || deploy.version().get(), |_| get_admin_overview());
    view! {
        <Title text=t(lang, "Admin")/>
        <h1>{t(lang, "Admin")}</h1>
        <Loaded data=overview shown=move |figures| view! { <Overview figures deploy/> }
            refused=t(lang, "This page is for administrators.")/>
    }
}

#[component]
fn Overview(figures: AdminOverview, deploy: ServerAction<DeployDefinition>) -> impl IntoView {
    let lang = use_lang();
    let definitions = figures
        .definitions
        .into_iter()
        .map(|line| {
            let by = line
                .deployed_by
                .unwrap_or_else(|| t(lang, "start-up").into());
            let href = definition_href(&line.path, None, None);
            view! {
                <tr>
                    <td><a href=href>{line.path}</a></td>
                    <td>{line.name}</td>
                    <td>{line.version}</td>
                    <td>{line.deployed_at}</td>
                    <td>{by}</td>
                </tr>
            }
        })
        .collect_view();
    let engines = figures
        .engines
        .into_iter()
        .map(|line| {
            [
                line.name,
                line.kind,
                t(
                    lang,
                    match line.state.as_str() {
                        "up" => "up",
                        "down" => "down",
                        _ => "unknown",
                    },
                )
                .into(),
                line.waiting.to_string(),
                line.checked_at.unwrap_or_else(|| "—".into()),
                line.last_error.unwrap_or_else(|| "—".into()),
            ]
        })
        .collect::<Vec<_>>();
    let engines = if engines.is_empty() {
        view! { <p>{t(lang, "No external engine is configured (integrations file).")}</p> }
            .into_any()
    } else {
        view! {
            <TextTable
                id="engines"
                heads=[t(lang, "Engine"), t(lang, "Kind"), t(lang, "State"), t(lang, "Waiting hand-offs"), t(lang, "Last checked (UTC)"), t(lang, "Last error")]
                rows=engines
            />
        }
            .into_any()
    };
    let audit = figures
        .recent_audit
        .into_iter()
        .map(|line| {
            let actor = line.actor.unwrap_or_else(|| "—".into());
            [line.occurred_at, actor, line.action, line.detail]
        })
        .collect::<Vec<_>>();
    view! {
        <crate::app::pages::admin_dashboard::Attention attention=figures.attention/>
        <section aria-labelledby="figures-heading">
            <h2 id="figures-heading" class="visually-hidden">{t(lang, "Figures")}</h2>
            <dl class="figures" id="directory-figures">
                <div><dt>{t(lang, "Users")}</dt><dd>{figures.users}</dd></div>
                <div><dt>{t(lang, "Disabled")}</dt><dd>{figures.disabled_users}</dd></div>
                <div><dt>{t(lang, "Departments")}</dt><dd>{figures.departments}</dd></div>
                <div><dt>{t(lang, "Catalog items")}</dt><dd>{figures.catalog_items}</dd></div>
                <div><dt>{t(lang, "Running workflows")}</dt><dd>{figures.running_workflows}</dd></div>
            </dl>
            <p><a href="/admin/instances">{t(lang, "Workflows: search, inspect and repair")}</a></p>
            <p><a href="/admin/audit">{t(lang, "Audit trail: search and export")}</a></p>
            <p><a href="/admin/users">{t(lang, "Users: accounts, groups, passwords and delegations")}</a></p>
            <p><a href="/admin/provisioning">{t(lang, "Provisioning: messages to target systems")}</a></p>
            <p><a href="/admin/changes">{t(lang, "Change events: identity changes from HR and other sources")}</a></p>
        </section>
        <section aria-labelledby="definitions-heading">
            <h2 id="definitions-heading">{t(lang, "Workflow definitions")}</h2>
            <table class="table" id="definitions">
                <TableHead labels=vec![t(lang, "Path"), t(lang, "Name"), t(lang, "Version"), t(lang, "Deployed (UTC)"), t(lang, "By")]/>
                <tbody>{definitions}</tbody>
            </table>
            <details class="deploy">
                <summary>{t(lang, "Deploy a definition")}</summary>
                <ActionForm action=deploy attr:class="form">
                    <TextField id="file_name" label=t(lang, "File name") required=true placeholder="my-approval.toml"/>
                    <div class="field">
                        <label for="source">{t(lang, "Definition (TOML)")}</label>
                        <textarea id="source" name="source" rows="14" spellcheck="false" required></textarea>
                    </div>
                    <button type="submit" class="button button-primary">{t(lang, "Check and deploy")}</button>
                </ActionForm>
                {move || {
                    deploy
                        .value()
                        .get()
                        .map(|result| match result {
                            Ok(done) => {
                                let values = [("path", done.path), ("version", done.version.to_string())];
                                let text = if done.changed {
                                    tf(lang, "Deployed {path} as version {version}.", &values)
                                } else {
                                    tf(lang, "Unchanged: {path} version {version} already has this text.", &values)
                                };
                                view! { <p class="alert alert-info" role="status">{text}</p> }.into_any()
                            }
                            Err(error) => {
                                view! {
                                    <pre class="alert alert-error deploy-errors" role="alert">
                                        {tr(lang, &error.to_string())}
                                    </pre>
                                }
                                    .into_any()
                            }
                        })
                }}
            </details>
        </section>
        <section aria-labelledby="engines-heading">
            <h2 id="engines-heading">{t(lang, "External workflow engines")}</h2>
            {engines}
        </section>
        <section aria-labelledby="audit-heading">
            <h2 id="audit-heading">{t(lang, "Recent audit events")}</h2>
            <TextTable heads=[t(lang, "When (UTC)"), t(lang, "Who"), t(lang, "What"), t(lang, "Detail")] rows=audit/>
        </section>
    }
    .into_any()
}
