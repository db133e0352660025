//! The rehearsal of a definition's text before it is deployed: the text (the shown version
//! to start from), recent real requests to replay on it and one typed request, every
//! approval answered the same way; for each request the path it would take on the graph,
//! who would be asked and why, and what would be sent or granted. Nothing changes.

use crate::app::api::DryRunDefinition;
use crate::app::i18n::{t, tr, use_lang};
use crate::app::pages::admin_instances::state_label;
use crate::app::pages::common::{ErrorAlert, TableHead, TextField};
use crate::app::pages::graph::WorkflowGraph;
use crate::model::definitions::{DefinitionView, DryRun, Rehearsed};
use leptos::form::ActionForm;
use leptos::prelude::*;

#[component]
pub fn DryRunForm(definition: DefinitionView) -> impl IntoView {
    let lang = use_lang();
    let rehearse = ServerAction::<DryRunDefinition>::new();
    let no_samples = definition.samples.is_empty().then(|| {
        view! { <p class="muted">{t(lang, "No request was made through this definition yet: type one below.")}</p> }
    });
    let samples = definition
        .samples
        .iter()
        .map(|sample| {
            view! {
                <label class="field-check">
                    <input type="checkbox" name="samples[]" value=sample.workflow.clone()/>
                    {sample.label.clone()}
                </label>
            }
        })
        .collect_view();
    let results = move || {
        rehearse.value().get().map(|answer| match answer {
            Ok(dry_run) => view! { <Results dry_run/> }.into_any(),
            Err(error) => {
                view! { <ErrorAlert text=tr(lang, &error.to_string()) id=Some("dry-run-error")/> }
                    .into_any()
            }
        })
    };
    view! {
        <section aria-labelledby="dry-run-heading">
            <h2 id="dry-run-heading">{t(lang, "Dry run")}</h2>
            <p class="muted">{t(lang, "Run a changed text on sample requests before deploying it: every approval gets the answer you choose, outside systems are assumed to answer with success, and nothing is stored, sent or granted.")}</p>
            <ActionForm action=rehearse attr:class="form" attr:id="dry-run-form">
                <input type="hidden" name="file_name" value=definition.file_name.clone()/>
                <div class="field">
                    <label for="dry-run-source">{t(lang, "Definition (TOML)")}</label>
                    <textarea id="dry-run-source" name="source" rows="16" spellcheck="false" required>{definition.source.clone()}</textarea>
                </div>
                <fieldset>
                    <legend>{t(lang, "Recent requests")}</legend>
                    {no_samples}
                    {samples}
                </fieldset>
                <fieldset>
                    <legend>{t(lang, "Or type a request")}</legend>
                    <TextField id="requester" label=t(lang, "Requester (user name)") verbatim=true/>
                    <TextField id="subject" label=t(lang, "For (user name; empty: the requester)") verbatim=true/>
                    <div class="field">
                        <label for="item_kind">{t(lang, "Kind of item")}</label>
                        <select id="item_kind" name="item_kind">
                            <option value="role">{t(lang, "Role")}</option>
                            <option value="resource">{t(lang, "Resource")}</option>
                            <option value="entitlement">{t(lang, "Entitlement")}</option>
                        </select>
                    </div>
                    <TextField id="item" label=t(lang, "Item") verbatim=true/>
                    <div class="field">
                        <label for="dry-run-form-values">{t(lang, "Form values (field = value, one to a line)")}</label>
                        <textarea id="dry-run-form-values" name="form" rows="3" spellcheck="false"></textarea>
                    </div>
                </fieldset>
                <fieldset>
                    <legend>{t(lang, "Every approval")}</legend>
                    <label class="field-check"><input type="radio" name="answer" value="approve" checked/>{t(lang, "approves")}</label>
                    <label class="field-check"><input type="radio" name="answer" value="reject"/>{t(lang, "rejects")}</label>
                </fieldset>
                <button type="submit" class="button button-primary">{t(lang, "Rehearse")}</button>
            </ActionForm>
            <div aria-live="polite">{results}</div>
        </section>
    }
    .into_any()
}

#[component]
fn Results(dry_run: DryRun) -> impl IntoView {
    let lang = use_lang();
    let results = dry_run
        .results
        .into_iter()
        .map(|rehearsed| view! { <Result rehearsed/> })
        .collect_view();
    view! {
        <div id="dry-run-results">
            <h3>{format!("{} · {}", dry_run.title, dry_run.path)}</h3>
            <p class="alert alert-info" role="status">{t(lang, "Rehearsed: nothing was stored or sent.")}</p>
            {results}
        </div>
    }
    .into_any()
}

#[component]
fn Result(rehearsed: Rehearsed) -> impl IntoView {
    let lang = use_lang();
    if let Some(refused) = rehearsed.refused {
        return view! {
            <article class="rehearsal">
                <h4>{rehearsed.sample}</h4>
                <ErrorAlert text=format!("{}: {refused}", t(lang, "The form does not fit this text")) id=None/>
            </article>
        }
        .into_any();
    }
    let stopped = rehearsed
        .stopped
        .map(|why| view! { <p class="alert alert-warning">{why}</p> });
    let steps = rehearsed
        .steps
        .into_iter()
        .map(|step| {
            let asked = step
                .asked
                .iter()
                .map(|(who, why)| format!("{who} ({why})"))
                .collect::<Vec<_>>()
                .join("; ");
            let done = step.effects.join("; ");
            let error = step.error.unwrap_or_default();
            view! {
                <tr>
                    <td>{step.title}</td>
                    <td>{step.kind}</td>
                    <td>{state_label(lang, &step.state)}</td>
                    <td>{asked}</td>
                    <td>{done}{error}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <article class="rehearsal">
            <h4>{rehearsed.sample}</h4>
            <p>{t(lang, "Ends")}": "<strong class="rehearsal-state">{state_label(lang, &rehearsed.state)}</strong></p>
            {stopped}
            <WorkflowGraph graph=rehearsed.graph id="rehearsal-graph"/>
            <div class="table-scroll">
                <table class="table rehearsal-steps">
                    <TableHead labels=vec![t(lang, "Step"), t(lang, "Kind"), t(lang, "State"), t(lang, "Would ask"), t(lang, "Would send or change")]/>
                    <tbody>{steps}</tbody>
                </table>
            </div>
        </article>
    }
    .into_any()
}
