//! Worklist: the decisions waiting for the signed-in user. Filters, sort and pages live in
//! the query string (a plain GET form, so they work without JavaScript). Items are
//! decided many at once: each row is marked approve or reject (by its menu, by the
//! keyboard, or for the selected rows at once), or every item matching the filter is,
//! and one submission applies them all with a reason per group. After hydration the
//! list follows arrivals and departures by itself and large batches show progress.

use crate::app::api::{bulk_decide, get_matching_items, get_worklist, get_worklist_stamp};
use crate::app::error::AppError;
use crate::app::frame::WorkChanged;
use crate::app::i18n::{t, tf, tr, use_lang};
use crate::app::types::{BulkFailure, BulkOutcome, WorkItemLine, WorklistFilter, WorklistPage};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_query_map};
use std::collections::{BTreeMap, BTreeSet};

/// Items sent per call when the browser applies a batch, so progress can be shown.
const CHUNK: usize = 50;
/// How often the browser asks whether the worklist changed.
const POLL_SECONDS: u64 = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mark {
    Approve,
    Reject,
}

impl Mark {
    fn prefix(self) -> &'static str {
        match self {
            Mark::Approve => "a",
            Mark::Reject => "r",
        }
    }
}

/// What the page keeps while the user works through it; marks survive paging and
/// live refreshes because they are keyed by item, not by row.
#[derive(Clone, Copy)]
struct Selection {
    marks: RwSignal<BTreeMap<String, Mark>>,
    selected: RwSignal<BTreeSet<String>>,
    /// The rows of the page shown, in order: the keyboard moves over them.
    rows: RwSignal<Vec<String>>,
    cursor: RwSignal<Option<usize>>,
    anchor: RwSignal<Option<usize>>,
}

impl Selection {
    fn new() -> Self {
        Self {
            marks: RwSignal::new(BTreeMap::new()),
            selected: RwSignal::new(BTreeSet::new()),
            rows: RwSignal::new(Vec::new()),
            cursor: RwSignal::new(None),
            anchor: RwSignal::new(None),
        }
    }

    /// Selects the rows from the anchor to `index` (shift-click, shift-x).
    fn select_range(self, index: usize) {
        let from = self.anchor.get_untracked().unwrap_or(index);
        let (low, high) = (from.min(index), from.max(index));
        let rows = self.rows.get_untracked();
        self.selected.update(|selected| {
            for reference in rows.iter().take(high + 1).skip(low) {
                selected.insert(reference.clone());
            }
        });
    }

    fn toggle(self, index: usize) {
        if let Some(reference) = self.rows.get_untracked().get(index).cloned() {
            self.selected.update(|selected| {
                if !selected.remove(&reference) {
                    selected.insert(reference);
                }
            });
            self.anchor.set(Some(index));
        }
    }

    /// Marks the selected rows, or the current row when none is selected.
    fn mark(self, mark: Option<Mark>) {
        let mut targets: Vec<String> = self.selected.get_untracked().into_iter().collect();
        if targets.is_empty() {
            if let Some(reference) = self
                .cursor
                .get_untracked()
                .and_then(|i| self.rows.get_untracked().get(i).cloned())
            {
                targets.push(reference);
            }
        }
        self.marks.update(|marks| {
            for reference in targets {
                match mark {
                    Some(mark) => marks.insert(reference, mark),
                    None => marks.remove(&reference),
                };
            }
        });
        self.selected.set(BTreeSet::new());
    }
}

fn filter_from_query(query: &leptos_router::params::ParamsMap) -> WorklistFilter {
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
pub fn WorklistPage() -> impl IntoView {
    let lang = use_lang();
    let query = use_query_map();
    let filter = Memo::new(move |_| filter_from_query(&query.read()));
    let refresh = RwSignal::new(0u32);
    let work_changed = use_context::<WorkChanged>();
    let page = Resource::new(
        move || (filter.get(), refresh.get()),
        |(filter, _)| get_worklist(filter),
    );
    let selection = Selection::new();
    let outcome = RwSignal::new(None::<Result<BulkOutcome, AppError>>);
    let progress = RwSignal::new(None::<(usize, usize)>);
    let help_open = RwSignal::new(false);

    // In the browser only: ask every few seconds whether items came or went.
    Effect::new(move |_| {
        let last = StoredValue::new(None::<String>);
        let poll = move || {
            leptos::task::spawn_local(async move {
                if let Ok(stamp) = get_worklist_stamp().await {
                    let before = last.get_value();
                    if before.as_ref().is_some_and(|b| b != &stamp) {
                        refresh.update(|r| *r += 1);
                        if let Some(WorkChanged(changed)) = work_changed {
                            changed.update(|c| *c += 1);
                        }
                    }
                    last.set_value(Some(stamp));
                }
            })
        };
        poll();
        if let Ok(handle) =
            set_interval_with_handle(poll, std::time::Duration::from_secs(POLL_SECONDS))
        {
            on_cleanup(move || handle.clear());
        }
    });

    let navigate = use_navigate();
    Effect::new(move |_| {
        let navigate = navigate.clone();
        let handle = window_event_listener(leptos::ev::keydown, move |event| {
            let typing = event_target::<leptos::web_sys::Element>(&event)
                .tag_name()
                .to_ascii_lowercase();
            if matches!(typing.as_str(), "input" | "select" | "textarea" | "button")
                && event.key() != "Escape"
            {
                return;
            }
            if event.ctrl_key() || event.meta_key() || event.alt_key() {
                return;
            }
            let rows = selection.rows.get_untracked().len();
            let cursor = selection.cursor.get_untracked();
            let mut handled = true;
            match event.key().as_str() {
                "j" | "ArrowDown" if rows > 0 => {
                    selection
                        .cursor
                        .set(Some(cursor.map_or(0, |c| (c + 1).min(rows - 1))));
                }
                "k" | "ArrowUp" if rows > 0 => {
                    selection
                        .cursor
                        .set(Some(cursor.map_or(0, |c| c.saturating_sub(1))));
                }
                "x" | "X" | " " => match cursor {
                    Some(index) if event.shift_key() => {
                        selection.select_range(index);
                        selection.anchor.set(Some(index));
                    }
                    Some(index) => selection.toggle(index),
                    None => handled = false,
                },
                "a" => selection.mark(Some(Mark::Approve)),
                "r" => selection.mark(Some(Mark::Reject)),
                "u" => selection.mark(None),
                "o" | "Enter" => match cursor
                    .and_then(|i| selection.rows.get_untracked().get(i).cloned())
                    .and_then(|r| {
                        r.rsplit_once(':')
                            .map(|(w, n)| format!("/worklist/{w}/{n}"))
                    }) {
                    Some(href) => navigate(&href, Default::default()),
                    None => handled = false,
                },
                "s" => {
                    use leptos::wasm_bindgen::JsCast;
                    if let Some(button) = document()
                        .get_element_by_id("bulk-apply")
                        .and_then(|e| e.dyn_into::<leptos::web_sys::HtmlElement>().ok())
                    {
                        let _ = button.focus();
                    }
                }
                "?" => help_open.update(|open| *open = !*open),
                "Escape" => help_open.set(false),
                _ => handled = false,
            }
            if handled {
                event.prevent_default();
            }
        });
        on_cleanup(move || handle.remove());
    });

    let apply = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let form = event_target::<leptos::web_sys::HtmlFormElement>(&event);
        let value_of = |name: &str| -> Option<String> {
            form.elements()
                .named_item(name)
                .and_then(|e| {
                    use leptos::wasm_bindgen::JsCast;
                    e.dyn_into::<leptos::web_sys::HtmlInputElement>().ok()
                })
                .map(|input| input.value())
                .filter(|v| !v.trim().is_empty())
        };
        let approve_reason = value_of("approve_reason");
        let reject_reason = value_of("reject_reason");
        let all_matching = form
            .elements()
            .named_item("all_matching")
            .and_then(|e| {
                use leptos::wasm_bindgen::JsCast;
                e.dyn_into::<leptos::web_sys::HtmlSelectElement>().ok()
            })
            .map(|select| select.value())
            .unwrap_or_default();
        let marks = selection.marks.get_untracked();
        let filter = filter.get_untracked();
        leptos::task::spawn_local(async move {
            outcome.set(None);
            let mut list: Vec<String> = marks
                .iter()
                .map(|(reference, mark)| format!("{}:{reference}", mark.prefix()))
                .collect();
            let everything = match all_matching.as_str() {
                "approve" => Some(Mark::Approve),
                "reject" => Some(Mark::Reject),
                _ => None,
            };
            if let Some(mark) = everything {
                match get_matching_items(filter).await {
                    Ok(references) => list.extend(
                        references
                            .into_iter()
                            .filter(|r| !marks.contains_key(r))
                            .map(|r| format!("{}:{r}", mark.prefix())),
                    ),
                    Err(error) => {
                        outcome.set(Some(Err(error)));
                        return;
                    }
                }
            }
            if list.is_empty() {
                outcome.set(Some(Err(AppError::Invalid(
                    "Mark at least one item to approve or reject.".into(),
                ))));
                return;
            }
            let total = list.len();
            let mut result = BulkOutcome {
                decided: 0,
                failed: Vec::new(),
            };
            progress.set(Some((0, total)));
            let mut done = 0;
            for chunk in list.chunks(CHUNK) {
                match bulk_decide(
                    chunk.to_vec(),
                    approve_reason.clone(),
                    reject_reason.clone(),
                    None,
                    WorklistFilter::default(),
                )
                .await
                {
                    Ok(part) => {
                        result.decided += part.decided;
                        result.failed.extend(part.failed);
                    }
                    Err(error) => result.failed.extend(chunk.iter().map(|mark| BulkFailure {
                        id: mark.get(2..).unwrap_or_default().to_owned(),
                        name: String::new(),
                        error_code: 29,
                        message: error.to_string(),
                    })),
                }
                done += chunk.len();
                progress.set(Some((done, total)));
            }
            progress.set(None);
            outcome.set(Some(Ok(result)));
            // The result shows above the list; after applying at the bottom of a long
            // page it would be out of sight.
            request_animation_frame(|| {
                if let Some(shown) = document().get_element_by_id("bulk-result") {
                    shown.scroll_into_view();
                }
            });
            selection.marks.set(BTreeMap::new());
            selection.selected.set(BTreeSet::new());
            refresh.update(|r| *r += 1);
            if let Some(WorkChanged(changed)) = work_changed {
                changed.update(|c| *c += 1);
            }
        });
    };

    view! {
        <Title text=t(lang, "Worklist")/>
        <div class="page-head">
            <h1>{t(lang, "Worklist")}</h1>
            <button
                type="button"
                class="button button-quiet"
                id="shortcuts-button"
                aria-haspopup="dialog"
                on:click=move |_| help_open.update(|open| *open = !*open)
            >
                {t(lang, "Keyboard shortcuts (?)")}
            </button>
        </div>
        <Shortcuts open=help_open/>
        <PlainFormResult/>
        <BulkResult outcome progress/>
        <Transition fallback=move || view! { <p class="muted">{t(lang, "Loading…")}</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(page) => {
                        selection.rows.set(page.items.iter().map(|i| format!("{}:{}", i.workflow_id, i.run)).collect());
                        if selection.cursor.get_untracked().is_some_and(|c| c >= page.items.len()) {
                            selection.cursor.set(None);
                        }
                        view! { <Items page filter=filter.get_untracked() selection apply/> }.into_any()
                    }
                    Err(error) => view! { <p class="alert alert-error" role="alert">{tr(lang, &error.to_string())}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The result of a decision posted without JavaScript, which lands here.
#[component]
fn PlainFormResult() -> impl IntoView {
    let lang = use_lang();
    let query = use_query_map();
    move || {
        let query = query.read();
        let message = match (
            query.get("done").as_deref(),
            query.get("decided"),
            query.get("failed"),
        ) {
            (Some("approved"), _, _) => Some(t(lang, "Approved.").to_owned()),
            (Some("rejected"), _, _) => Some(t(lang, "Rejected.").to_owned()),
            (_, Some(decided), failed) => {
                let decided: u32 = decided.parse().unwrap_or_default();
                let failed: u32 = failed.and_then(|f| f.parse().ok()).unwrap_or_default();
                let values = [
                    ("decided", decided.to_string()),
                    ("failed", failed.to_string()),
                ];
                Some(if failed == 0 {
                    tf(lang, "{decided} decided.", &values)
                } else {
                    tf(
                        lang,
                        "{decided} decided; {failed} could not be decided.",
                        &values,
                    )
                })
            }
            _ => None,
        };
        message.map(
            |text| view! { <p class="alert alert-info" role="status" id="form-result">{text}</p> },
        )
    }
}

#[component]
fn Shortcuts(open: RwSignal<bool>) -> impl IntoView {
    let lang = use_lang();
    view! {
        <section
            class="shortcuts card"
            id="shortcuts"
            role="dialog"
            aria-label=t(lang, "Keyboard shortcuts")
            hidden=move || !open.get()
        >
            <h2>{t(lang, "Keyboard shortcuts")}</h2>
            <dl>
                <dt><kbd>"j"</kbd>" / "<kbd>"↓"</kbd></dt><dd>{t(lang, "next item")}</dd>
                <dt><kbd>"k"</kbd>" / "<kbd>"↑"</kbd></dt><dd>{t(lang, "previous item")}</dd>
                <dt><kbd>"x"</kbd></dt><dd>{t(lang, "select or unselect the item")}</dd>
                <dt><kbd>"Shift"</kbd>" + "<kbd>"x"</kbd></dt><dd>{t(lang, "select every item from the last selected to this one")}</dd>
                <dt><kbd>"a"</kbd></dt><dd>{t(lang, "mark the selected items (or this one) to approve")}</dd>
                <dt><kbd>"r"</kbd></dt><dd>{t(lang, "mark the selected items (or this one) to reject")}</dd>
                <dt><kbd>"u"</kbd></dt><dd>{t(lang, "clear the mark")}</dd>
                <dt><kbd>"o"</kbd>" / "<kbd>"Enter"</kbd></dt><dd>{t(lang, "open the item")}</dd>
                <dt><kbd>"s"</kbd></dt><dd>{t(lang, "go to the Apply button (then Enter applies the marks)")}</dd>
                <dt><kbd>"?"</kbd></dt><dd>{t(lang, "show or hide this list")}</dd>
            </dl>
            <button type="button" class="button button-quiet" on:click=move |_| open.set(false)>{t(lang, "Close")}</button>
        </section>
    }
}

#[component]
fn BulkResult(
    outcome: RwSignal<Option<Result<BulkOutcome, AppError>>>,
    progress: RwSignal<Option<(usize, usize)>>,
) -> impl IntoView {
    let lang = use_lang();
    view! {
        {move || {
            progress
                .get()
                .map(|(done, total)| {
                    let values = [("done", done.to_string()), ("total", total.to_string())];
                    view! {
                        <div class="progress" role="status" id="bulk-progress">
                            <progress max=total value=done>{tf(lang, "{done} of {total}", &values)}</progress>
                            <span>{tf(lang, "Applied {done} of {total}…", &values)}</span>
                        </div>
                    }
                })
        }}
        {move || {
            outcome
                .get()
                .map(|result| match result {
                    Ok(outcome) => view! {
                        <div class="alert alert-info" role="status" id="bulk-result">
                            <p>{tf(lang, "{decided} decided.", &[("decided", outcome.decided.to_string())])}</p>
                            {(!outcome.failed.is_empty())
                                .then(|| view! {
                                    <p>{tf(lang, "{count} could not be decided:", &[("count", outcome.failed.len().to_string())])}</p>
                                    <ul class="bulk-failures">
                                        {outcome
                                            .failed
                                            .into_iter()
                                            .map(|failure| {
                                                let values = [
                                                    ("id", failure.id),
                                                    ("name", failure.name),
                                                    ("code", failure.error_code.to_string()),
                                                    ("message", tr(lang, &failure.message)),
                                                ];
                                                view! {
                                                    <li data-error-code=failure.error_code>
                                                        {tf(lang, "{id} {name} (error {code}): {message}", &values)}
                                                    </li>
                                                }
                                            })
                                            .collect_view()}
                                    </ul>
                                })}
                        </div>
                    }
                        .into_any(),
                    Err(error) => view! { <p class="alert alert-error" role="alert" id="bulk-result">{tr(lang, &error.to_string())}</p> }.into_any(),
                })
        }}
    }
}

#[component]
fn FilterForm(filter: WorklistFilter, definitions: Vec<(String, String)>) -> impl IntoView {
    let lang = use_lang();
    let chosen = |current: &Option<String>, value: &str| current.as_deref() == Some(value);
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
                    {definitions
                        .into_iter()
                        .map(|(path, title)| {
                            let selected = chosen(&filter.definition, &path);
                            view! { <option value=path selected=selected>{title}</option> }
                        })
                        .collect_view()}
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
                <select id="wl-status" name="status">
                    {status_options
                        .into_iter()
                        .map(|(value, label)| {
                            let selected = chosen(&filter.status, value) || (value.is_empty() && filter.status.is_none());
                            view! { <option value=value selected=selected>{label}</option> }
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="wl-sort">{t(lang, "Sort by")}</label>
                <select id="wl-sort" name="sort">
                    {sort_options
                        .into_iter()
                        .map(|(value, label)| {
                            let selected = chosen(&filter.sort, value);
                            view! { <option value=value selected=selected>{label}</option> }
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="field field-check">
                <input id="wl-overdue" name="overdue" type="checkbox" value="true" checked=filter.overdue/>
                <label for="wl-overdue">{t(lang, "Overdue only")}</label>
            </div>
            <div class="filter-actions">
                <button type="submit" class="button button-quiet">{t(lang, "Filter")}</button>
                <a href="/worklist">{t(lang, "Clear")}</a>
            </div>
        </form>
    }
}

#[component]
fn Pager(filter: WorklistFilter, page: u32, pages: u32, total: u64) -> impl IntoView {
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

#[component]
fn Items<F>(
    page: WorklistPage,
    filter: WorklistFilter,
    selection: Selection,
    apply: F,
) -> impl IntoView
where
    F: Fn(leptos::ev::SubmitEvent) + Clone + Send + Sync + 'static,
{
    let WorklistPage {
        items,
        total,
        page: number,
        pages,
        definitions,
    } = page;
    let lang = use_lang();
    let empty = items.is_empty();
    let filtered = filter.to_query() != WorklistFilter::default().to_query();
    let marked = move || {
        let marks = selection.marks.get();
        let approve = marks.values().filter(|m| **m == Mark::Approve).count();
        (approve, marks.len() - approve)
    };
    view! {
        <FilterForm filter=filter.clone() definitions/>
        {if empty {
            view! {
                <div class="empty-state">
                    {if filtered {
                        view! { <p>{t(lang, "No open item matches this filter.")}</p> }.into_any()
                    } else {
                        view! {
                            <p>{t(lang, "Nothing is waiting for your decision.")}</p>
                            <p class="muted">{t(lang, "Approvals assigned to you or your pools appear here.")}</p>
                        }
                            .into_any()
                    }}
                </div>
            }
                .into_any()
        } else {
            view! {
                <Pager filter=filter.clone() page=number pages total/>
                <form method="post" action="/app/bulk-decide" class="bulk-form" id="bulk-form" on:submit=apply>
                    <FilterFields filter=filter.clone()/>
                    <div class="bulk-toolbar" role="toolbar" aria-label=t(lang, "Mark the selected items")>
                        <button type="button" class="button button-quiet" on:click=move |_| {
                            selection.selected.set(selection.rows.get_untracked().into_iter().collect())
                        }>{t(lang, "Select page")}</button>
                        <button type="button" class="button button-quiet" id="mark-approve" on:click=move |_| selection.mark(Some(Mark::Approve))>{t(lang, "Mark selected: approve")}</button>
                        <button type="button" class="button button-quiet" id="mark-reject" on:click=move |_| selection.mark(Some(Mark::Reject))>{t(lang, "Mark selected: reject")}</button>
                        <button type="button" class="button button-quiet" on:click=move |_| selection.mark(None)>{t(lang, "Clear marks")}</button>
                        <span class="muted" id="marked-count" aria-live="polite">
                            {move || {
                                let (approve, reject) = marked();
                                let values = [("approve", approve.to_string()), ("reject", reject.to_string())];
                                tf(lang, "{approve} to approve, {reject} to reject", &values)
                            }}
                        </span>
                    </div>
                    <table class="table" id="worklist">
                        <thead>
                            <tr>
                                <th scope="col"><span class="visually-hidden">{t(lang, "Selected")}</span></th>
                                <th scope="col">{t(lang, "Decision")}</th>
                                <th scope="col">{t(lang, "Request")}</th>
                                <th scope="col">{t(lang, "Step")}</th>
                                <th scope="col">{t(lang, "For")}</th>
                                <th scope="col">{t(lang, "Requested by")}</th>
                                <th scope="col">{t(lang, "Items")}</th>
                                <th scope="col">{t(lang, "Waiting since")}</th>
                                <th scope="col">{t(lang, "Due")}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {items.into_iter().enumerate().map(|(index, item)| view! { <Row index item selection/> }).collect_view()}
                        </tbody>
                    </table>
                    <fieldset class="bulk-actions">
                        <legend>{t(lang, "Apply the marked decisions")}</legend>
                        <div class="field">
                            <label for="all-matching">{if total == 1 {
                                    tf(lang, "The {total} item matching the filter", &[("total", total.to_string())])
                                } else {
                                    tf(lang, "All {total} items matching the filter", &[("total", total.to_string())])
                                }}</label>
                            <select id="all-matching" name="all_matching">
                                <option value="">{t(lang, "Only the marked items")}</option>
                                <option value="approve">{t(lang, "Approve all of them")}</option>
                                <option value="reject">{t(lang, "Reject all of them")}</option>
                            </select>
                        </div>
                        <div class="field">
                            <label for="approve-reason">{t(lang, "Reason for the approvals")}</label>
                            <input id="approve-reason" name="approve_reason" type="text" maxlength="2000"/>
                        </div>
                        <div class="field">
                            <label for="reject-reason">{t(lang, "Reason for the rejections")}</label>
                            <input id="reject-reason" name="reject_reason" type="text" maxlength="2000"/>
                        </div>
                        <button type="submit" class="button button-primary" id="bulk-apply">{t(lang, "Apply")}</button>
                    </fieldset>
                </form>
            }
                .into_any()
        }}
    }
}

/// The filter travels with a no-JavaScript submission, for "all matching".
#[component]
fn FilterFields(filter: WorklistFilter) -> impl IntoView {
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
fn Row(index: usize, item: WorkItemLine, selection: Selection) -> impl IntoView {
    let reference = format!("{}:{}", item.workflow_id, item.run);
    let href = format!("/worklist/{}/{}", item.workflow_id, item.run);
    let lang = use_lang();
    let names = [
        ("workflow", item.workflow.clone()),
        ("subject", item.subject.clone()),
    ];
    let label = tf(lang, "Select {workflow} for {subject}", &names);
    let decision_label = tf(lang, "Decision on {workflow} for {subject}", &names);
    let (approve_value, reject_value) = (format!("a:{reference}"), format!("r:{reference}"));
    let mark_of = {
        let reference = reference.clone();
        move || selection.marks.with(|marks| marks.get(&reference).copied())
    };
    let is_selected = {
        let reference = reference.clone();
        move || selection.selected.with(|s| s.contains(&reference))
    };
    let current = move || selection.cursor.get() == Some(index);
    let select_value = {
        let (mark_of, approve_value, reject_value) =
            (mark_of.clone(), approve_value.clone(), reject_value.clone());
        move || match mark_of() {
            Some(Mark::Approve) => approve_value.clone(),
            Some(Mark::Reject) => reject_value.clone(),
            None => String::new(),
        }
    };
    let on_change = {
        let reference = reference.clone();
        move |event: leptos::ev::Event| {
            let value = event_target_value(&event);
            let mark = match value.chars().next() {
                Some('a') => Some(Mark::Approve),
                Some('r') => Some(Mark::Reject),
                _ => None,
            };
            selection.marks.update(|marks| {
                match mark {
                    Some(mark) => marks.insert(reference.clone(), mark),
                    None => marks.remove(&reference),
                };
            });
        }
    };
    let status_badge = match item.status.as_str() {
        "pool" => Some(("tag tag-pool", t(lang, "Pool"))),
        "claimed" => Some(("tag tag-claimed", t(lang, "Claimed by you"))),
        _ => None,
    };
    view! {
        <tr
            data-workflow=item.workflow_id.clone()
            data-ref=reference.clone()
            class:current=current
            class:marked-approve={
                let mark_of = mark_of.clone();
                move || mark_of() == Some(Mark::Approve)
            }
            class:marked-reject=move || mark_of() == Some(Mark::Reject)
            aria-current=move || current().then_some("true")
        >
            <td>
                <input
                    type="checkbox"
                    class="row-select"
                    aria-label=label
                    prop:checked=is_selected
                    on:click=move |event| {
                        if event.shift_key() {
                            selection.select_range(index);
                        } else {
                            selection.toggle(index);
                        }
                        selection.anchor.set(Some(index));
                        selection.cursor.set(Some(index));
                    }
                />
            </td>
            <td>
                <select name="marks[]" class="row-decision" aria-label=decision_label prop:value=select_value on:change=on_change>
                    <option value="">"—"</option>
                    <option value=approve_value>{t(lang, "Approve")}</option>
                    <option value=reject_value>{t(lang, "Reject")}</option>
                </select>
            </td>
            <td>
                <a href=href>{item.workflow}</a>
                {status_badge.map(|(class, text)| view! { " " <span class=class>{text}</span> })}
            </td>
            <td>{item.step}</td>
            <td>{item.subject}</td>
            <td>{item.requester}</td>
            <td>{item.items.join(", ")}</td>
            <td>{item.waiting_since}</td>
            <td class:overdue=item.overdue>
                {item.due.unwrap_or_else(|| "—".into())}
                {item.overdue.then(|| view! { " " <span class="tag tag-overdue">{t(lang, "overdue")}</span> })}
            </td>
        </tr>
    }
}
