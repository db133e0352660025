//! The pages, rendered on the server and hydrated in the browser.

pub mod api;
pub mod frame;
mod history;
pub mod i18n;
pub(crate) mod pages;
pub mod types;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Title};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{path, SsrMode};

/// The language of the request being rendered (server) or of the page (browser).
fn page_language() -> i18n::Lang {
    #[cfg(feature = "ssr")]
    {
        use_context::<axum::http::request::Parts>()
            .map(|parts| i18n::Lang::of_request(&parts))
            .unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    {
        document()
            .document_element()
            .and_then(|html| html.get_attribute("lang"))
            .and_then(|code| i18n::Lang::from_code(&code))
            .unwrap_or_default()
    }
}

/// The HTML document around the app; only the server renders it.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let lang = page_language();
    provide_context(lang);
    view! {
        <!DOCTYPE html>
        <html lang=lang.code()>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light dark"/>
                <link rel="stylesheet" href="/pkg/assent.css"/>
                <link rel="icon" href="/pkg/favicon.svg" type="image/svg+xml"/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    if use_context::<i18n::Lang>().is_none() {
        provide_context(page_language());
    }
    // Effects run only in the browser, so this flag says the wasm has taken over the page.
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));

    view! {
        <Title formatter=|title: String| format!("{title} · Assent")/>
        <div class="app" data-hydrated=move || hydrated.get().to_string()>
            <Router>
                <Routes fallback=pages::not_found::NotFoundPage>
                    <Route path=path!("/login") view=pages::login::LoginPage ssr=SsrMode::Async/>
                    <Route path=path!("/mail-decision") view=pages::mail_decision::MailDecisionPage ssr=SsrMode::Async/>
                    // A nested route renders in the strictest mode on its path, so every
                    // page in the frame is rendered whole (Async) like the frame itself.
                    <ParentRoute path=path!("") view=frame::Frame ssr=SsrMode::Async>
                        <Route path=path!("") view=pages::home::HomePage/>
                        <Route path=path!("catalog") view=pages::catalog::CatalogPage/>
                        <Route path=path!("catalog/:item/request") view=pages::request::RequestPage/>
                        <Route path=path!("requests") view=pages::my_requests::MyRequestsPage/>
                        <Route path=path!("requests/:workflow") view=pages::request_detail::RequestDetailPage/>
                        <Route path=path!("worklist") view=pages::worklist::WorklistPage/>
                        <Route path=path!("worklist/:workflow/:run") view=pages::work_item::WorkItemPage/>
                        <Route path=path!("cart") view=pages::cart::CartPage/>
                        <Route path=path!("delegations") view=pages::delegations::DelegationsPage/>
                        <Route path=path!("tokens") view=pages::tokens::TokensPage/>
                        <Route path=path!("admin") view=pages::admin::AdminPage/>
                        <Route path=path!("admin/provisioning") view=pages::admin_provisioning::AdminProvisioningPage/>
                        <Route path=path!("admin/changes") view=pages::admin_changes::AdminChangesPage/>
                        <Route path=path!("admin/instances") view=pages::admin_instances::AdminInstancesPage/>
                        <Route path=path!("admin/audit") view=pages::admin_audit::AdminAuditPage/>
                        <Route path=path!("admin/definition") view=pages::admin_definition::AdminDefinitionPage/>
                        <Route path=path!("admin/users") view=pages::admin_users::AdminUsersPage/>
                        <Route path=path!("admin/users/:username") view=pages::admin_user::AdminUserPage/>
                        <Route path=path!("admin/instances/:workflow") view=pages::admin_instance::AdminInstancePage/>
                        <Route path=path!("admin/instances/:workflow/replay") view=pages::admin_replay::AdminReplayPage/>
                        <Route path=path!("access") view=pages::my_access::MyAccessPage/>
                    </ParentRoute>
                </Routes>
            </Router>
        </div>
    }
}
