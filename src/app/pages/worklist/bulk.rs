//! Applying the marks: every marked item (or every item matching the filter) decided in
//! one submission, with a reason per group. Without JavaScript the form posts and the
//! page shows the counts after the redirect; after hydration the browser sends the
//! decisions in chunks and shows progress and each failure.

use super::selection::{Mark, Selection};
use super::Reload;
use crate::app::api::{bulk_decide, get_matching_items};
use crate::app::i18n::{t, tf, tr, use_lang};
use crate::app::pages::common::ServerError;
use crate::app::types::{BulkFailure, BulkOutcome, WorklistFilter};
use crate::model::AppError;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// Items sent per call when the browser applies a batch, so progress can be shown.
const CHUNK: usize = 50;

/// How far the browser is with a batch, and what came of the last one.
#[derive(Clone, Copy)]
pub(super) struct BulkStatus {
    pub(super) outcome: RwSignal<Option<Result<BulkOutcome, AppError>>>,
    /// (done, total) while a batch is applied.
    pub(super) progress: RwSignal<Option<(usize, usize)>>,
}

impl BulkStatus {
    pub(super) fn new() -> Self {
        Self {
            outcome: RwSignal::new(None),
            progress: RwSignal::new(None),
        }
    }
}

/// The submission of the bulk form in the hydrated page.
pub(super) fn apply_marks(
    selection: Selection,
    filter: Memo<WorklistFilter>,
    status: BulkStatus,
    reload: Reload,
) -> impl Fn(leptos::ev::SubmitEvent) + Copy + Send + Sync + 'static {
    let BulkStatus { outcome, progress } = status;
    move |event: leptos::ev::SubmitEvent| {
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
            selection.clear();
            reload.now();
        });
    }
}

/// The end of the bulk form: all matching items or only the marked ones, the reasons,
/// and the button.
#[component]
pub(super) fn BulkActions(total: u64) -> impl IntoView {
    let lang = use_lang();
    view! {
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
    }
}

/// The result of a decision posted without JavaScript, which lands here.
#[component]
pub(super) fn PlainFormResult() -> impl IntoView {
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

/// Progress while the browser applies a batch, then how many were decided and why the
/// others were not.
#[component]
pub(super) fn BulkResult(status: BulkStatus) -> impl IntoView {
    let BulkStatus { outcome, progress } = status;
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
                    Err(error) => view! { <ServerError error id="bulk-result"/> }.into_any(),
                })
        }}
    }
}
