//! One workflow taken apart for an administrator: where it stands and why, its
//! activities with who is asked, its flowdata, the jobs it left and its audit trail; and
//! the repairs (suspend, resume, abort, restart an activity waiting in error, ask other
//! people), each with a reason. Every form names the version the page showed, so a
//! workflow that moved meanwhile refuses the repair instead of surprising anyone.

use crate::app::api::{get_instance, RepairInstance};
use crate::app::i18n::{t, use_lang};
use crate::app::pages::admin_instances::state_label;
use crate::app::pages::common::{named_in_address, FormAnswer, Loaded, TableHead, TextTable};
use crate::app::pages::graph::WorkflowGraph;
use crate::model::instances::{Inspection, RunLine};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn AdminInstancePage() -> impl IntoView {
    let lang = use_lang();
    let params = use_params_map();
    let repair = ServerAction::<RepairInstance>::new();
    let inspection = Resource::new(
        move || (params.read().get("workflow"), repair.version().get()),
        |(workflow, _)| named_in_address(workflow, get_instance),
    );
    view! {
        <Title text=t(lang, "Workflow")/>
        <p><a href="/admin/instances">{t(lang, "← Workflows")}</a></p>
        {move || repair.value().get().map(|answer| view! { <FormAnswer answer id="repair-answer"/> })}
        <Loaded data=inspection keep_while_reloading=true refused=t(lang, "This page is for administrators.")
            shown=move |inspection| view! { <Inspected inspection repair/> }/>
    }
}

#[component]
fn Inspected(inspection: Inspection, repair: ServerAction<RepairInstance>) -> impl IntoView {
    let lang = use_lang();
    let stuck: Vec<&RunLine> = inspection.runs.iter().filter(|r| r.restartable).collect();
    let why = (!stuck.is_empty()).then(|| {
        let reasons = stuck
            .iter()
            .map(|run| {
                let error = run.error.clone().unwrap_or_default();
                view! { <li><strong>{run.title.clone()}</strong>": "{error}</li> }
            })
            .collect_view();
        view! {
            <div class="alert alert-warning" role="status" id="why-stuck">
                <p>{t(lang, "Waiting in error: an activity failed and waits for an administrator.")}</p>
                <ul>{reasons}</ul>
            </div>
        }
    });
    let facts = view! {
        <dl class="facts">
            <div><dt>{t(lang, "Workflow ID")}</dt><dd>{inspection.id.clone()}</dd></div>
            <div><dt>{t(lang, "State")}</dt><dd id="instance-state">{state_label(lang, &inspection.state)}</dd></div>
            <div><dt>{t(lang, "Outcome")}</dt><dd>{inspection.application_state.clone().unwrap_or_else(|| "—".into())}</dd></div>
            <div><dt>{t(lang, "Definition")}</dt><dd>{format!("{} v{}", inspection.definition, inspection.definition_version)}</dd></div>
            <div><dt>{t(lang, "Requested by")}</dt><dd>{inspection.initiator.clone()}</dd></div>
            <div><dt>{t(lang, "For")}</dt><dd>{inspection.subject.clone().unwrap_or_else(|| "—".into())}</dd></div>
            <div><dt>{t(lang, "Started (UTC)")}</dt><dd>{inspection.created.clone()}</dd></div>
            <div><dt>{t(lang, "Changed (UTC)")}</dt><dd>{inspection.updated.clone()}</dd></div>
            <div><dt>{t(lang, "Ended (UTC)")}</dt><dd>{inspection.ended.clone().unwrap_or_else(|| "—".into())}</dd></div>
        </dl>
    }
    .into_any();
    let jobs = inspection
        .jobs
        .iter()
        .map(|job| {
            [
                job.kind.clone(),
                job.run.map(|run| run.to_string()).unwrap_or_default(),
                job.due.clone(),
                job.attempts.to_string(),
                t(lang, if job.done { "done" } else { "waiting" }).to_owned(),
                job.last_error.clone().unwrap_or_default(),
            ]
        })
        .collect();
    let flowdata = inspection
        .flowdata
        .iter()
        .map(|(path, values)| [path.clone(), values.join(" · ")])
        .collect();
    let audit = inspection
        .audit
        .iter()
        .map(|line| {
            [
                line.occurred_at.clone(),
                line.actor.clone().unwrap_or_else(|| "—".into()),
                line.action.clone(),
                line.detail.clone(),
            ]
        })
        .collect();
    view! {
        <h1>{inspection.title.clone()}</h1>
        {why}
        {facts}
        <Lifecycle inspection=inspection.clone() repair/>
        <section aria-labelledby="graph-heading">
            <h2 id="graph-heading">{t(lang, "Where it stands")}</h2>
            <WorkflowGraph graph=inspection.graph.clone() id="instance-graph"/>
            <p><a id="replay-link" href=format!("/admin/instances/{}/replay", inspection.id)>{t(lang, "Replay its history step by step")}</a></p>
        </section>
        <section aria-labelledby="runs-heading">
            <h2 id="runs-heading">{t(lang, "Activities")}</h2>
            <RunTable inspection=inspection.clone() repair/>
        </section>
        <section aria-labelledby="flowdata-heading">
            <h2 id="flowdata-heading">{t(lang, "Flowdata")}</h2>
            <TextTable id="flowdata" heads=[t(lang, "Attribute"), t(lang, "Values")] rows=flowdata/>
        </section>
        <section aria-labelledby="jobs-heading">
            <h2 id="jobs-heading">{t(lang, "Jobs")}</h2>
            <TextTable id="jobs"
                heads=[t(lang, "Kind"), t(lang, "Activity run"), t(lang, "Due (UTC)"), t(lang, "Attempts"), t(lang, "State"), t(lang, "Last error")]
                rows=jobs/>
        </section>
        <section aria-labelledby="audit-heading">
            <h2 id="audit-heading">{t(lang, "Audit trail")}</h2>
            <TextTable id="audit" heads=[t(lang, "When (UTC)"), t(lang, "Who"), t(lang, "What"), t(lang, "Detail")] rows=audit/>
        </section>
    }
    .into_any()
}

/// Suspend, resume or abort the whole workflow, as its state allows, with a reason.
#[component]
fn Lifecycle(inspection: Inspection, repair: ServerAction<RepairInstance>) -> impl IntoView {
    let lang = use_lang();
    let choices: Vec<(&str, &str)> = [
        (inspection.may_suspend, "suspend", "Suspend"),
        (inspection.may_resume, "resume", "Resume"),
        (inspection.may_abort, "abort", "Abort"),
    ]
    .into_iter()
    .filter(|(allowed, _, _)| *allowed)
    .map(|(_, value, label)| (value, t(lang, label)))
    .collect();
    if choices.is_empty() {
        return view! { <p class="muted">{t(lang, "The workflow has ended: nothing to repair.")}</p> }
            .into_any();
    }
    let options = choices
        .into_iter()
        .map(|(value, label)| view! { <option value=value>{label}</option> })
        .collect_view();
    view! {
        <section aria-labelledby="lifecycle-heading">
            <h2 id="lifecycle-heading">{t(lang, "Repair")}</h2>
            <ActionForm action=repair attr:class="form repair" attr:id="lifecycle-form">
                <input type="hidden" name="id" value=inspection.id.clone()/>
                <input type="hidden" name="version" value=inspection.version.to_string()/>
                <div class="field">
                    <label for="lifecycle-repair">{t(lang, "Action")}</label>
                    <select id="lifecycle-repair" name="repair">{options}</select>
                </div>
                <div class="field">
                    <label for="lifecycle-reason">{t(lang, "Reason (kept in the audit trail)")}</label>
                    <input id="lifecycle-reason" name="reason" type="text" required maxlength="500"/>
                </div>
                <button type="submit" class="button">{t(lang, "Apply")}</button>
            </ActionForm>
        </section>
    }
    .into_any()
}

/// The workflow's activity runs, oldest first, each with the repair it allows.
#[component]
fn RunTable(inspection: Inspection, repair: ServerAction<RepairInstance>) -> impl IntoView {
    let lang = use_lang();
    let rows = inspection
        .runs
        .into_iter()
        .map(|run| {
            let repairs = run_repairs(lang, &inspection.id, inspection.version, &run, repair);
            let (seq, state) = (run.seq.to_string(), run.state.clone());
            // The activity's id under its title, where the title does not say it already.
            let named = (run.title != run.activity.replace('_', " "))
                .then(|| view! { <br/><span class="muted">{run.activity.clone()}</span> });
            view! {
                <tr data-run=seq data-state=state>
                    <td>{run.seq}</td>
                    <td>{run.title}{named}</td>
                    <td>{run.kind}</td>
                    <td>{run.state}</td>
                    <td>{run.started}</td>
                    <td>{run.ended.unwrap_or_default()}</td>
                    <td>{run.participants.join(", ")}</td>
                    <td>{run.due.unwrap_or_default()}</td>
                    <td class="run-error">{run.error.unwrap_or_default()}</td>
                    <td>{repairs}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="table" id="runs">
            <TableHead labels=vec![
                t(lang, "Run"), t(lang, "Step"), t(lang, "Kind"), t(lang, "State"), t(lang, "Started (UTC)"),
                t(lang, "Ended (UTC)"), t(lang, "Asked"), t(lang, "Due (UTC)"), t(lang, "Error"),
            ] actions=true/>
            <tbody>{rows}</tbody>
        </table>
    }
    .into_any()
}

/// A run's repair forms: restart one waiting in error; ask other people on a running
/// approval, or move its due time; nothing for the others.
fn run_repairs(
    lang: crate::app::i18n::Lang,
    id: &str,
    version: u64,
    run: &RunLine,
    repair: ServerAction<RepairInstance>,
) -> Vec<AnyView> {
    let form = |kind: &'static str, button: &'static str, extra: Option<AnyView>| {
        let reason_id = format!("reason-{kind}-{}", run.seq);
        let (id, seq) = (id.to_owned(), run.seq.to_string());
        view! {
            <ActionForm action=repair attr:class="inline-form run-repair">
                <input type="hidden" name="id" value=id/>
                <input type="hidden" name="version" value=version.to_string()/>
                <input type="hidden" name="repair" value=kind/>
                <input type="hidden" name="run" value=seq/>
                {extra}
                <label for=reason_id.clone()>{t(lang, "Reason")}</label>
                <input id=reason_id name="reason" type="text" required maxlength="500"/>
                <button type="submit" class="button">{button}</button>
            </ActionForm>
        }
        .into_any()
    };
    let mut forms = Vec::new();
    if run.restartable {
        forms.push(form("restart", t(lang, "Restart"), None));
    }
    if run.reassignable {
        let users_id = format!("users-{}", run.seq);
        let users = view! {
            <label for=users_id.clone()>{t(lang, "Ask instead (user names)")}</label>
            <input id=users_id name="users" type="text" required autocapitalize="none" spellcheck="false"/>
        }
        .into_any();
        forms.push(form("reassign", t(lang, "Reassign"), Some(users)));
    }
    if run.due_movable {
        let due_id = format!("due-{}", run.seq);
        let due = view! {
            <label for=due_id.clone()>{t(lang, "New due time (UTC)")}</label>
            <input id=due_id name="due" type="datetime-local" required/>
        }
        .into_any();
        forms.push(form("due", t(lang, "Move due time"), Some(due)));
    }
    forms
}
