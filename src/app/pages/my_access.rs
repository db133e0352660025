//! My access: the signed-in person's accounts on target systems, each with what Assent
//! last asked it to hold and how far that got.

use crate::app::api::get_my_accounts;
use crate::app::i18n::{t, use_lang};
use crate::app::pages::common::Loaded;
use crate::app::pages::deliveries::DeliveryTable;
use crate::model::provisioning::AccountLine;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn MyAccessPage() -> impl IntoView {
    let lang = use_lang();
    let accounts = Resource::new(|| (), |_| get_my_accounts());
    view! {
        <Title text=t(lang, "My access")/>
        <h1>{t(lang, "My access")}</h1>
        <p class="muted">{t(lang, "Your accounts on the company's systems, as Assent last asked them to be.")}</p>
        <Loaded data=accounts shown=|accounts| view! { <Accounts accounts/> }/>
    }
}

#[component]
fn Accounts(accounts: Vec<AccountLine>) -> impl IntoView {
    let lang = use_lang();
    if accounts.is_empty() {
        return view! { <p id="my-access" class="empty">{t(lang, "Assent has not sent any of your access to a target system yet.")}</p> }
            .into_any();
    }
    let latest: Vec<_> = accounts.iter().filter_map(|a| a.latest.clone()).collect();
    view! {
        <div id="my-access" class="accounts">
            {accounts
                .into_iter()
                .map(|account| {
                    view! {
                        <section class="card account" data-resource=account.resource_key.clone()>
                            <h2>{account.resource.clone()}</h2>
                            <p class="muted">
                                {t(lang, "Account")}" "<strong>{account.account.clone()}</strong>
                                {(!account.present).then(|| view! { " · "{t(lang, "removal asked")} })}
                            </p>
                            {account.present.then(|| view! {
                                <dl class="facts">
                                    {account
                                        .attributes
                                        .iter()
                                        .map(|(name, values)| view! {
                                            <div><dt>{name.clone()}</dt><dd>{values.join(", ")}</dd></div>
                                        })
                                        .collect_view()}
                                </dl>
                            })}
                        </section>
                    }
                })
                .collect_view()}
        </div>
        <section aria-labelledby="latest-heading">
            <h2 id="latest-heading">{t(lang, "Latest changes")}</h2>
            <DeliveryTable lines=latest id="my-deliveries" with_workflow=true/>
        </section>
    }
    .into_any()
}
