//! Worklist: the decisions waiting for the signed-in user. Filters, sort and pages live in
//! the query string (a plain GET form, so they work without JavaScript). Items are
//! decided many at once: each row is marked approve or reject (by its menu, by the
//! keyboard, or for the selected rows at once), or every item matching the filter is,
//! and one submission applies them all with a reason per group. After hydration the
//! list follows arrivals and departures by itself and large batches show progress.

mod bulk;
mod filters;
mod keyboard;
mod rows;
mod selection;

use crate::app::api::{get_worklist, get_worklist_stamp};
use crate::app::frame::WorkChanged;
use crate::app::i18n::{t, use_lang};
use crate::app::pages::common::ServerError;
use bulk::{apply_marks, BulkResult, BulkStatus, PlainFormResult};
use filters::filter_from_query;
use keyboard::{follow_keys, Shortcuts};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use rows::Items;
use selection::Selection;

/// How often the browser asks whether the worklist changed.
const POLL_SECONDS: u64 = 5;

/// Fetches the list again, and the frame's badge with it, after the worklist changed.
#[derive(Clone, Copy)]
struct Reload {
    list: RwSignal<u32>,
    badge: Option<WorkChanged>,
}

impl Reload {
    fn now(self) {
        self.list.update(|r| *r += 1);
        if let Some(WorkChanged(changed)) = self.badge {
            changed.update(|c| *c += 1);
        }
    }
}

#[component]
pub fn WorklistPage() -> impl IntoView {
    let lang = use_lang();
    let query = use_query_map();
    let filter = Memo::new(move |_| filter_from_query(&query.read()));
    let refresh = RwSignal::new(0u32);
    let reload = Reload {
        list: refresh,
        badge: use_context::<WorkChanged>(),
    };
    let page = Resource::new(
        move || (filter.get(), refresh.get()),
        |(filter, _)| get_worklist(filter),
    );
    let selection = Selection::new();
    let status = BulkStatus::new();
    let help_open = RwSignal::new(false);

    // In the browser only: ask every few seconds whether items came or went.
    Effect::new(move |_| {
        let last = StoredValue::new(None::<String>);
        let poll = move || {
            leptos::task::spawn_local(async move {
                if let Ok(stamp) = get_worklist_stamp().await {
                    let before = last.get_value();
                    if before.as_ref().is_some_and(|b| b != &stamp) {
                        reload.now();
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
    follow_keys(selection, help_open);
    let apply = apply_marks(selection, filter, status, reload);

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
        <BulkResult status/>
        <Transition fallback=move || view! { <p class="muted">{t(lang, "Loading…")}</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(page) => {
                        selection.rows.set(page.items.iter().map(|i| i.item().to_string()).collect());
                        if selection.cursor.get_untracked().is_some_and(|c| c >= page.items.len()) {
                            selection.cursor.set(None);
                        }
                        view! { <Items page filter=filter.get_untracked() selection apply/> }.into_any()
                    }
                    Err(error) => view! { <ServerError error/> }.into_any(),
                }
            })}
        </Transition>
    }
}
