//! Admin overview: directory figures, deployed workflow definitions (and deploying a new
//! one), and the audit trail. Its data comes only from server functions that refuse
//! non-admins on the server; this page merely shows the refusal.

use crate::app::api::{get_admin_overview, DeployDefinition};
use crate::app::error::AppError;
use crate::app::types::AdminOverview;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AdminPage() -> impl IntoView {
    let deploy = ServerAction::<DeployDefinition>::new();
    // Reloads after every deployment so the list shows the new version.
    let overview = Resource::new(move || deploy.version().get(), |_| get_admin_overview());
    view! {
        <Title text="Admin"/>
        <h1>"Admin"</h1>
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Ok(figures) => view! { <Overview figures deploy/> }.into_any(),
                    Err(AppError::Forbidden) => {
                        view! {
                            <p class="alert alert-error" role="alert">
                                "This page is for administrators."
                            </p>
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

#[component]
fn Overview(figures: AdminOverview, deploy: ServerAction<DeployDefinition>) -> impl IntoView {
    view! {
        <section aria-labelledby="figures-heading">
            <h2 id="figures-heading" class="visually-hidden">"Figures"</h2>
            <dl class="figures">
                <div><dt>"Users"</dt><dd>{figures.users}</dd></div>
                <div><dt>"Disabled"</dt><dd>{figures.disabled_users}</dd></div>
                <div><dt>"Departments"</dt><dd>{figures.departments}</dd></div>
                <div><dt>"Catalog items"</dt><dd>{figures.catalog_items}</dd></div>
                <div><dt>"Running workflows"</dt><dd>{figures.running_workflows}</dd></div>
            </dl>
        </section>
        <section aria-labelledby="definitions-heading">
            <h2 id="definitions-heading">"Workflow definitions"</h2>
            <table class="table" id="definitions">
                <thead>
                    <tr>
                        <th scope="col">"Path"</th>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Version"</th>
                        <th scope="col">"Deployed (UTC)"</th>
                        <th scope="col">"By"</th>
                    </tr>
                </thead>
                <tbody>
                    {figures
                        .definitions
                        .into_iter()
                        .map(|line| {
                            view! {
                                <tr>
                                    <td>{line.path}</td>
                                    <td>{line.name}</td>
                                    <td>{line.version}</td>
                                    <td>{line.deployed_at}</td>
                                    <td>{line.deployed_by.unwrap_or_else(|| "start-up".into())}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
            <details class="deploy">
                <summary>"Deploy a definition"</summary>
                <ActionForm action=deploy attr:class="form">
                    <div class="field">
                        <label for="file_name">"File name"</label>
                        <input
                            id="file_name"
                            name="file_name"
                            type="text"
                            placeholder="my-approval.toml"
                            required
                        />
                    </div>
                    <div class="field">
                        <label for="source">"Definition (TOML)"</label>
                        <textarea id="source" name="source" rows="14" spellcheck="false" required></textarea>
                    </div>
                    <button type="submit" class="button button-primary">"Check and deploy"</button>
                </ActionForm>
                {move || {
                    deploy
                        .value()
                        .get()
                        .map(|result| match result {
                            Ok(done) if done.changed => {
                                view! {
                                    <p class="alert alert-info" role="status">
                                        {format!("Deployed {} as version {}.", done.path, done.version)}
                                    </p>
                                }
                                    .into_any()
                            }
                            Ok(done) => {
                                view! {
                                    <p class="alert alert-info" role="status">
                                        {format!(
                                            "Unchanged: {} version {} already has this text.",
                                            done.path,
                                            done.version,
                                        )}
                                    </p>
                                }
                                    .into_any()
                            }
                            Err(error) => {
                                view! {
                                    <pre class="alert alert-error deploy-errors" role="alert">
                                        {error.to_string()}
                                    </pre>
                                }
                                    .into_any()
                            }
                        })
                }}
            </details>
        </section>
        <section aria-labelledby="audit-heading">
            <h2 id="audit-heading">"Recent audit events"</h2>
            <table class="table">
                <thead>
                    <tr>
                        <th scope="col">"When (UTC)"</th>
                        <th scope="col">"Who"</th>
                        <th scope="col">"What"</th>
                        <th scope="col">"Detail"</th>
                    </tr>
                </thead>
                <tbody>
                    {figures
                        .recent_audit
                        .into_iter()
                        .map(|line| {
                            view! {
                                <tr>
                                    <td>{line.occurred_at}</td>
                                    <td>{line.actor.unwrap_or_else(|| "—".into())}</td>
                                    <td>{line.action}</td>
                                    <td>{line.detail}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </section>
    }
}
