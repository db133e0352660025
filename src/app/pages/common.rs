//! What several pages show alike: their data once loaded, the server's answers and
//! errors, the newest answer of a page's forms, the inside of a one-button form, text
//! fields, table heads and plain tables, the options and buttons of a filter form, and
//! the data a page's address names or its forms change.

use crate::app::i18n::{t, tr, use_lang, Lang};
use crate::model::AppError;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::future::Future;

/// A failure or refusal, announced to screen readers at once.
#[component]
pub fn ErrorAlert(
    #[prop(into)] text: String,
    #[prop(optional_no_strip)] id: Option<&'static str>,
) -> impl IntoView {
    view! { <p class="alert alert-error" role="alert" id=id>{text}</p> }
}

/// An error the server answered with, in the page's language; a refusal in the page's
/// own words (`refused`) where it has them.
#[component]
pub fn ServerError(
    error: AppError,
    #[prop(optional)] id: Option<&'static str>,
    #[prop(optional_no_strip)] refused: Option<&'static str>,
) -> impl IntoView {
    let lang = use_lang();
    let text = match (&error, refused) {
        (AppError::Forbidden, Some(refused)) => refused.to_owned(),
        _ => tr(lang, &error.to_string()),
    };
    view! { <ErrorAlert text id/> }
}

/// A page's data from the server: "Loading…" until it has come, then what `shown` makes
/// of it, or the error (a refusal in the page's own words where it has them, see
/// [`ServerError`]). A page whose forms change its data keeps showing the data while it
/// is fetched again (`keep_while_reloading`, a transition) instead of "Loading…".
#[component]
pub fn Loaded<T, V, F>(
    data: Resource<Result<T, AppError>>,
    shown: F,
    #[prop(optional)] refused: Option<&'static str>,
    #[prop(optional)] keep_while_reloading: bool,
) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    F: Fn(T) -> V + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let lang = use_lang();
    let fallback = move || view! { <p class="muted">{t(lang, "Loading…")}</p> };
    let content = move || {
        let shown = shown.clone();
        Suspend::new(async move {
            match data.await {
                Ok(value) => shown(value).into_any(),
                Err(error) => view! { <ServerError error refused/> }.into_any(),
            }
        })
    };
    if keep_while_reloading {
        view! { <Transition fallback>{content}</Transition> }.into_any()
    } else {
        view! { <Suspense fallback>{content}</Suspense> }.into_any()
    }
}

/// What a form's server function answered: its message as a notice, or its error as an
/// alert. `translate` reads the messages that name someone or something by their
/// pattern; the fixed ones come from the table.
#[component]
pub fn FormAnswer(
    answer: Result<String, AppError>,
    #[prop(optional)] id: Option<&'static str>,
    #[prop(default = tr)] translate: fn(Lang, &str) -> String,
) -> impl IntoView {
    let lang = use_lang();
    match answer {
        Ok(message) => view! {
            <p class="alert alert-info" role="status" id=id>{translate(lang, &message)}</p>
        }
        .into_any(),
        Err(error) => {
            view! { <ErrorAlert text=translate(lang, &error.to_string()) id/> }.into_any()
        }
    }
}

/// The newest answer of a page's forms, whichever was used last: the one message place
/// above several forms.
#[derive(Clone, Copy)]
pub struct NewestAnswer(RwSignal<Option<Result<String, AppError>>>);

impl Default for NewestAnswer {
    fn default() -> Self {
        Self(RwSignal::new(None))
    }
}

impl NewestAnswer {
    pub fn set(self, answer: Option<Result<String, AppError>>) {
        self.0.set(answer);
    }

    /// Takes every answer of a form that answers with a message.
    pub fn follow<S>(self, form: ServerAction<S>)
    where
        S: ServerFn<Output = String, Error = AppError> + Send + Sync + Clone + 'static,
    {
        Effect::new(move |_| {
            if let Some(answer) = form.value().get() {
                self.set(Some(answer));
            }
        });
    }

    /// Takes every answer of two forms, whichever answered last.
    pub fn of_both<A, B>(first: ServerAction<A>, second: ServerAction<B>) -> Self
    where
        A: ServerFn<Output = String, Error = AppError> + Send + Sync + Clone + 'static,
        B: ServerFn<Output = String, Error = AppError> + Send + Sync + Clone + 'static,
    {
        let newest = Self::default();
        newest.follow(first);
        newest.follow(second);
        newest
    }

    /// The answer as a notice or an alert with the given `id` (see [`FormAnswer`]).
    pub fn shown(
        self,
        id: &'static str,
        translate: fn(Lang, &str) -> String,
    ) -> impl Fn() -> Option<AnyView> + Send + Sync + 'static {
        move || {
            self.0
                .get()
                .map(|answer| view! { <FormAnswer answer id translate/> }.into_any())
        }
    }
}

/// The inside of a form that acts on one thing (removes, revokes, ends it): the thing's
/// id in a hidden field, and a quiet button whose label names the thing for screen
/// readers.
#[component]
pub fn HiddenIdButton(
    field: &'static str,
    id: String,
    label: String,
    text: &'static str,
) -> impl IntoView {
    view! {
        <input type="hidden" name=field value=id/>
        <button type="submit" class="button button-quiet" aria-label=label>{text}</button>
    }
}

/// A labelled one-line text field of a form, named as its `id` unless `name` says
/// otherwise. What is left out is not written.
#[component]
pub fn TextField(
    id: &'static str,
    #[prop(optional)] name: Option<&'static str>,
    label: &'static str,
    #[prop(optional)] autocomplete: Option<&'static str>,
    /// Typed exactly as it is (a user name to log in with): no capitals or spelling help.
    #[prop(optional)]
    verbatim: bool,
    #[prop(optional)] required: bool,
    #[prop(optional)] maxlength: Option<&'static str>,
    #[prop(optional)] placeholder: Option<&'static str>,
    #[prop(optional)] autofocus: bool,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input id=id name=name.unwrap_or(id) type="text" autocomplete=autocomplete
                autocapitalize=verbatim.then_some("none") spellcheck=verbatim.then_some("false")
                required=required maxlength=maxlength placeholder=placeholder autofocus=autofocus/>
        </div>
    }
}

/// The end of a filter form: apply it, or clear it by going back to the bare address.
#[component]
pub fn FilterActions(clear: &'static str) -> impl IntoView {
    let lang = use_lang();
    view! {
        <div class="filter-actions">
            <button type="submit" class="button button-quiet">{t(lang, "Filter")}</button>
            <a href=clear>{t(lang, "Clear")}</a>
        </div>
    }
}

/// The head cells of a table's columns, from texts already in the page's language. An
/// array, not a list, so the cells render as plainly as if written out one by one.
pub fn column_heads<const N: usize>(labels: [&'static str; N]) -> impl IntoView {
    labels.map(|label| view! { <th scope="col">{label}</th> })
}

/// A table of plain texts: one head per column and one row of cells per line.
#[component]
pub fn TextTable<const N: usize>(
    #[prop(optional)] id: Option<&'static str>,
    heads: [&'static str; N],
    rows: Vec<[String; N]>,
) -> impl IntoView {
    view! {
        <table class="table" id=id>
            <thead>
                <tr>{column_heads(heads)}</tr>
            </thead>
            <tbody>
                {rows
                    .into_iter()
                    .map(|cells| view! { <tr>{cells.map(|cell| view! { <td>{cell}</td> })}</tr> })
                    .collect_view()}
            </tbody>
        </table>
    }
}

/// The options of a filter's `<select>` as (value, label), the current one selected.
pub fn choice_options<V, L>(
    choices: impl IntoIterator<Item = (V, L)>,
    current: Option<&str>,
) -> impl IntoView
where
    V: Into<String>,
    L: Into<String>,
{
    choices
        .into_iter()
        .map(|(value, label)| {
            let (value, label): (String, String) = (value.into(), label.into());
            let selected = current == Some(value.as_str());
            view! { <option value=value selected=selected>{label}</option> }
        })
        .collect_view()
}

/// A page's data for what its address names (an item, a workflow); an address without
/// it names nothing there is.
pub async fn named_in_address<K, T, F>(
    key: Option<K>,
    fetch: impl FnOnce(K) -> F,
) -> Result<T, AppError>
where
    F: Future<Output = Result<T, AppError>>,
{
    match key {
        Some(key) => fetch(key).await,
        None => Err(AppError::NotFound),
    }
}

/// A page's two forms (to add and to remove, say) and the data they change, which is
/// fetched again after either form is used.
pub fn two_forms_and_data<A, B, T, Fut>(
    fetch: impl Fn() -> Fut + Send + Sync + 'static,
) -> (
    ServerAction<A>,
    ServerAction<B>,
    Resource<Result<T, AppError>>,
)
where
    A: ServerFn + Clone + Send + Sync + 'static,
    A::Output: Send + Sync + 'static,
    A::Error: Send + Sync + 'static,
    B: ServerFn + Clone + Send + Sync + 'static,
    B::Output: Send + Sync + 'static,
    B::Error: Send + Sync + 'static,
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
    Fut: Future<Output = Result<T, AppError>> + Send + 'static,
{
    let first = ServerAction::<A>::new();
    let second = ServerAction::<B>::new();
    let versions = [first.version(), second.version()];
    let after_either = move || versions.map(|version| version.get());
    (first, second, Resource::new(after_either, move |_| fetch()))
}

/// The head of a table's last column, which holds each line's buttons: named for screen
/// readers only, as the buttons name themselves.
#[component]
pub fn ActionsHead() -> impl IntoView {
    let lang = use_lang();
    view! { <th scope="col"><span class="visually-hidden">{t(lang, "Actions")}</span></th> }
}

/// A table's head: a column per label and, with `actions`, the column of each line's
/// buttons.
#[component]
pub fn TableHead(labels: Vec<&'static str>, #[prop(optional)] actions: bool) -> impl IntoView {
    let heads = labels
        .into_iter()
        .map(|label| view! { <th scope="col">{label}</th> })
        .collect_view();
    view! { <thead><tr>{heads}{actions.then(|| view! { <ActionsHead/> })}</tr></thead> }
}
