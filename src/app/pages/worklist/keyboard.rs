//! Working through the list by keyboard: the keys, and the list of them the page shows
//! on `?`.

use super::selection::{Mark, Selection};
use crate::app::i18n::{t, use_lang};
use crate::model::WorkItemRef;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

/// Listens to the worklist's keys (see [`Shortcuts`]) while the page is shown; keys
/// typed into a field or pressed with a modifier are left to the browser.
pub(super) fn follow_keys(selection: Selection, help_open: RwSignal<bool>) {
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
                    .and_then(|r| r.parse::<WorkItemRef>().ok())
                    .map(|item| format!("/worklist/{}/{}", item.workflow, item.run))
                {
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
}

#[component]
pub(super) fn Shortcuts(open: RwSignal<bool>) -> impl IntoView {
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
