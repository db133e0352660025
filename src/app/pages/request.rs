//! The request form for one catalog item, rendered from the form description of the
//! definition that applies; checked on the server, with each message next to its field.

use crate::app::api::{get_request_form, SubmitRequest};
use crate::app::i18n::{t, tf, tr, use_lang, Lang};
use crate::app::pages::common::{named_in_address, Loaded, ServerError};
use crate::app::types::{FieldView, RequestForm, SubmitOutcome, SUBJECT_ECHO};
use crate::model::AppError;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn RequestPage() -> impl IntoView {
    let lang = use_lang();
    let params = use_params_map();
    let form = Resource::new(
        move || {
            params
                .read()
                .get("item")
                .and_then(|i| i.parse::<i32>().ok())
        },
        |item| named_in_address(item, get_request_form),
    );
    view! {
        <Title text=t(lang, "Request")/>
        <p><a href="/catalog">{t(lang, "← Catalog")}</a></p>
        <Loaded data=form shown=|form| view! { <RequestFormView form/> }/>
    }
}

#[component]
fn RequestFormView(form: RequestForm) -> impl IntoView {
    let lang = use_lang();
    let submit = ServerAction::<SubmitRequest>::new();
    let item_id = StoredValue::new(form.item.id.to_string());
    let fields = StoredValue::new(form.fields.clone());
    let subjects = StoredValue::new(form.subjects.clone());
    let heading = tf(lang, "Request {name}", &[("name", form.item.name.clone())]);
    let values = [
        ("description", form.item.description.clone()),
        ("workflow", form.workflow.clone()),
    ];
    let about = tf(lang, "{description} · approval: {workflow}", &values);
    view! {
        <h1>{heading}</h1>
        <p class="muted">{about}</p>
        {move || match submit.value().get() {
            Some(Ok(SubmitOutcome::Started { workflow_id })) => view! {
                <div class="alert alert-info" role="status" id="confirmation">
                    <p>{tf(lang, "Your request was submitted. Workflow ID: {id}", &[("id", workflow_id)])}</p>
                    <p><a href="/requests">{t(lang, "Follow it in My requests")}</a></p>
                </div>
            }
                .into_any(),
            Some(Err(error)) => view! { <ServerError error/> }.into_any(),
            None => ().into_any(),
        }}
        // Once started, the form goes: a second click must not file the request twice.
        <Show when=move || !matches!(submit.value().get(), Some(Ok(_)))>
        <ActionForm action=submit attr:class="form request-form">
            <input type="hidden" name="item_id" value=item_id.get_value()/>
            <SubjectChoice
                subjects=subjects.get_value()
                selected=typed_before(submit, SUBJECT_ECHO).and_then(|v| v.into_iter().next())
            />
            {fields
                .get_value()
                .into_iter()
                .map(|field| {
                    let error = field_error(submit, field.name.clone());
                    let value = typed_before(submit, &field.name).unwrap_or_default();
                    view! { <Field field error value/> }
                })
                .collect_view()}
            <button
                type="submit"
                class="button button-primary"
                disabled=move || submit.pending().get()
            >
                {t(lang, "Submit request")}
            </button>
        </ActionForm>
        </Show>
    }
}

/// One form field. `key` names it in the submission (`fields[key][]`); a cart prefixes
/// the group (`g0_justification`).
#[component]
pub fn Field(
    field: FieldView,
    #[prop(optional)] key: Option<String>,
    /// What was typed before, shown again (a page rendered after a refused post).
    #[prop(optional)]
    value: Vec<String>,
    error: impl Fn() -> Option<String> + Send + Sync + Clone + 'static,
) -> impl IntoView {
    let lang = use_lang();
    let values = value;
    let first = values.first().cloned().unwrap_or_default();
    let has = move |choice: &str| values.iter().any(|v| v == choice);
    let key = key.unwrap_or_else(|| field.name.clone());
    let id = format!("field-{key}");
    let error_id = format!("{id}-error");
    let name = format!("fields[{key}][]");
    let label = if field.required {
        format!("{} *", field.label)
    } else {
        field.label.clone()
    };
    let input = match field.kind.as_str() {
        "long_text" => view! {
            <textarea id=id.clone() name=name.clone() rows="4" required=field.required aria-describedby=error_id.clone()>{first.clone()}</textarea>
        }
            .into_any(),
        "number" => view! {
            <input id=id.clone() name=name.clone() type="number" step="any" required=field.required value=first.clone()
                min=field.min.map(|m| m.to_string()) max=field.max.map(|m| m.to_string()) aria-describedby=error_id.clone()/>
        }
            .into_any(),
        "date" => view! {
            <input id=id.clone() name=name.clone() type="date" required=field.required value=first.clone() aria-describedby=error_id.clone()/>
        }
            .into_any(),
        "single_choice" => view! {
            <select id=id.clone() name=name.clone() required=field.required aria-describedby=error_id.clone()>
                <option value="">{t(lang, "Choose…")}</option>
                {field.choices.iter().map(|c| view! { <option value=c.clone() selected=has(c)>{c.clone()}</option> }).collect_view()}
            </select>
        }
            .into_any(),
        "multiple_choice" => view! {
            <div id=id.clone() class="choices" aria-describedby=error_id.clone()>
                {field
                    .choices
                    .iter()
                    .map(|c| view! { <label><input type="checkbox" name=name.clone() value=c.clone() checked=has(c)/>" " {c.clone()}</label> })
                    .collect_view()}
            </div>
        }
            .into_any(),
        "checkbox" => view! {
            <input id=id.clone() name=name.clone() type="checkbox" value="on" checked=has("on") required=field.required aria-describedby=error_id.clone()/>
        }
            .into_any(),
        _ => view! {
            <input id=id.clone() name=name.clone() type="text" required=field.required value=first.clone()
                pattern=field.pattern.clone() aria-describedby=error_id.clone()/>
        }
            .into_any(),
    };
    view! {
        <div class="field">
            <label for=id>{label}</label>
            {input}
            <small id=error_id class="field-error" role="alert">{move || error().map(|message| field_message(lang, &message))}</small>
        </div>
    }
}

/// The message a refused submission has for the field named `key`, to show under it.
pub fn field_error<S>(
    submit: ServerAction<S>,
    key: String,
) -> impl Fn() -> Option<String> + Send + Sync + Clone + 'static
where
    S: ServerFn<Error = AppError> + Send + Sync + Clone + 'static,
    S::Output: Send + Sync + Clone + 'static,
{
    move || match submit.value().get() {
        Some(Err(error)) => error.field_error(&key),
        _ => None,
    }
}

/// What was typed into the field named `key` before a refused submission: without
/// JavaScript the page is rendered again after it, and the values come back with the
/// mistakes.
pub fn typed_before<S>(submit: ServerAction<S>, key: &str) -> Option<Vec<String>>
where
    S: ServerFn<Error = AppError> + Send + Sync + Clone + 'static,
    S::Output: Send + Sync + Clone + 'static,
{
    match submit.value().get_untracked() {
        Some(Err(error)) => error.typed(key),
        _ => None,
    }
}

/// "Requested for": shown only to people who may request for someone else; `selected`
/// keeps the choice of a refused submission.
#[component]
pub fn SubjectChoice(subjects: Vec<(String, String)>, selected: Option<String>) -> impl IntoView {
    let lang = use_lang();
    (subjects.len() > 1).then(|| {
        view! {
            <div class="field">
                <label for="subject">{t(lang, "Requested for")}</label>
                <select id="subject" name="subject">
                    {subjects
                        .into_iter()
                        .enumerate()
                        .map(|(index, (username, display))| {
                            let label = if index == 0 {
                                tf(lang, "{name} (myself)", &[("name", display)])
                            } else {
                                format!("{display} ({username})")
                            };
                            let chosen = selected.as_deref() == Some(username.as_str());
                            view! { <option value=username selected=chosen>{label}</option> }
                        })
                        .collect_view()}
                </select>
            </div>
        }
    })
}

/// A field's message from the server: the bounds by their shape, the rest by the table.
fn field_message(lang: Lang, message: &str) -> String {
    let value = |text: &str| [("value", text.to_owned())];
    if let Some(rest) = message.strip_prefix("at least ") {
        match rest.strip_suffix(" characters") {
            Some(n) => tf(lang, "at least {value} characters", &value(n)),
            None => tf(lang, "at least {value}", &value(rest)),
        }
    } else if let Some(rest) = message.strip_prefix("at most ") {
        match rest.strip_suffix(" characters") {
            Some(n) => tf(lang, "at most {value} characters", &value(n)),
            None => tf(lang, "at most {value}", &value(rest)),
        }
    } else if let Some(choice) = message.strip_suffix(" is not one of the choices") {
        tf(lang, "{value} is not one of the choices", &value(choice))
    } else {
        tr(lang, message)
    }
}
