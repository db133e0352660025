//! Operations on target systems as a table: where access was sent, what was asked, and
//! how far it got. Shown on a request's page, on "My access" and to administrators.

use crate::app::i18n::{t, tr, use_lang};
use crate::app::pages::common::TableHead;
use crate::model::provisioning::DeliveryLine;
use leptos::prelude::*;

/// The operation's kind in words.
pub fn operation_words(operation: &str) -> &'static str {
    match operation {
        "add" => "Create account",
        "modify" => "Change account",
        "delete" => "Remove account",
        _ => "Other",
    }
}

/// The operations, one row each (`data-message-id` names the message). `actions` adds
/// a last column, e.g. the administrators' retry and drop.
#[component]
pub fn DeliveryTable(
    lines: Vec<DeliveryLine>,
    id: &'static str,
    #[prop(optional)] with_workflow: bool,
    #[prop(optional, into)] actions: Option<Callback<DeliveryLine, AnyView>>,
) -> impl IntoView {
    let lang = use_lang();
    let with_actions = actions.is_some();
    let mut heads = vec![
        t(lang, "Target system"),
        t(lang, "Account"),
        t(lang, "Operation"),
        t(lang, "What"),
        t(lang, "State"),
        t(lang, "Changed"),
    ];
    if with_workflow {
        heads.push(t(lang, "Request"));
    }
    view! {
        <div class="table-scroll">
            <table class="table deliveries" id=id>
                <TableHead actions=with_actions labels=heads/>
                <tbody>
                    {lines
                        .into_iter()
                        .map(|line| {
                            let state = line.state;
                            let workflow = line.workflow_id.clone();
                            let extra = actions.map(|actions| actions.run(line.clone()));
                            view! {
                                <tr data-message-id=line.message_id.clone() data-state=state.label().to_lowercase()>
                                    <td title=line.resource_key.clone()>{line.resource.clone()}</td>
                                    <td>{line.account.clone()}</td>
                                    <td>{t(lang, operation_words(&line.operation))}
                                        <span class="muted">{format!(" #{}", line.sequence)}</span></td>
                                    <td class="summary">{line.summary.clone()}</td>
                                    <td>
                                        <span class=state.class()>{t(lang, state.label())}</span>
                                        {line.note.as_ref().map(|note| view! { <div class="muted note">{tr(lang, note)}</div> })}
                                    </td>
                                    <td>{line.changed.clone()}</td>
                                    {with_workflow.then(|| view! {
                                        <td>{workflow.map(|id| view! { <a href=format!("/requests/{id}")>{id.clone()}</a> })}</td>
                                    })}
                                    {extra.map(|extra| view! { <td class="actions">{extra}</td> })}
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}
