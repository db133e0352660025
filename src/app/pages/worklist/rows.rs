//! The list itself: one page of items as rows of the bulk form, each with a checkbox to
//! select it and a menu to mark it.

use super::bulk::BulkActions;
use super::filters::{FilterFields, FilterForm, Pager};
use super::selection::{Mark, MarkToolbar, Selection};
use crate::app::i18n::{t, tf, use_lang};
use crate::app::pages::common::column_heads;
use crate::app::types::{WorkItemLine, WorklistFilter, WorklistPage};
use crate::model::BulkMark;
use assent_engine::Verdict;
use leptos::prelude::*;

#[component]
pub(super) fn Items<F>(
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
                    <MarkToolbar selection/>
                    <table class="table" id="worklist">
                        <thead>
                            <tr>
                                <th scope="col"><span class="visually-hidden">{t(lang, "Selected")}</span></th>
                                {column_heads([
                                    t(lang, "Decision"), t(lang, "Request"), t(lang, "Step"), t(lang, "For"),
                                    t(lang, "Requested by"), t(lang, "Items"), t(lang, "Waiting since"), t(lang, "Due"),
                                ])}
                            </tr>
                        </thead>
                        <tbody>
                            {items.into_iter().enumerate().map(|(index, item)| view! { <Row index item selection/> }).collect_view()}
                        </tbody>
                    </table>
                    <BulkActions total/>
                </form>
            }
                .into_any()
        }}
    }
}

#[component]
fn Row(index: usize, item: WorkItemLine, selection: Selection) -> impl IntoView {
    let reference = item.item().to_string();
    let href = format!("/worklist/{}/{}", item.workflow_id, item.run);
    let lang = use_lang();
    let names = [
        ("workflow", item.workflow.clone()),
        ("subject", item.subject.clone()),
    ];
    let label = tf(lang, "Select {workflow} for {subject}", &names);
    let decision_label = tf(lang, "Decision on {workflow} for {subject}", &names);
    let mark = |verdict| {
        BulkMark {
            verdict,
            item: item.item(),
        }
        .to_string()
    };
    let (approve_value, reject_value) = (mark(Verdict::Approve), mark(Verdict::Reject));
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
            data-workflow=item.workflow_id.to_string()
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
