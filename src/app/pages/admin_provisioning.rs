//! Provisioning for administrators: how the relay reaches the broker, how many messages
//! are in each state, every message that waits or is parked (retry or drop, each
//! audited), and the deployed resource declarations.

use crate::app::api::{get_provisioning_overview, DropProvisioning, RetryProvisioning};
use crate::app::i18n::{t, tf, use_lang};
use crate::app::pages::common::{
    two_forms_and_data, HiddenIdButton, Loaded, NewestAnswer, TextTable,
};
use crate::app::pages::deliveries::DeliveryTable;
use crate::model::provisioning::{DeliveryLine, DeliveryState, ProvisioningOverview};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AdminProvisioningPage() -> impl IntoView {
    let lang = use_lang();
    let (retry, drop, overview) =
        two_forms_and_data::<RetryProvisioning, DropProvisioning, _, _>(get_provisioning_overview);
    let newest = NewestAnswer::of_both(retry, drop);
    view! {
        <Title text=t(lang, "Provisioning")/>
        <p><a href="/admin">{t(lang, "← Administration")}</a></p>
        <h1>{t(lang, "Provisioning")}</h1>
        {newest.shown("provisioning-answer", crate::app::i18n::tr)}
        <Loaded data=overview keep_while_reloading=true refused=t(lang, "Only administrators see provisioning.")
            shown=move |overview| view! { <Overview overview retry drop/> }/>
    }
}

#[component]
fn Overview(
    overview: ProvisioningOverview,
    retry: ServerAction<RetryProvisioning>,
    drop: ServerAction<DropProvisioning>,
) -> impl IntoView {
    let lang = use_lang();
    let broker_class = if overview.broker_ok {
        "alert alert-info"
    } else {
        "alert alert-warning"
    };
    let actions = move |line: DeliveryLine| -> AnyView {
        if line.state != DeliveryState::Parked {
            return ().into_any();
        }
        let retry_label = format!("{} {}", t(lang, "Retry"), line.message_id);
        let drop_label = format!("{} {}", t(lang, "Drop"), line.message_id);
        view! {
            <ActionForm action=retry attr:class="inline-form">
                <HiddenIdButton field="id" id=line.id.to_string() label=retry_label text=t(lang, "Retry")/>
            </ActionForm>
            <ActionForm action=drop attr:class="inline-form">
                <HiddenIdButton field="id" id=line.id.to_string() label=drop_label text=t(lang, "Drop")/>
            </ActionForm>
        }
        .into_any()
    };
    let counts = overview
        .counts
        .iter()
        .map(|(state, count)| view! {
            <div><dt>{t(lang, state.label())}</dt><dd data-state=state.label().to_lowercase()>{count.to_string()}</dd></div>
        })
        .collect_view();
    let resources = overview
        .resources
        .into_iter()
        .map(|r| {
            [
                r.name,
                r.key,
                r.version.to_string(),
                r.file_name,
                r.deployed,
                t(
                    lang,
                    if r.answers {
                        "answers"
                    } else {
                        "does not answer"
                    },
                )
                .to_owned(),
            ]
        })
        .collect();
    view! {
        <p class=broker_class role="status" id="broker-status">{crate::app::i18n::tr(lang, &overview.broker)}</p>
        <dl class="facts counts" id="delivery-counts">{counts}</dl>
        <section aria-labelledby="outbox-heading">
            <h2 id="outbox-heading">{t(lang, "Waiting and parked messages")}</h2>
            {if overview.waiting.is_empty() {
                view! { <p class="empty" id="outbox">{t(lang, "Nothing waits: every message was sent.")}</p> }.into_any()
            } else {
                view! {
                    <p class="muted">{tf(lang, "{count} messages, oldest first.", &[("count", overview.waiting.len().to_string())])}</p>
                    <DeliveryTable lines=overview.waiting id="outbox" with_workflow=true actions=Callback::new(actions)/>
                }
                .into_any()
            }}
        </section>
        <section aria-labelledby="resources-heading">
            <h2 id="resources-heading">{t(lang, "Target systems")}</h2>
            <TextTable id="resources"
                heads=[t(lang, "Name"), t(lang, "Key"), t(lang, "Version"), t(lang, "File"), t(lang, "Deployed"), t(lang, "Results")]
                rows=resources/>
        </section>
    }
}
