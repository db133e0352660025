//! My requests: what the signed-in user has asked for.

use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn MyRequestsPage() -> impl IntoView {
    view! {
        <Title text="My requests"/>
        <h1>"My requests"</h1>
        <div class="empty-state">
            <p>"You have no requests yet."</p>
            <p class="muted">
                "Requests you submit appear here with their state and current step."
            </p>
        </div>
    }
}
