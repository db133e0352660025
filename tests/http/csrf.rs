//! Cross-site request forgery: a POST from another site is refused, whatever it carries,
//! and changes nothing.

use super::harness::*;
use reqwest::StatusCode;

on_both_databases!(cross_site_posts_are_refused_and_change_nothing);

async fn cross_site_posts_are_refused_and_change_nothing(app: TestApp) {
    let cookie = app.session("alice").await;
    // Each forged POST: where to, and the browser's headers.
    for (path, headers) in [
        (
            "/logout",
            &[
                ("sec-fetch-site", "cross-site"),
                ("origin", "https://evil.example"),
            ][..],
        ),
        // An old browser, which sends no Sec-Fetch-Site.
        ("/logout", &[("origin", "https://evil.example")][..]),
        ("/app/shell", &[("sec-fetch-site", "same-site")][..]),
    ] {
        let mut forged = app.client.post(app.url(path)).header("cookie", &cookie);
        for (name, value) in headers {
            forged = forged.header(*name, *value);
        }
        let forged = forged.send().await.unwrap();
        assert_eq!(forged.status(), StatusCode::FORBIDDEN, "{path} {headers:?}");
    }
    assert_eq!(
        app.get("/", Some(&cookie)).await.status(),
        StatusCode::OK,
        "still logged in"
    );
}
