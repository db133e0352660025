//! Identity change events for administrators: how this node's consumer is doing, each
//! source with its progress and what it does with an event it cannot apply, every
//! stopped stream with its event and the reason (retry or skip it, each audited), and
//! the events set aside. The consumer acts on a retry or skip by itself, so while a
//! stream is stopped or a request waits, the browser looks again every two seconds.

use crate::app::api::{get_changes_overview, RetryChangeEvent, SetChangePolicy, SkipChangeEvent};
use crate::app::i18n::{t, tf, tr, use_lang, Lang};
use crate::app::pages::common::{column_heads, Loaded, NewestAnswer};
use crate::model::changes::{ChangesOverview, SetAsideLine, SourceLine, StopLine};
use crate::model::AppError;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;

/// How often the browser looks again while the consumer has something to do.
const POLL_SECONDS: u64 = 2;
/// Looks after the consumer stopped being busy.
const GRACE_POLLS: u32 = 5;

/// The consumer's status when the broker cannot be reached, with the reason after it.
const UNREACHABLE: &str = "The broker cannot be reached; events wait on the queue. (";

/// The page's three forms; the overview is fetched again after each.
#[derive(Clone, Copy)]
struct Forms {
    retry: ServerAction<RetryChangeEvent>,
    skip: ServerAction<SkipChangeEvent>,
    policy: ServerAction<SetChangePolicy>,
}

#[component]
pub fn AdminChangesPage() -> impl IntoView {
    let lang = use_lang();
    let forms = Forms {
        retry: ServerAction::new(),
        skip: ServerAction::new(),
        policy: ServerAction::new(),
    };
    let refresh = RwSignal::new(0u32);
    let versions = [
        forms.retry.version(),
        forms.skip.version(),
        forms.policy.version(),
    ];
    let overview = Resource::new(
        move || (versions.map(|version| version.get()), refresh.get()),
        |_| get_changes_overview(),
    );
    follow_the_consumer(overview, refresh);
    let newest = NewestAnswer::default();
    newest.follow(forms.retry);
    newest.follow(forms.skip);
    newest.follow(forms.policy);
    view! {
        <Title text=t(lang, "Change events")/>
        <p><a href="/admin">{t(lang, "← Administration")}</a></p>
        <h1>{t(lang, "Change events")}</h1>
        {newest.shown("changes-answer", tr)}
        <Loaded data=overview keep_while_reloading=true refused=t(lang, "Only administrators see change events.")
            shown=move |overview| view! { <Overview overview forms/> }/>
    }
}

/// Whether the consumer has something to do that the page waits for: a stopped stream,
/// or a retry or skip asked and not yet carried out.
fn consumer_busy(overview: &ChangesOverview) -> bool {
    overview.sources.iter().any(|source| source.stop.is_some())
}

/// In the browser only: while the consumer is busy, and for [`GRACE_POLLS`] looks after
/// (the event after a skipped or retried one lands a moment after the stop is gone), looks
/// at the overview every [`POLL_SECONDS`] and shows it again when it changed (not
/// otherwise, so that a reason being typed into a skip form stays).
fn follow_the_consumer(
    overview: Resource<Result<ChangesOverview, AppError>>,
    refresh: RwSignal<u32>,
) {
    let busy = Memo::new(move |before: Option<&bool>| match overview.get() {
        Some(Ok(shown)) => consumer_busy(&shown),
        _ => before.copied().unwrap_or(false),
    });
    let grace = RwSignal::new(0u32);
    // Busy as soon as the page shows it, not from the next look only: a skip clicked
    // before that look still gets the looks after it.
    Effect::new(move |_| {
        if busy.get() {
            grace.set(GRACE_POLLS);
        }
    });
    Effect::new(move |_| {
        let poll = move || {
            if busy.get_untracked() {
                grace.set(GRACE_POLLS);
            } else if grace.get_untracked() == 0 {
                return;
            } else {
                grace.update(|left| *left -= 1);
            }
            leptos::task::spawn_local(async move {
                if let Ok(fresh) = get_changes_overview().await {
                    let shown = overview.get_untracked().and_then(Result::ok);
                    if shown.as_ref() != Some(&fresh) {
                        refresh.update(|r| *r += 1);
                    }
                }
            })
        };
        if let Ok(handle) =
            set_interval_with_handle(poll, std::time::Duration::from_secs(POLL_SECONDS))
        {
            on_cleanup(move || handle.clear());
        }
    });
}

/// The consumer's status in the page's language: the fixed texts from the table, the
/// unreachable broker by its pattern (the reason after it stays as the server wrote it).
fn consumer_words(lang: Lang, status: &str) -> String {
    match status
        .strip_prefix(UNREACHABLE)
        .and_then(|rest| rest.strip_suffix(')'))
    {
        Some(why) => tf(
            lang,
            "The broker cannot be reached; events wait on the queue. ({why})",
            &[("why", why.to_owned())],
        ),
        None => tr(lang, status),
    }
}

#[component]
fn Overview(overview: ChangesOverview, forms: Forms) -> impl IntoView {
    let lang = use_lang();
    let status_class = if overview.consumer_ok {
        "alert alert-info"
    } else {
        "alert alert-warning"
    };
    let stops: Vec<(String, StopLine)> = overview
        .sources
        .iter()
        .filter_map(|line| Some((line.source.clone(), line.stop.clone()?)))
        .collect();
    let sources = if overview.sources.is_empty() {
        view! {
            <div class="empty-state" id="change-sources">
                <p>{t(lang, "No change events have arrived yet.")}</p>
                <p class="muted">
                    {t(lang, "Publish a file of events with:")}" "
                    <code>"assent change-events publish FILE"</code>
                </p>
            </div>
        }
        .into_any()
    } else {
        view! { <Sources lines=overview.sources policy=forms.policy/> }.into_any()
    };
    let stopped = stops
        .into_iter()
        .map(|(source, stop)| view! { <Stopped source stop forms/> })
        .collect_view()
        .into_any();
    view! {
        <p class=status_class role="status" id="consumer-status">{consumer_words(lang, &overview.consumer)}</p>
        <section aria-labelledby="sources-heading">
            <h2 id="sources-heading">{t(lang, "Sources")}</h2>
            {sources}
        </section>
        {stopped}
        <section aria-labelledby="set-aside-heading">
            <h2 id="set-aside-heading">{t(lang, "Events set aside")}</h2>
            <SetAside lines=overview.set_aside/>
        </section>
    }
}

/// Each source: running or stopped, how far it got, and what it does with an event it
/// cannot apply (with a form to choose the other).
#[component]
fn Sources(lines: Vec<SourceLine>, policy: ServerAction<SetChangePolicy>) -> impl IntoView {
    let lang = use_lang();
    let rows = lines
        .into_iter()
        .map(|line| {
            let state = if line.stop.is_some() {
                view! {
                    <a class="badge badge-bad" href=format!("#stop-{}", line.source)>{t(lang, "Stopped")}</a>
                }
                .into_any()
            } else {
                view! { <span class="badge badge-ok">{t(lang, "Running")}</span> }.into_any()
            };
            let (now, other, switch) = if line.parks {
                (t(lang, "Park the event"), "stop", t(lang, "Stop on bad events"))
            } else {
                (t(lang, "Stop the stream"), "park", t(lang, "Park bad events instead"))
            };
            let label = format!("{switch}: {}", line.source);
            let (key, name, field) = (line.source.clone(), line.source.clone(), line.source);
            view! {
                <tr data-source=key>
                    <th scope="row">{name}</th>
                    <td class="state">{state}</td>
                    <td class="last-sequence">{line.last_sequence.to_string()}</td>
                    <td class="applied">{line.applied.to_string()}</td>
                    <td>{line.updated}</td>
                    <td class="on-error">
                        <span class="policy">{now}</span>
                        <ActionForm action=policy attr:class="inline-form">
                            <input type="hidden" name="source" value=field/>
                            <input type="hidden" name="policy" value=other/>
                            <button type="submit" class="button button-quiet button-small" aria-label=label>{switch}</button>
                        </ActionForm>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-scroll">
            <table class="table change-sources" id="change-sources">
                <thead>
                    <tr>{column_heads([
                        t(lang, "Source"),
                        t(lang, "State"),
                        t(lang, "Last sequence"),
                        t(lang, "Applied"),
                        t(lang, "Last change (UTC)"),
                        t(lang, "On error"),
                    ])}</tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// A stopped stream: the event it stands still on, why, and retrying or skipping it.
#[component]
fn Stopped(source: String, stop: StopLine, forms: Forms) -> impl IntoView {
    let lang = use_lang();
    let heading = format!("stop-{source}-heading");
    let note = format!("skip-note-{source}");
    let asked = stop.asked.as_deref().map(|asked| {
        let who = [("who", stop.asked_by.clone().unwrap_or_default())];
        let text = if asked == "skip" {
            tf(lang, "Skip asked by {who}, waiting for the consumer.", &who)
        } else {
            tf(
                lang,
                "Retry asked by {who}, waiting for the consumer.",
                &who,
            )
        };
        view! { <p class="alert alert-info asked">{text}</p> }
    });
    let facts = view! {
        <dl class="facts">
            <div><dt>{t(lang, "Event ID")}</dt><dd class="event-id">{stop.event_id.unwrap_or_else(|| "—".into())}</dd></div>
            <div><dt>{t(lang, "Sequence")}</dt><dd>{stop.sequence.map_or_else(|| "—".into(), |s| s.to_string())}</dd></div>
            <div><dt>{t(lang, "Stopped since (UTC)")}</dt><dd>{stop.since}</dd></div>
        </dl>
    }
    .into_any();
    let (retried, skipped) = (source.clone(), source.clone());
    let retry_label = tf(lang, "Retry {source}", &[("source", source.clone())]);
    let actions = view! {
        <div class="stop-actions">
            <ActionForm action=forms.retry attr:class="inline-form">
                <input type="hidden" name="source" value=retried/>
                <button type="submit" class="button button-primary" aria-label=retry_label>
                    {t(lang, "Retry")}
                </button>
            </ActionForm>
            <ActionForm action=forms.skip attr:class="form skip-form">
                <input type="hidden" name="source" value=skipped/>
                <div class="field">
                    <label for=note.clone()>{t(lang, "Why skip it?")}</label>
                    <textarea id=note name="note" rows="2" required></textarea>
                </div>
                <button type="submit" class="button button-quiet">{t(lang, "Skip event")}</button>
            </ActionForm>
        </div>
    }
    .into_any();
    let title = tf(lang, "{source} stopped", &[("source", source.clone())]);
    let (id, labelled_by) = (format!("stop-{source}"), heading.clone());
    view! {
        <section class="stopped" id=id aria-labelledby=labelled_by>
            <h2 id=heading>{title}</h2>
            <p class="stop-reason">{stop.reason}</p>
            <p>{t(lang, "Nothing after this event is applied until it is retried (after fixing its cause) or skipped.")}</p>
            {facts}
            {asked}
            <h3>{t(lang, "The event as received")}</h3>
            <pre class="event-payload">{stop.payload}</pre>
            {actions}
        </section>
    }
}

/// The events parked by their source's policy or skipped by someone, newest first.
#[component]
fn SetAside(lines: Vec<SetAsideLine>) -> impl IntoView {
    let lang = use_lang();
    if lines.is_empty() {
        return view! { <p class="empty" id="set-aside">{t(lang, "No event was parked or skipped.")}</p> }
            .into_any();
    }
    let rows = lines
        .into_iter()
        .map(|line| {
            let outcome = match line.outcome.as_str() {
                "parked" => t(lang, "Parked").to_owned(),
                "skipped" => t(lang, "Skipped").to_owned(),
                other => other.to_owned(),
            };
            let key = line.event_id.clone();
            view! {
                <tr data-event=key>
                    <td>
                        <details>
                            <summary>{line.event_id}</summary>
                            <pre class="event-payload">{line.payload}</pre>
                        </details>
                    </td>
                    <td class="source">{line.source}</td>
                    <td>{line.sequence.to_string()}</td>
                    <td data-outcome=line.outcome>{outcome}</td>
                    <td>{line.reason}</td>
                    <td class="recorded">{line.recorded}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-scroll">
            <table class="table set-aside" id="set-aside">
                <thead>
                    <tr>{column_heads([
                        t(lang, "Event"),
                        t(lang, "Source"),
                        t(lang, "Sequence"),
                        t(lang, "Outcome"),
                        t(lang, "Reason"),
                        t(lang, "Recorded (UTC)"),
                    ])}</tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}
