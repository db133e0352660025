//! The `[endpoints]` tables: what is accepted, what each mistake says (naming endpoint and
//! key, never a value), and how a call's URL and its shown path are made.

use super::*;

const TOKEN: &str = "s3cret-token-value";

/// The environment these tests start in.
fn env(name: &str) -> Option<String> {
    match name {
        "HR_TOKEN" => Some(TOKEN.to_owned()),
        "HR_PASSWORD" => Some("pa55word".to_owned()),
        "BAD_VALUE" => Some("line\nbreak".to_owned()),
        _ => None,
    }
}

fn load(toml: &str) -> Result<Endpoints, String> {
    #[derive(Deserialize)]
    struct File {
        endpoints: BTreeMap<String, RawEndpoint>,
    }
    let file: File = toml::from_str(toml).map_err(|e| e.message().to_owned())?;
    Endpoints::from_config(file.endpoints, &env)
}

fn error_of(toml: &str) -> String {
    match load(toml) {
        Ok(_) => panic!("accepted: {toml}"),
        Err(error) => error,
    }
}

#[test]
fn an_endpoint_gets_its_defaults() {
    let endpoints = load("[endpoints.hr]\nurl = \"https://hr.example.com/api/\"").unwrap();
    let hr = &endpoints.by_name["hr"];
    assert_eq!(hr.timeout, Duration::from_secs(10));
    assert_eq!(hr.retries, 2);
    assert_eq!(hr.backoff, Duration::from_secs(1));
    assert!(hr.succeeded(StatusCode::NO_CONTENT) && !hr.succeeded(StatusCode::FOUND));
    assert!(hr.auth.is_none());
    assert!(endpoints.client.is_some());
    assert_eq!(endpoints.by_name.keys().collect::<Vec<_>>(), ["hr"]);
    assert_eq!(
        hr.url_for("/employees/nina?x=1").unwrap().as_str(),
        "https://hr.example.com/api/employees/nina?x=1"
    );
    assert_eq!(
        hr.url_for("").unwrap().as_str(),
        "https://hr.example.com/api/"
    );
    assert!(Endpoints::from_config(BTreeMap::new(), &env)
        .unwrap()
        .client
        .is_none());
}

#[test]
fn every_setting_is_read() {
    let endpoints = load(
        r#"
[endpoints.hr]
url = "http://127.0.0.1:8080"
timeout = "500ms"
retries = 3
backoff = "2s"
success = [200, 201]
auth = { bearer_env = "HR_TOKEN" }

[endpoints.ldap]
url = "https://ldap.example.com"
auth = { basic_user = "svc", password_env = "HR_PASSWORD" }

[endpoints.tickets]
url = "https://tickets.example.com"
auth = { header = "X-Api-Key", value_env = "HR_TOKEN" }
"#,
    )
    .unwrap();
    let hr = &endpoints.by_name["hr"];
    assert_eq!(
        (hr.timeout, hr.retries, hr.backoff),
        (Duration::from_millis(500), 3, Duration::from_secs(2))
    );
    assert!(hr.succeeded(StatusCode::CREATED) && !hr.succeeded(StatusCode::NO_CONTENT));
    let (name, value) = hr.auth.as_ref().unwrap();
    assert_eq!(name, AUTHORIZATION);
    assert_eq!(value.to_str().unwrap(), format!("Bearer {TOKEN}"));
    assert!(value.is_sensitive());
    assert!(
        !format!("{value:?}").contains(TOKEN),
        "hidden from debug output"
    );
    let (_, basic) = endpoints.by_name["ldap"].auth.as_ref().unwrap();
    assert_eq!(basic.to_str().unwrap(), "Basic c3ZjOnBhNTV3b3Jk");
    let (name, key) = endpoints.by_name["tickets"].auth.as_ref().unwrap();
    assert_eq!((name.as_str(), key.to_str().unwrap()), ("x-api-key", TOKEN));
}

#[test]
fn mistakes_name_the_endpoint_and_the_key_never_a_value() {
    for (toml, expected) in [
        (
            "url = \"ftp://hr.example.com\"",
            "endpoint hr: url must be http or https, not ftp",
        ),
        ("url = \"hr.example.com\"", "endpoint hr: url is not a URL"),
        (
            "url = \"https://svc:hunter2@hr.example.com\"",
            "endpoint hr: url must not carry credentials",
        ),
        (
            "url = \"https://hr.example.com/api?code=hunter2\"",
            "endpoint hr: url must not have a query",
        ),
        (
            "url = \"https://h\"\ntimeout = \"5\"",
            "endpoint hr: timeout \"5\" is not a span",
        ),
        (
            "url = \"https://h\"\ntimeout = \"0s\"",
            "endpoint hr: timeout must be longer",
        ),
        (
            "url = \"https://h\"\nbackoff = \"soon\"",
            "endpoint hr: backoff \"soon\"",
        ),
        (
            "url = \"https://h\"\nretries = 11",
            "endpoint hr: retries is 11, at most 10",
        ),
        (
            "url = \"https://h\"\ntimeout = \"30s\"\nretries = 1",
            "endpoint hr: timeout, retries and backoff let one call take up to 61s",
        ),
        (
            "url = \"https://h\"\nsuccess = []",
            "endpoint hr: success must list",
        ),
        (
            "url = \"https://h\"\nsuccess = [200, 42]",
            "endpoint hr: success: 42 is not",
        ),
        (
            "url = \"https://h\"\nauth = { bearer_env = \"MISSING_TOKEN\" }",
            "endpoint hr: auth.bearer_env: the environment variable MISSING_TOKEN is not set",
        ),
        (
            "url = \"https://h\"\nauth = { basic_user = \"svc\", password_env = \"NOPE\" }",
            "endpoint hr: auth.password_env: the environment variable NOPE is not set",
        ),
        (
            "url = \"https://h\"\nauth = { basic_user = \"svc\" }",
            "endpoint hr: auth must be",
        ),
        (
            "url = \"https://h\"\nauth = { bearer_env = \"HR_TOKEN\", header = \"X\" }",
            "endpoint hr: auth must be",
        ),
        (
            "url = \"https://h\"\nauth = { header = \"X Key\", value_env = \"HR_TOKEN\" }",
            "endpoint hr: auth.header \"X Key\" is not a header name",
        ),
        (
            "url = \"https://h\"\nauth = { header = \"X-Key\", value_env = \"BAD_VALUE\" }",
            "endpoint hr: auth.value_env: the variable's value cannot be sent",
        ),
        (
            "url = \"https://h\"\nproxy = \"x\"",
            "unknown field `proxy`",
        ),
    ] {
        let error = error_of(&format!("[endpoints.hr]\n{toml}"));
        assert!(error.contains(expected), "{toml}: {error}");
        for secret in ["hunter2", TOKEN, "pa55word", "line\nbreak"] {
            assert!(!error.contains(secret), "{toml}: {error}");
        }
    }
}

#[test]
fn the_longest_call_counts_every_try_and_wait() {
    let second = Duration::from_secs(1);
    assert_eq!(longest_call(10 * second, 2, second), 33 * second);
    assert_eq!(longest_call(second, 0, 5 * second), second);
    assert!(longest_call(second, 10, Duration::MAX) > MAX_CALL_TIME);
}

#[test]
fn history_shows_paths_without_their_query() {
    assert_eq!(shown_path("/employees/nina"), "/employees/nina");
    assert_eq!(shown_path("/employees?token=abc"), "/employees?…");
    assert_eq!(shown_path("?token=abc"), "/?…");
    assert_eq!(shown_path(""), "/");
}
