//! Languages: pages speak the language the user chose, else the browser's.

use super::harness::*;

on_both_databases!(pages_speak_the_chosen_language_else_the_browsers);

async fn pages_speak_the_chosen_language_else_the_browsers(app: TestApp) {
    let bob = app.session("bob").await;
    let english = app.text("/worklist", Some(&bob)).await;
    assert!(english.contains(r#"<html lang="en""#), "{english}");
    assert!(english.contains("Worklist") && !english.contains("Arbeitsliste"));

    let german_browser = app
        .text_in("/worklist", Some(&bob), "de-DE,de;q=0.9,en;q=0.5")
        .await;
    assert!(german_browser.contains(r#"<html lang="de""#));
    assert!(german_browser.contains("Arbeitsliste"), "{german_browser}");
    // Titles from the definitions come in German too.
    assert!(
        german_browser.contains("Genehmigung durch den Vorgesetzten"),
        "{german_browser}"
    );
    // So do the item's history and why the user is asked, which the server writes.
    let start = german_browser
        .find("href=\"/worklist/")
        .expect("an item link")
        + 6;
    let link = &german_browser[start..start + german_browser[start..].find('"').unwrap()];
    let item = app.text_in(link, Some(&bob), "de").await;
    assert!(item.contains("gefragt: bob"), "{item}");
    assert!(
        item.contains("Sie sind ") && !item.contains("manager of"),
        "why bob is asked, in German: {item}"
    );

    // The choice wins over the browser, and the switch goes back to the page it was on.
    let back_to = app.url("/worklist?sort=newest");
    let switched = app
        .get_with("/lang?to=en", Some(&bob), &[("referer", &back_to)])
        .await;
    assert!(switched.status().is_redirection());
    assert_eq!(location(&switched), "/worklist?sort=newest");
    let cookie = switched
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("assent_lang=en;"), "{cookie}");
    let chosen = app
        .text_in("/worklist", Some(&format!("{bob}; assent_lang=en")), "de")
        .await;
    assert!(chosen.contains(r#"<html lang="en""#));
    // Elsewhere than this portal is never a destination.
    let outside = app
        .get_with(
            "/lang?to=de",
            None,
            &[("referer", "https://evil.example//evil.example/x")],
        )
        .await;
    assert_eq!(location(&outside), "/");
}
