//! Delegations: the signed-in user names who decides in their place for a period, sees
//! for whom they stand in themselves, and ends a delegation early.

use crate::app::api::{get_delegations, AddDelegation, RemoveDelegation};
use crate::app::i18n::{t, tf, tr, use_lang, Lang};
use crate::app::pages::common::{
    two_forms_and_data, HiddenIdButton, Loaded, NewestAnswer, TableHead, TextField,
};
use crate::app::types::{DelegationLine, Delegations};
use leptos::{form::ActionForm, prelude::*};
use leptos_meta::Title;

/// `/delegations`: the signed-in user's own delegations and those made to them.
#[component]
pub fn DelegationsPage() -> impl IntoView {
    let lang = use_lang();
    let (add, remove, delegations) =
        two_forms_and_data::<AddDelegation, RemoveDelegation, _, _>(get_delegations);
    let newest = NewestAnswer::of_both(add, remove);
    view! {
        <Title text=t(lang, "Delegations")/>
        <h1>{t(lang, "Delegations")}</h1>
        <p class="muted">
            {t(lang, "While you are away, a substitute receives the approvals that would come to you.")}
            " "
            {t(lang, "Items already in your worklist stay there; forward them from the item if needed.")}
        </p>
        {newest.shown("delegation-result", message_text)}
        <section aria-labelledby="new-delegation" class="card">
            <h2 id="new-delegation">{t(lang, "New delegation")}</h2>
            <NewDelegationForm action=add/>
        </section>
        <Loaded data=delegations keep_while_reloading=true shown=move |delegations: Delegations| view! {
            <section aria-labelledby="my-delegations">
                <h2 id="my-delegations">{t(lang, "Who stands in for you")}</h2>
                <DelegationTable lines=delegations.mine remove=Some(remove) id="my-delegation-list"/>
            </section>
            <section aria-labelledby="standing-in">
                <h2 id="standing-in">{t(lang, "For whom you stand in")}</h2>
                <DelegationTable lines=delegations.standing_in remove=None id="standing-in-list"/>
            </section>
        }/>
    }
}

#[component]
fn DelegationTable(
    lines: Vec<DelegationLine>,
    remove: Option<ServerAction<RemoveDelegation>>,
    id: &'static str,
) -> impl IntoView {
    let lang = use_lang();
    if lines.is_empty() {
        return view! { <p class="muted" id=id>{t(lang, "None.")}</p> }.into_any();
    }
    let mine = remove.is_some();
    view! {
        <table class="table" id=id>
            <TableHead actions=mine labels=vec![
                if mine { t(lang, "Substitute") } else { t(lang, "In place of") },
                t(lang, "From"), t(lang, "Until"), t(lang, "State"),
            ]/>
            <tbody>
                {lines
                    .into_iter()
                    .map(|line| {
                        let who = if mine { line.substitute.clone() } else { line.username.clone() };
                        let label = tf(lang, "End the delegation to {who}", &[("who", line.substitute.clone())]);
                        view! {
                            <tr>
                                <td>{who}</td>
                                <td>{line.starts}</td>
                                <td>{line.ends}</td>
                                <td>{if line.active { t(lang, "active") } else { t(lang, "planned") }}</td>
                                {remove
                                    .map(|remove| view! {
                                        <td>
                                            <ActionForm action=remove>
                                                <HiddenIdButton field="id" id=line.id.to_string() label text=t(lang, "End")/>
                                            </ActionForm>
                                        </td>
                                    })}
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
        .into_any()
}

/// The answer of the delegation forms: the fixed ones from the table, and the ones naming
/// the substitute by their pattern.
fn message_text(lang: Lang, text: &str) -> String {
    if let Some(who) = text.strip_suffix(" no longer stands in for you.") {
        let values = [("who", who.to_owned())];
        return tf(lang, "{who} no longer stands in for you.", &values);
    }
    if let Some((who, from, until)) = text
        .strip_suffix('.')
        .and_then(|rest| rest.split_once(" stands in for you from "))
        .and_then(|(who, rest)| {
            rest.split_once(" to ")
                .map(|(from, until)| (who, from, until))
        })
    {
        let v = [
            ("who", who.to_owned()),
            ("from", from.to_owned()),
            ("until", until.to_owned()),
        ];
        return tf(lang, "{who} stands in for you from {from} to {until}.", &v);
    }
    tr(lang, text)
}

/// A new delegation's fields: the substitute and the first and last day. With `owner`, an
/// administrator names it for that account (the Users screen).
#[component]
pub fn NewDelegationForm(
    action: ServerAction<AddDelegation>,
    #[prop(optional)] owner: Option<String>,
) -> impl IntoView {
    let lang = use_lang();
    view! {
        <ActionForm action attr:class="form delegation-form">
            {owner.map(|owner| view! { <input type="hidden" name="owner" value=owner/> })}
            <TextField id="substitute" label=t(lang, "Substitute (user name)") autocomplete="off" required=true maxlength="64"/>
            <div class="field">
                <label for="starts">{t(lang, "From")}</label>
                <input id="starts" name="starts" type="date" required/>
            </div>
            <div class="field">
                <label for="ends">{t(lang, "Until (included)")}</label>
                <input id="ends" name="ends" type="date" required/>
            </div>
            <button type="submit" class="button button-primary">{t(lang, "Delegate")}</button>
        </ActionForm>
    }
}
