//! Which rows are selected and how each item is marked: the state the keyboard, the
//! rows' checkboxes and menus, and the toolbar all work on.

use crate::app::i18n::{t, tf, use_lang};
use leptos::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mark {
    Approve,
    Reject,
}

impl Mark {
    pub(super) fn prefix(self) -> &'static str {
        match self {
            Mark::Approve => "a",
            Mark::Reject => "r",
        }
    }
}

/// What the page keeps while the user works through it; marks survive paging and
/// live refreshes because they are keyed by item, not by row.
#[derive(Clone, Copy)]
pub(super) struct Selection {
    pub(super) marks: RwSignal<BTreeMap<String, Mark>>,
    pub(super) selected: RwSignal<BTreeSet<String>>,
    /// The rows of the page shown, in order: the keyboard moves over them.
    pub(super) rows: RwSignal<Vec<String>>,
    pub(super) cursor: RwSignal<Option<usize>>,
    pub(super) anchor: RwSignal<Option<usize>>,
}

impl Selection {
    pub(super) fn new() -> Self {
        Self {
            marks: RwSignal::new(BTreeMap::new()),
            selected: RwSignal::new(BTreeSet::new()),
            rows: RwSignal::new(Vec::new()),
            cursor: RwSignal::new(None),
            anchor: RwSignal::new(None),
        }
    }

    /// Selects the rows from the anchor to `index` (shift-click, shift-x).
    pub(super) fn select_range(self, index: usize) {
        let from = self.anchor.get_untracked().unwrap_or(index);
        let (low, high) = (from.min(index), from.max(index));
        let rows = self.rows.get_untracked();
        self.selected.update(|selected| {
            for reference in rows.iter().take(high + 1).skip(low) {
                selected.insert(reference.clone());
            }
        });
    }

    pub(super) fn toggle(self, index: usize) {
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
    pub(super) fn mark(self, mark: Option<Mark>) {
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

    /// Forgets every mark and selection, after the marks were applied.
    pub(super) fn clear(self) {
        self.marks.set(BTreeMap::new());
        self.selected.set(BTreeSet::new());
    }
}

/// The buttons that select the page and mark the selected items, and how many are
/// marked either way.
#[component]
pub(super) fn MarkToolbar(selection: Selection) -> impl IntoView {
    let lang = use_lang();
    let marked = move || {
        let marks = selection.marks.get();
        let approve = marks.values().filter(|m| **m == Mark::Approve).count();
        (approve, marks.len() - approve)
    };
    view! {
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
    }
}
