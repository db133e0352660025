//! The dashboard's part of the administrators' page: what needs attention (each figure
//! a link to the list behind it), workflows by state and by definition, new requests and
//! decisions per day as a chart drawn on the server (an SVG, readable without
//! JavaScript, its numbers also in a table), the approvers with late work and how long
//! decisions take per definition and step.

use crate::app::i18n::{t, tf, use_lang};
use crate::app::pages::common::TableHead;
use crate::model::instances::{ApproverLoad, DayCount, StepTimes, DUE_SOON_HOURS, TREND_DAYS};
use leptos::prelude::*;

/// What needs an administrator, each figure a link to the list behind it; then the
/// workflows by state and the running ones by definition.
#[component]
pub fn Attention(attention: crate::model::instances::Attention) -> impl IntoView {
    use crate::model::instances::{FAILING_JOBS, OVERDUE, STUCK};
    let lang = use_lang();
    let instances = |state: &str| format!("/admin/instances?state={state}");
    let figures = [
        (
            "waiting-in-error",
            "Waiting in error",
            attention.waiting_in_error,
            instances(STUCK),
        ),
        ("failed", "Failed", attention.failed, instances("FAILED")),
        (
            "suspended",
            "Suspended",
            attention.suspended,
            instances("SUSPENDED"),
        ),
        (
            "overdue",
            "With an overdue work item",
            attention.overdue_workflows,
            instances(OVERDUE),
        ),
        (
            "failing-jobs",
            "Failing jobs",
            attention.failing_jobs,
            instances(FAILING_JOBS),
        ),
        (
            "parked-messages",
            "Parked provisioning messages",
            attention.parked_messages,
            "/admin/provisioning".to_owned(),
        ),
        (
            "stopped-sources",
            "Stopped change-event sources",
            attention.stopped_sources,
            "/admin/changes".to_owned(),
        ),
        (
            "engines-down",
            "External engines down",
            attention.engines_down,
            "#engines-heading".to_owned(),
        ),
    ];
    let calm = figures.iter().all(|(_, _, count, _)| *count == 0);
    let figures = figures
        .into_iter()
        .map(|(key, label, count, href)| {
            let class = if count > 0 { "needs-attention" } else { "calm" };
            view! {
                <div class=class data-figure=key>
                    <dt>{t(lang, label)}</dt>
                    <dd><a href=href>{count}</a></dd>
                </div>
            }
        })
        .collect_view();
    let by_state = attention
        .by_state
        .into_iter()
        .map(|(state, count)| {
            let href = instances(&state);
            let label = crate::app::pages::admin_instances::state_label(lang, &state);
            view! { <tr><th scope="row">{label}</th><td><a href=href>{count}</a></td></tr> }
        })
        .collect_view();
    let by_definition = attention
        .running_by_definition
        .into_iter()
        .map(|(path, count)| {
            let href = format!(
                "/admin/instances?state=RUNNING&definition={}",
                crate::app::types::encode_query_value(&path)
            );
            view! { <tr><th scope="row">{path}</th><td><a href=href>{count}</a></td></tr> }
        })
        .collect_view();
    view! {
        <section aria-labelledby="attention-heading">
            <h2 id="attention-heading">{t(lang, "Needs attention")}</h2>
            {calm.then(|| view! { <p class="alert alert-info" id="all-calm">{t(lang, "Nothing needs attention.")}</p> })}
            <dl class="figures attention" id="attention">{figures}</dl>
        </section>
        <Trend days=attention.days/>
        <Approvers approvers=attention.approvers/>
        <DecisionTimes steps=attention.decision_times/>
        <section aria-labelledby="by-state-heading" class="split">
            <div>
                <h2 id="by-state-heading">{t(lang, "Workflows by state")}</h2>
                <p class="muted">{tf(lang, "Succeeded and aborted: those that ended in the last {days} days.", &[("days", TREND_DAYS.to_string())])}</p>
                <table class="table" id="by-state">
                    <thead><tr><th scope="col">{t(lang, "State")}</th><th scope="col">{t(lang, "Workflows")}</th></tr></thead>
                    <tbody>{by_state}</tbody>
                </table>
            </div>
            <div>
                <h2 id="by-definition-heading">{t(lang, "Running by definition")}</h2>
                <table class="table" id="by-definition">
                    <thead><tr><th scope="col">{t(lang, "Definition")}</th><th scope="col">{t(lang, "Running")}</th></tr></thead>
                    <tbody>{by_definition}</tbody>
                </table>
            </div>
        </section>
    }
    .into_any()
}

/// Chart size in SVG user units; it scales to the page's width.
const CHART_WIDTH: f64 = 700.0;
const CHART_HEIGHT: f64 = 180.0;
const CHART_BOTTOM: f64 = 20.0;

/// New requests and decisions per day: two bars a day, the numbers in a table below.
#[component]
fn Trend(days: Vec<DayCount>) -> impl IntoView {
    let lang = use_lang();
    let most = days
        .iter()
        .map(|d| d.requests.max(d.decisions))
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let slot = CHART_WIDTH / days.len().max(1) as f64;
    let bar = (slot - 2.0) / 2.0;
    let plot = CHART_HEIGHT - CHART_BOTTOM;
    let height = |n: u64| (n as f64 / most) * (plot - 10.0);
    let total_requests: u64 = days.iter().map(|d| d.requests).sum();
    let total_decisions: u64 = days.iter().map(|d| d.decisions).sum();
    let bars = days
        .iter()
        .enumerate()
        .map(|(i, day)| {
            let x = i as f64 * slot + 1.0;
            let (r, d) = (height(day.requests), height(day.decisions));
            // Every seventh day is named under the axis (the last one is today).
            let label = (days.len() - 1 - i).is_multiple_of(7).then(|| {
                let text = day.day.get(5..).unwrap_or(&day.day).to_owned();
                // The last label ends at the edge instead of running over it.
                let (anchor, at) = if i + 1 == days.len() { ("end", x + slot - 1.0) } else { ("middle", x + slot / 2.0) };
                view! { <text x=format!("{at:.1}") y=format!("{:.1}", CHART_HEIGHT - 5.0) text-anchor=anchor class="chart-label">{text}</text> }
            });
            view! {
                <g>
                    <rect class="bar-requests" x=format!("{x:.1}") y=format!("{:.1}", plot - r) width=format!("{bar:.1}") height=format!("{r:.1}")>
                        <title>{format!("{}: {}", day.day, day.requests)}</title>
                    </rect>
                    <rect class="bar-decisions" x=format!("{:.1}", x + bar) y=format!("{:.1}", plot - d) width=format!("{bar:.1}") height=format!("{d:.1}")>
                        <title>{format!("{}: {}", day.day, day.decisions)}</title>
                    </rect>
                    {label}
                </g>
            }
            .into_any()
        })
        .collect_view();
    let rows = days
        .iter()
        .rev()
        .map(|day| view! { <tr><th scope="row">{day.day.clone()}</th><td>{day.requests}</td><td>{day.decisions}</td></tr> })
        .collect_view();
    let summary = tf(
        lang,
        "Last {days} days: {requests} new requests, {decisions} decisions.",
        &[
            ("days", days.len().to_string()),
            ("requests", total_requests.to_string()),
            ("decisions", total_decisions.to_string()),
        ],
    );
    let chart = view! {
        <svg class="chart" id="trend-chart" viewBox=format!("0 0 {CHART_WIDTH} {CHART_HEIGHT}") role="img" aria-label=summary.clone()>
            <line x1="0" y1=format!("{plot}") x2=format!("{CHART_WIDTH}") y2=format!("{plot}") class="chart-axis"/>
            {bars}
        </svg>
    }
    .into_any();
    let table = view! {
        <details>
            <summary>{t(lang, "The numbers as a table")}</summary>
            <table class="table" id="trend-table">
                <TableHead labels=vec![t(lang, "Day (UTC)"), t(lang, "New requests"), t(lang, "Decisions")]/>
                <tbody>{rows}</tbody>
            </table>
        </details>
    }
    .into_any();
    view! {
        <section aria-labelledby="trend-heading">
            <h2 id="trend-heading">{t(lang, "Requests and decisions per day")}</h2>
            <p id="trend-summary">{summary}</p>
            <p class="legend" aria-hidden="true">
                <span class="swatch swatch-requests"></span>{t(lang, "New requests")}
                <span class="swatch swatch-decisions"></span>{t(lang, "Decisions")}
            </p>
            {chart}
            {table}
        </section>
    }
    .into_any()
}

/// Approvers with work items overdue or due soon, most overdue first.
#[component]
fn Approvers(approvers: Vec<ApproverLoad>) -> impl IntoView {
    let lang = use_lang();
    let soon = tf(
        lang,
        "Due within {hours} h",
        &[("hours", DUE_SOON_HOURS.to_string())],
    );
    let body = if approvers.is_empty() {
        view! { <p class="empty" id="late-work">{t(lang, "No work item is overdue or due soon.")}</p> }.into_any()
    } else {
        let rows = approvers
            .into_iter()
            .map(|load| {
                let name = load.username.clone();
                view! {
                    <tr data-approver=name>
                        <th scope="row">{load.username}</th>
                        <td>{load.overdue}</td>
                        <td>{load.due_soon}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <table class="table" id="late-work">
                <thead><tr><th scope="col">{t(lang, "Approver")}</th><th scope="col">{t(lang, "Overdue")}</th><th scope="col">{soon}</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        }
        .into_any()
    };
    view! {
        <section aria-labelledby="late-work-heading">
            <h2 id="late-work-heading">{t(lang, "Late work by approver")}</h2>
            {body}
        </section>
    }
    .into_any()
}

/// How long people took to decide, per definition and step: median, 90th and 99th
/// percentile over the chart's days.
#[component]
fn DecisionTimes(steps: Vec<StepTimes>) -> impl IntoView {
    let lang = use_lang();
    let body = if steps.is_empty() {
        view! { <p class="empty" id="decision-times">{tf(lang, "Nobody decided anything in the last {days} days.", &[("days", TREND_DAYS.to_string())])}</p> }.into_any()
    } else {
        let rows = steps
            .into_iter()
            .map(|step| {
                let href = format!(
                    "/admin/definition?path={}",
                    crate::app::types::encode_query_value(&step.definition)
                );
                let key = format!("{}/{}", step.definition, step.step);
                view! {
                    <tr data-step=key>
                        <th scope="row"><a href=href>{step.definition}</a></th>
                        <td>{step.step}</td>
                        <td>{step.decisions}</td>
                        <td>{duration_text(lang, step.median)}</td>
                        <td>{duration_text(lang, step.p90)}</td>
                        <td>{duration_text(lang, step.p99)}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <table class="table" id="decision-times">
                <TableHead labels=vec![
                    t(lang, "Definition"),
                    t(lang, "Step"),
                    t(lang, "Decisions"),
                    t(lang, "Median"),
                    t(lang, "90 %"),
                    t(lang, "99 %"),
                ]/>
                <tbody>{rows}</tbody>
            </table>
        }
        .into_any()
    };
    view! {
        <section aria-labelledby="decision-times-heading">
            <h2 id="decision-times-heading">{t(lang, "Time to decide")}</h2>
            <p class="muted">{tf(lang, "From being asked to deciding, over the last {days} days; timeouts not counted.", &[("days", TREND_DAYS.to_string())])}</p>
            {body}
        </section>
    }
    .into_any()
}

/// A duration in the unit that reads best: seconds, minutes, hours or days.
pub fn duration_text(lang: crate::app::i18n::Lang, seconds: u64) -> String {
    let (key, amount) = match seconds {
        0..90 => ("{n} s", seconds.to_string()),
        90..5_400 => ("{n} min", (seconds / 60).to_string()),
        5_400..129_600 => ("{n} h", format!("{:.1}", seconds as f64 / 3_600.0)),
        _ => ("{n} d", format!("{:.1}", seconds as f64 / 86_400.0)),
    };
    tf(lang, key, &[("n", amount)])
}
