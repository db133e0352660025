//! The steps of a request as a table: shared by the approver's item page and the
//! requester's timeline.

use super::i18n::{t, tr, use_lang};
use super::pages::common::TextTable;
use super::types::HistoryLine;
use leptos::prelude::*;

#[component]
pub fn HistoryTable(lines: Vec<HistoryLine>, id: &'static str) -> impl IntoView {
    let lang = use_lang();
    let rows = lines
        .into_iter()
        .map(|line| [line.step, tr(lang, &line.state), line.started, line.detail])
        .collect::<Vec<_>>();
    view! {
        <TextTable id rows heads=[t(lang, "Step"), t(lang, "State"), t(lang, "Started (UTC)"), t(lang, "Who and what")]/>
    }
}
