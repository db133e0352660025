//! The steps of a request as a table: shared by the approver's item page and the
//! requester's timeline.

use super::types::HistoryLine;
use leptos::prelude::*;

#[component]
pub fn HistoryTable(lines: Vec<HistoryLine>, id: &'static str) -> impl IntoView {
    view! {
        <table class="table" id=id>
            <thead>
                <tr>
                    <th scope="col">"Step"</th>
                    <th scope="col">"State"</th>
                    <th scope="col">"Started (UTC)"</th>
                    <th scope="col">"Who and what"</th>
                </tr>
            </thead>
            <tbody>
                {lines
                    .into_iter()
                    .map(|line| {
                        view! {
                            <tr>
                                <td>{line.step}</td>
                                <td>{line.state}</td>
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
