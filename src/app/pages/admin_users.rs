//! The administrators' list of accounts: a search (a plain GET form, so it can be linked
//! and works without JavaScript), 50 to a page by user name, and a form to create one.

use crate::app::api::{get_users, SaveUser};
use crate::app::i18n::{t, use_lang};
use crate::app::pages::common::{FilterActions, FormAnswer, Loaded, TableHead, TextField};
use crate::model::query::query_string;
use crate::model::users::{UserPage, UserQuery};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn AdminUsersPage() -> impl IntoView {
    let lang = use_lang();
    let query = use_query_map();
    let create = ServerAction::<SaveUser>::new();
    let asked = move || {
        let query = query.read();
        let text = |name: &str| query.get(name).filter(|v| !v.trim().is_empty());
        UserQuery {
            words: text("words"),
            disabled: text("disabled"),
            after: text("after"),
        }
    };
    let found = Resource::new(
        move || (asked(), create.version().get()),
        |(asked, _)| get_users(asked),
    );
    view! {
        <Title text=t(lang, "Users")/>
        <p><a href="/admin">{t(lang, "← Administration")}</a></p>
        <h1>{t(lang, "Users")}</h1>
        <Loaded data=found keep_while_reloading=true refused=t(lang, "This page is for administrators.")
            shown=move |page| view! { <Search page asked=asked()/> }/>
        <details class="deploy" id="create-user">
            <summary>{t(lang, "Create an account")}</summary>
            {move || create.value().get().map(|answer| view! { <FormAnswer answer id="create-answer"/> })}
            <ActionForm action=create attr:class="form">
                <input type="hidden" name="create" value="true"/>
                <TextField id="new-username" name="username" label=t(lang, "User name") verbatim=true required=true/>
                <TextField id="new-display-name" name="display_name" label=t(lang, "Name") required=true/>
                <TextField id="new-email" name="email" label=t(lang, "E-mail") verbatim=true/>
                <TextField id="new-title" name="title" label=t(lang, "Title")/>
                <TextField id="new-manager" name="manager" label=t(lang, "Manager (user name)") verbatim=true/>
                <TextField id="new-department" name="department" label=t(lang, "Department")/>
                <button type="submit" class="button button-primary">{t(lang, "Create")}</button>
            </ActionForm>
        </details>
    }
}

#[component]
fn Search(page: UserPage, asked: UserQuery) -> impl IntoView {
    let lang = use_lang();
    let value = |text: &Option<String>| text.clone().unwrap_or_default();
    let next = page.next_after.clone().map(|after| {
        let href = format!(
            "/admin/users?{}",
            query_string([
                ("words", asked.words.as_deref()),
                ("disabled", asked.disabled.as_deref()),
                ("after", Some(after.as_str())),
            ])
        );
        view! { <nav class="pager" aria-label=t(lang, "Pages")><a href=href rel="next">{t(lang, "More →")}</a></nav> }
    });
    let rows = page
        .lines
        .into_iter()
        .map(|line| {
            let href = format!("/admin/users/{}", line.username);
            let state = t(lang, if line.disabled { "Disabled" } else { "Active" });
            view! {
                <tr data-user=line.username.clone()>
                    <td><a href=href>{line.username.clone()}</a></td>
                    <td>{line.display_name}</td>
                    <td>{line.email}</td>
                    <td>{line.department.unwrap_or_default()}</td>
                    <td>{line.manager.unwrap_or_default()}</td>
                    <td>{state}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <form method="get" action="/admin/users" class="filters" role="search" id="users-filter">
            <div class="field">
                <label for="users-words">{t(lang, "Name, user name or e-mail")}</label>
                <input id="users-words" name="words" type="search" value=value(&asked.words) autocapitalize="none" spellcheck="false"/>
            </div>
            <label class="field-check">
                <input type="checkbox" name="disabled" value="shown" checked=asked.disabled.is_some()/>
                {t(lang, "Show disabled accounts")}
            </label>
            <FilterActions clear="/admin/users"/>
        </form>
        <div class="table-scroll">
            <table class="table" id="users">
                <TableHead labels=vec![t(lang, "User name"), t(lang, "Name"), t(lang, "E-mail"), t(lang, "Department"), t(lang, "Manager"), t(lang, "State")]/>
                <tbody>{rows}</tbody>
            </table>
        </div>
        {next}
    }
    .into_any()
}
