//! A workflow's history replayed one step at a time: what moved it and who, and right after
//! it the state, the position on the definition's graph, the steps begun and ended, the
//! decisions, who was asked and why, and the flowdata with what changed. Each step has its
//! own address (`?step=N`), so the page works without JavaScript and can be linked.

use crate::app::api::get_replay;
use crate::app::i18n::{t, use_lang, Lang};
use crate::app::pages::admin_instances::state_label;
use crate::app::pages::common::{named_in_address, Loaded, TextTable};
use crate::app::pages::graph::WorkflowGraph;
use crate::model::replay::{Replay, StepView};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn AdminReplayPage() -> impl IntoView {
    let lang = use_lang();
    let params = use_params_map();
    let query = use_query_map();
    let replay = Resource::new(
        move || {
            let step = query
                .read()
                .get("step")
                .and_then(|s| s.parse::<usize>().ok());
            (params.read().get("workflow"), step)
        },
        |(workflow, step)| named_in_address(workflow, move |id| get_replay(id, step)),
    );
    view! {
        <Title text=t(lang, "Replay")/>
        <Loaded data=replay keep_while_reloading=true refused=t(lang, "This page is for administrators.")
            shown=move |replay| view! { <Replayed replay/> }/>
    }
}

#[component]
fn Replayed(replay: Replay) -> impl IntoView {
    let lang = use_lang();
    let back = format!("/admin/instances/{}", replay.id);
    let late = replay.starts_late.then(|| {
        view! { <p class="alert alert-info" role="note">{t(lang, "This workflow was saved before steps were recorded: its history starts later than the workflow.")}</p> }
    });
    let current = replay.steps.get(replay.at.wrapping_sub(1)).cloned();
    let what = current.map(|step| {
        let who = step.actor.clone().unwrap_or_else(|| t(lang, "the engine").to_owned());
        view! {
            <dl class="facts" id="replay-step">
                <div><dt>{t(lang, "When (UTC)")}</dt><dd>{step.occurred_at}</dd></div>
                <div><dt>{t(lang, "Who")}</dt><dd>{who}</dd></div>
                <div><dt>{t(lang, "What")}</dt><dd>{step.action}</dd></div>
                <div><dt>{t(lang, "Why")}</dt><dd>{step.detail}</dd></div>
                <div><dt>{t(lang, "State after")}</dt><dd id="replay-state">{state_label(lang, &replay.view.state)}</dd></div>
            </dl>
        }
    });
    view! {
        <p><a href=back>{t(lang, "← Workflow")}</a></p>
        <h1>{format!("{}: {}", t(lang, "Replay"), replay.title)}</h1>
        {late}
        <Stepper replay=replay.clone()/>
        {what}
        <WorkflowGraph graph=replay.graph.clone() id="replay-graph"/>
        <AfterStep view=replay.view.clone()/>
        <Timeline replay/>
    }
    .into_any()
}

/// First, previous, next and last, as links; "step N of M" between them.
#[component]
fn Stepper(replay: Replay) -> impl IntoView {
    let lang = use_lang();
    let last = replay.steps.len();
    let link = move |label: &'static str, to: usize, enabled: bool| {
        if enabled {
            view! { <a class="button" href=format!("?step={to}") rel="nofollow">{t(lang, label)}</a> }.into_any()
        } else {
            view! { <span class="button disabled" aria-disabled="true">{t(lang, label)}</span> }
                .into_any()
        }
    };
    let at = replay.at;
    view! {
        <nav class="stepper" aria-label=t(lang, "Steps")>
            {link("First", 1, at > 1)}
            {link("Previous", at.saturating_sub(1), at > 1)}
            <span id="replay-position">{format!("{} {at} {} {last}", t(lang, "Step"), t(lang, "of"))}</span>
            {link("Next", at + 1, at < last)}
            {link("Last", last, at < last)}
        </nav>
    }
}

fn list_or_none(lang: Lang, items: Vec<String>, id: &'static str) -> AnyView {
    if items.is_empty() {
        view! { <p class="muted" id=id>{t(lang, "None.")}</p> }.into_any()
    } else {
        view! { <ul id=id>{items.into_iter().map(|i| view! { <li>{i}</li> }).collect_view()}</ul> }
            .into_any()
    }
}

/// What the step changed, and where the workflow stood right after it.
#[component]
fn AfterStep(view: StepView) -> impl IntoView {
    let lang = use_lang();
    let ended = view
        .ended
        .iter()
        .map(|(step, how)| format!("{step} ({})", state_label(lang, how)))
        .collect();
    let asked: Vec<[String; 4]> = view
        .asked
        .iter()
        .flat_map(|asked| {
            asked.waiting_on.iter().map(move |(who, why)| {
                [
                    asked.step.clone(),
                    who.clone(),
                    why.clone(),
                    asked.due.clone().unwrap_or_else(|| "—".into()),
                ]
            })
        })
        .collect();
    let flowdata = view
        .flowdata
        .iter()
        .map(|line| {
            let changed = if line.changed { t(lang, "changed") } else { "" };
            [
                line.path.clone(),
                line.values.join(" · "),
                changed.to_owned(),
            ]
        })
        .collect();
    view! {
        <div class="replay-columns">
            <section aria-labelledby="began-heading">
                <h2 id="began-heading">{t(lang, "Began")}</h2>
                {list_or_none(lang, view.started.clone(), "replay-started")}
            </section>
            <section aria-labelledby="ended-heading">
                <h2 id="ended-heading">{t(lang, "Ended")}</h2>
                {list_or_none(lang, ended, "replay-ended")}
            </section>
            <section aria-labelledby="decisions-heading">
                <h2 id="decisions-heading">{t(lang, "Decisions")}</h2>
                {list_or_none(lang, view.decisions.clone(), "replay-decisions")}
            </section>
        </div>
        <section aria-labelledby="asked-heading">
            <h2 id="asked-heading">{t(lang, "Asked after this step")}</h2>
            {if asked.is_empty() {
                view! { <p class="muted" id="replay-asked">{t(lang, "Nobody is asked.")}</p> }.into_any()
            } else {
                view! { <TextTable id="replay-asked" heads=[t(lang, "Step"), t(lang, "Who"), t(lang, "Why them"), t(lang, "Due (UTC)")] rows=asked/> }.into_any()
            }}
        </section>
        <section aria-labelledby="replay-flowdata-heading">
            <h2 id="replay-flowdata-heading">{t(lang, "Flowdata after this step")}</h2>
            <TextTable id="replay-flowdata" heads=[t(lang, "Attribute"), t(lang, "Values"), t(lang, "Change")] rows=flowdata/>
        </section>
    }
    .into_any()
}

/// Every recorded step as a link, the one shown marked.
#[component]
fn Timeline(replay: Replay) -> impl IntoView {
    let lang = use_lang();
    let items = replay
        .steps
        .into_iter()
        .map(|step| {
            let current = (step.number == replay.at).then_some("step");
            let who = step
                .actor
                .unwrap_or_else(|| t(lang, "the engine").to_owned());
            view! {
                <li>
                    <a href=format!("?step={}", step.number) aria-current=current rel="nofollow">
                        {format!("{} · {} · {}", step.occurred_at, who, step.action)}
                    </a>
                </li>
            }
        })
        .collect_view();
    view! {
        <section aria-labelledby="timeline-heading">
            <h2 id="timeline-heading">{t(lang, "All steps")}</h2>
            <ol class="timeline" id="replay-timeline">{items}</ol>
        </section>
    }
}
