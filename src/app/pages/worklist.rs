//! Worklist: the decisions waiting for the signed-in user.

use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn WorklistPage() -> impl IntoView {
    view! {
        <Title text="Worklist"/>
        <h1>"Worklist"</h1>
        <div class="empty-state">
            <p>"Nothing is waiting for your decision."</p>
            <p class="muted">"Approvals assigned to you or your pools appear here."</p>
        </div>
    }
}
