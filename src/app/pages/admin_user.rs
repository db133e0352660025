//! One account for an administrator: its facts, and every change an administrator makes
//! to it, each a small form of its own: name and place in the organisation, disable or
//! enable (a disabled account's sessions end at once), groups, a one-time password, and
//! the account's delegations.

use crate::app::api::{
    get_user, AddDelegation, ChangeUserGroups, RemoveDelegation, ResetUserPassword, SaveUser,
    SetUserAccess,
};
use crate::app::i18n::{t, tf, use_lang};
use crate::app::pages::common::{named_in_address, FormAnswer, Loaded, TableHead};
use crate::app::pages::delegations::NewDelegationForm;
use crate::model::users::UserDetail;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// The actions of the page: any of them answering reloads the account.
#[derive(Clone, Copy)]
struct Actions {
    save: ServerAction<SaveUser>,
    access: ServerAction<SetUserAccess>,
    groups: ServerAction<ChangeUserGroups>,
    password: ServerAction<ResetUserPassword>,
    add_delegation: ServerAction<AddDelegation>,
    remove_delegation: ServerAction<RemoveDelegation>,
}

#[component]
pub fn AdminUserPage() -> impl IntoView {
    let lang = use_lang();
    let params = use_params_map();
    let actions = Actions {
        save: ServerAction::new(),
        access: ServerAction::new(),
        groups: ServerAction::new(),
        password: ServerAction::new(),
        add_delegation: ServerAction::new(),
        remove_delegation: ServerAction::new(),
    };
    let versions = move || {
        (
            actions.save.version().get(),
            actions.access.version().get(),
            actions.groups.version().get(),
            actions.add_delegation.version().get(),
            actions.remove_delegation.version().get(),
        )
    };
    let account = Resource::new(
        move || (params.read().get("username"), versions()),
        |(username, _)| named_in_address(username, get_user),
    );
    let answers = move || {
        [
            actions.save.value().get(),
            actions.access.value().get(),
            actions.groups.value().get(),
            actions.add_delegation.value().get(),
            actions.remove_delegation.value().get(),
        ]
        .into_iter()
        .flatten()
        .map(|answer| view! { <FormAnswer answer/> })
        .collect_view()
    };
    view! {
        <Title text=t(lang, "User")/>
        <p><a href="/admin/users">{t(lang, "← Users")}</a></p>
        <div id="user-answers" aria-live="polite">{answers}</div>
        <Loaded data=account keep_while_reloading=true refused=t(lang, "This page is for administrators.")
            shown=move |account| view! { <Account account actions/> }/>
    }
}

#[component]
fn Account(account: UserDetail, actions: Actions) -> impl IntoView {
    let lang = use_lang();
    let line = account.line.clone();
    let username = line.username.clone();
    let state = t(lang, if line.disabled { "Disabled" } else { "Active" });
    let none = || "—".to_owned();
    let facts = view! {
        <dl class="facts" id="user-facts">
            <div><dt>{t(lang, "User name")}</dt><dd>{username.clone()}</dd></div>
            <div><dt>{t(lang, "State")}</dt><dd id="user-state">{state}</dd></div>
            <div><dt>{t(lang, "Roles")}</dt><dd>{account.roles.join(", ")}</dd></div>
            <div><dt>{t(lang, "Reports")}</dt><dd>{if account.reports.is_empty() { none() } else { account.reports.join(", ") }}</dd></div>
            <div><dt>{t(lang, "Open items")}</dt><dd>{account.open_items}</dd></div>
            <div><dt>{t(lang, "Password")}</dt><dd>{t(lang, if account.has_password { "set" } else { "none yet" })}</dd></div>
            <div><dt>{t(lang, "Created (UTC)")}</dt><dd>{account.created.clone()}</dd></div>
        </dl>
    }
    .into_any();
    let (access, access_label) = if line.disabled {
        ("enable", "Enable the account")
    } else {
        ("disable", "Disable the account")
    };
    let field = move |id: &'static str, name: &'static str, label: &'static str, value: String| {
        view! {
            <div class="field">
                <label for=id>{t(lang, label)}</label>
                <input id=id name=name type="text" value=value/>
            </div>
        }
    };
    let (for_save, for_access, for_password) =
        (username.clone(), username.clone(), username.clone());
    view! {
        <h1>{format!("{} ({})", line.display_name, line.username)}</h1>
        {facts}
        <section aria-labelledby="account-heading">
            <h2 id="account-heading">{t(lang, "Name and place")}</h2>
            <ActionForm action=actions.save attr:class="form" attr:id="account-form">
                <input type="hidden" name="username" value=for_save/>
                {field("display_name", "display_name", "Name", line.display_name.clone())}
                {field("email", "email", "E-mail", line.email.clone())}
                {field("title", "title", "Title", line.title.clone())}
                {field("manager", "manager", "Manager (user name)", line.manager.clone().unwrap_or_default())}
                {field("department", "department", "Department", line.department.clone().unwrap_or_default())}
                <button type="submit" class="button button-primary">{t(lang, "Save")}</button>
            </ActionForm>
        </section>
        <section aria-labelledby="access-heading">
            <h2 id="access-heading">{t(lang, "Access")}</h2>
            <p class="muted">{t(lang, "A disabled account cannot log in; its sessions end at once and its open items are asked of others.")}</p>
            <ActionForm action=actions.access attr:class="form" attr:id="access-form">
                <input type="hidden" name="username" value=for_access/>
                <input type="hidden" name="access" value=access/>
                <button type="submit" class="button">{t(lang, access_label)}</button>
            </ActionForm>
            <ActionForm action=actions.password attr:class="form" attr:id="password-form">
                <input type="hidden" name="username" value=for_password/>
                <button type="submit" class="button">{t(lang, "Give a new one-time password")}</button>
            </ActionForm>
            {move || actions.password.value().get().map(|answer| match answer {
                Ok(password) => view! {
                    <p class="alert alert-info" role="status" id="new-password">
                        {t(lang, "The new password, shown only now: ")}<code>{password}</code>
                    </p>
                }.into_any(),
                Err(error) => view! { <FormAnswer answer=Err(error)/> }.into_any(),
            })}
        </section>
        <Groups account=account.clone() actions/>
        <Delegations account actions/>
    }
    .into_any()
}

#[component]
fn Groups(account: UserDetail, actions: Actions) -> impl IntoView {
    let lang = use_lang();
    let username = account.line.username.clone();
    let rows = account
        .groups
        .into_iter()
        .map(|group| {
            let (owner, leave_label) = (
                username.clone(),
                tf(lang, "Leave {group}", &[("group", group.clone())]),
            );
            view! {
                <li>
                    {group.clone()}" "
                    <ActionForm action=actions.groups attr:class="inline-form">
                        <input type="hidden" name="username" value=owner/>
                        <input type="hidden" name="leave" value=group/>
                        <button type="submit" class="button button-quiet"
                            aria-label=leave_label>{t(lang, "Leave")}</button>
                    </ActionForm>
                </li>
            }
        })
        .collect_view();
    view! {
        <section aria-labelledby="groups-heading">
            <h2 id="groups-heading">{t(lang, "Groups")}</h2>
            <ul id="user-groups">{rows}</ul>
            <ActionForm action=actions.groups attr:class="form" attr:id="join-form">
                <input type="hidden" name="username" value=username/>
                <div class="field">
                    <label for="join">{t(lang, "Join a group")}</label>
                    <input id="join" name="join" type="text" required maxlength="100"/>
                </div>
                <button type="submit" class="button">{t(lang, "Join")}</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn Delegations(account: UserDetail, actions: Actions) -> impl IntoView {
    let lang = use_lang();
    let username = account.line.username.clone();
    let rows = account
        .delegations
        .into_iter()
        .map(|row| {
            let owner = username.clone();
            let end = (row.username == username).then(|| {
                view! {
                    <ActionForm action=actions.remove_delegation attr:class="inline-form">
                        <input type="hidden" name="id" value=row.id/>
                        <input type="hidden" name="owner" value=owner/>
                        <button type="submit" class="button button-quiet">{t(lang, "End")}</button>
                    </ActionForm>
                }
            });
            view! {
                <tr>
                    <td>{row.username}</td>
                    <td>{row.substitute}</td>
                    <td>{row.starts}</td>
                    <td>{row.ends}</td>
                    <td>{t(lang, if row.active { "now" } else { "planned" })}</td>
                    <td>{end}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section aria-labelledby="user-delegations-heading">
            <h2 id="user-delegations-heading">{t(lang, "Delegations")}</h2>
            <table class="table" id="user-delegations">
                <TableHead labels=vec![t(lang, "Who is replaced"), t(lang, "Substitute"), t(lang, "From (UTC)"), t(lang, "Until (UTC)"), t(lang, "State")] actions=true/>
                <tbody>{rows}</tbody>
            </table>
            <div id="user-delegation-form">
                <NewDelegationForm action=actions.add_delegation owner=username/>
            </div>
        </section>
    }
}
