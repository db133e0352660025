//! API tokens: a user creates tokens for programs that call the Workflow Management
//! Service in their name (an administrator also for others, such as service accounts),
//! sees the secret once, and revokes tokens. Works without JavaScript: the forms post, and
//! the page after the redirect shows the new secret once.

use crate::app::{
    api::{get_tokens, CreateToken, RevokeToken},
    i18n::{t, tf, tr, use_lang},
    pages::common::{
        two_forms_and_data, HiddenIdButton, Loaded, NewestAnswer, TableHead, TextField,
    },
    types::{NewToken, TokenLine, TokensView},
};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn TokensPage() -> impl IntoView {
    let lang = use_lang();
    let (create, revoke, view_data) =
        two_forms_and_data::<CreateToken, RevokeToken, _, _>(get_tokens);
    let newest = NewestAnswer::default();
    // A new token's secret is shown in place of the forms' message, and goes with the
    // next answer.
    let fresh = RwSignal::new(None::<NewToken>);
    Effect::new(move |_| match create.value().get() {
        Some(Ok(token)) => {
            newest.set(None);
            fresh.set(Some(token));
        }
        Some(Err(error)) => {
            fresh.set(None);
            newest.set(Some(Err(error)));
        }
        None => {}
    });
    Effect::new(move |_| {
        if let Some(answer) = revoke.value().get() {
            fresh.set(None);
            newest.set(Some(answer));
        }
    });
    view! {
        <Title text=t(lang, "API tokens")/>
        <h1>{t(lang, "API tokens")}</h1>
        <p class="muted">
            {t(lang, "Programs call the Workflow Management Service with a token instead of a password: they send it as Authorization: Bearer followed by the token.")}
            " "
            {t(lang, "A token acts as its owner, only for the operations chosen, until it expires or is revoked.")}
        </p>
        {newest.shown("token-result", tr)}
        {move || fresh.get().map(|token| view! { <NewSecret token/> })}
        <Loaded data=view_data keep_while_reloading=true shown=move |data: TokensView| view! {
            {data.created.clone().map(|token| view! { <NewSecret token/> })}
            <section aria-labelledby="new-token" class="card token-card">
                <h2 id="new-token">{t(lang, "New token")}</h2>
                <ActionForm action=create attr:class="form token-form">
                    <TextField id="token-name" name="name" label=t(lang, "Name") autocomplete="off" required=true maxlength="100"
                        placeholder=t(lang, "e.g. nightly provisioning job")/>
                    {data.may_choose_owner.then(|| view! {
                        <TextField id="token-owner" name="owner" label=t(lang, "Owner (user name; empty: you)")
                            autocomplete="off" maxlength="64"/>
                    })}
                    <div class="field">
                        <label for="token-expires">{t(lang, "Valid until (included)")}</label>
                        <input id="token-expires" name="expires" type="date" required
                            value=data.default_expiry.clone()
                            min=data.earliest_expiry.clone()
                            max=data.latest_expiry.clone()/>
                    </div>
                    <fieldset class="scopes">
                        <legend>{t(lang, "Operations it may call")}</legend>
                        <label class="field-check scope-all">
                            <input type="checkbox" name="scopes[]" value="*"/>
                            {t(lang, "All operations")}
                        </label>
                        {data
                            .operations
                            .iter()
                            .map(|operation| view! {
                                <label class="field-check">
                                    <input type="checkbox" name="scopes[]" value=operation.clone()/>
                                    <code>{operation.clone()}</code>
                                </label>
                            })
                            .collect_view()}
                    </fieldset>
                    <button type="submit" class="button button-primary">{t(lang, "Create token")}</button>
                </ActionForm>
            </section>
            <section aria-labelledby="token-list-heading">
                <h2 id="token-list-heading">
                    {if data.may_choose_owner { t(lang, "All tokens") } else { t(lang, "Your tokens") }}
                </h2>
                <TokenTable lines=data.tokens revoke/>
            </section>
        }/>
    }
}

/// The secret of a token just created: shown this once.
#[component]
fn NewSecret(token: NewToken) -> impl IntoView {
    let lang = use_lang();
    view! {
        <section class="alert alert-info token-secret" role="status" id="new-token-panel" aria-labelledby="new-token-heading">
            <h2 id="new-token-heading">
                {tf(lang, "Token “{name}” created for {owner}, valid until {until}", &[
                    ("name", token.name.clone()),
                    ("owner", token.owner.clone()),
                    ("until", token.expires.clone()),
                ])}
            </h2>
            <p>{t(lang, "Copy it now: it is shown only this once and cannot be shown again.")}</p>
            <input id="new-token-secret" class="secret" type="text" readonly value=token.secret.clone()
                aria-label=t(lang, "The new token") spellcheck="false" autocomplete="off"/>
        </section>
    }
}

#[component]
fn TokenTable(lines: Vec<TokenLine>, revoke: ServerAction<RevokeToken>) -> impl IntoView {
    let lang = use_lang();
    if lines.is_empty() {
        return view! { <p class="muted" id="token-list">{t(lang, "None.")}</p> }.into_any();
    }
    view! {
        <table class="table" id="token-list">
            <TableHead actions=true labels=vec![
                t(lang, "Name"), t(lang, "Owner"), t(lang, "Operations"), t(lang, "Created"),
                t(lang, "Valid until"), t(lang, "Last used"), t(lang, "State"),
            ]/>
            <tbody>
                {lines
                    .into_iter()
                    .map(|line| {
                        let label = tf(lang, "Revoke the token {name}", &[("name", line.name.clone())]);
                        let state = match line.state.as_str() {
                            "active" => t(lang, "active"),
                            "expired" => t(lang, "expired"),
                            _ => t(lang, "revoked"),
                        };
                        let scopes = if line.scopes.is_empty() {
                            t(lang, "all").to_owned()
                        } else {
                            line.scopes.join(", ")
                        };
                        let created_by = (line.created_by != line.owner).then(|| {
                            tf(lang, "by {who}", &[("who", line.created_by.clone())])
                        });
                        view! {
                            <tr data-token=line.id.to_string() data-state=line.state.clone()>
                                <td>{line.name.clone()}</td>
                                <td>{line.owner.clone()}</td>
                                <td class="token-scopes">{scopes}</td>
                                <td>{line.created.clone()} {created_by.map(|by| view! { <span class="muted">" " {by}</span> })}</td>
                                <td>{line.expires.clone()}</td>
                                <td>{line.last_used.clone().unwrap_or_else(|| t(lang, "never").to_owned())}</td>
                                <td><span class="tag" class:tag-overdue=line.state != "active">{state}</span></td>
                                <td>
                                    {(line.state == "active").then(|| view! {
                                        <ActionForm action=revoke attr:class="inline-form">
                                            <HiddenIdButton field="id" id=line.id.to_string() label text=t(lang, "Revoke")/>
                                        </ActionForm>
                                    })}
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
        .into_any()
}
