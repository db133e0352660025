//! The steps of a request as a table: shared by the approver's item page and the
//! requester's timeline.

use super::i18n::{t, tr, use_lang};
use super::types::HistoryLine;
use leptos::prelude::*;

#[component]
pub fn HistoryTable(lines: Vec<HistoryLine>, id: &'static str) -> impl IntoView {
    let lang = use_lang();
    view! {
        <table class="table" id=id>
            <thead>
                <tr>
                    <th scope="col">{t(lang, "Step")}</th>
                    <th scope="col">{t(lang, "State")}</th>
                    <th scope="col">{t(lang, "Started (UTC)")}</th>
                    <th scope="col">{t(lang, "Who and what")}</th>
                </tr>
            </thead>
            <tbody>
                {lines
                    .into_iter()
                    .map(|line| {
                        view! {
                            <tr>
                                <td>{line.step}</td>
                                <td>{tr(lang, &line.state)}</td>
                                <td>{line.started}</td>
                                <td>{line.detail}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}
