//! Trust (issue #9), the platform: security headers (a per-page script nonce, HSTS and
//! the `__Host-` session cookie behind TLS), an audit trail the database keeps
//! append-only, and mail without SMTP written to files instead of the log.

use super::harness::*;
use reqwest::StatusCode;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

on_both_databases!(the_audit_trail_refuses_updates_and_deletes);

// The mail test starts its own server with --mail-dir (the demo's notifications go out
// as soon as it starts), so it is not one of the macro's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mail_without_smtp_is_written_to_files_and_never_logged_on_sqlite() {
    mail_without_smtp_is_written_to_files_and_never_logged(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mail_without_smtp_is_written_to_files_and_never_logged_on_postgres() {
    mail_without_smtp_is_written_to_files_and_never_logged(Backend::Postgres).await;
}

/// The value of `'nonce-…'` in a page policy.
fn policy_nonce(policy: &str) -> Option<String> {
    let start = policy.find("'nonce-")? + "'nonce-".len();
    let end = start + policy[start..].find('\'')?;
    Some(policy[start..end].to_owned())
}

fn header(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// Every `<script` of `html` carries `nonce="{nonce}"`; returns how many there are.
fn scripts_carry(html: &str, nonce: &str) -> usize {
    let scripts: Vec<&str> = html
        .match_indices("<script")
        .map(|(at, _)| &html[at..at + html[at..].find('>').expect("a closed tag")])
        .collect();
    for script in &scripts {
        assert!(
            script.contains(&format!("nonce=\"{nonce}\"")),
            "a script without this response's nonce: {script}"
        );
    }
    scripts.len()
}

/// Pages get a policy whose nonce is the one on their scripts, fresh per response, and
/// nothing else may run inline; other answers keep the static policy; plain HTTP has no
/// HSTS and the plain cookie name; behind TLS (Secure cookies) HSTS and `__Host-`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_carry_a_fresh_nonce_policy_and_tls_adds_hsts_and_a_host_cookie() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("sqlite app");
    let mut seen = Vec::new();
    let bob = app.session("bob").await;
    assert!(bob.starts_with("assent_session="), "{bob}");
    for (path, cookie) in [
        ("/login", None),
        ("/login", None),
        ("/worklist", Some(bob.as_str())),
        ("/requests", Some(bob.as_str())),
        ("/no/such/page", Some(bob.as_str())),
    ] {
        let page = app.get(path, cookie).await;
        assert!(
            page.status() == StatusCode::OK || page.status() == StatusCode::NOT_FOUND,
            "{path}: {}",
            page.status()
        );
        assert!(
            header(&page, "strict-transport-security").is_none(),
            "no HSTS over plain HTTP"
        );
        let policy = header(&page, "content-security-policy").expect("a policy");
        for directive in [
            "default-src 'self'",
            "'wasm-unsafe-eval'",
            "style-src 'self';",
            "frame-ancestors 'none'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
        ] {
            assert!(policy.contains(directive), "{path}: {policy}");
        }
        assert!(!policy.contains("unsafe-inline"), "{path}: {policy}");
        let nonce = policy_nonce(&policy).expect("a nonce in the page policy");
        assert!(nonce.len() >= 22, "128 bits at least: {nonce}");
        let html = page.text().await.unwrap();
        let scripts = scripts_carry(&html, &nonce);
        assert!(scripts >= 1, "{path}: the hydration script is there");
        assert!(
            !html.contains(" style=\"") && !html.contains(" onclick="),
            "{path}: no inline style or handler attributes"
        );
        seen.push(nonce);
    }
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), seen.len(), "a fresh nonce per response");

    // Answers that are not pages keep the static policy.
    for path in ["/healthz", "/api/wfs/v1/openapi.json"] {
        let response = app.get(path, None).await;
        let policy = header(&response, "content-security-policy").unwrap();
        assert!(!policy.contains("nonce-"), "{path}: {policy}");
        assert!(
            policy.contains("frame-ancestors 'none'"),
            "{path}: {policy}"
        );
    }
    // The API documentation page has no script at all, and says so itself.
    let docs = app.get("/api/wfs/v1/docs", None).await;
    let policy = header(&docs, "content-security-policy").unwrap();
    assert!(policy.contains("default-src 'none'"), "{policy}");
    assert!(!docs.text().await.unwrap().contains("<script"));

    let secure = TestApp::spawn_with(Backend::Sqlite, &["--secure-cookies", "true"])
        .await
        .unwrap();
    let login = secure.login_attempt("alice", DEMO_PASSWORD).await;
    assert_eq!(
        header(&login, "strict-transport-security").as_deref(),
        Some("max-age=31536000; includeSubDomains")
    );
    let set_cookie = set_cookie_header(login.headers()).expect("a session cookie");
    assert!(
        set_cookie.starts_with("__Host-assent_session="),
        "{set_cookie}"
    );
    assert!(
        set_cookie.contains("Secure") && set_cookie.contains("Path=/"),
        "{set_cookie}"
    );
    assert!(!set_cookie.contains("Domain="), "{set_cookie}");
    let cookie = session_cookie(login.headers()).unwrap();
    let home = secure.get("/", Some(&cookie)).await;
    assert_eq!(home.status(), StatusCode::OK, "the prefixed cookie logs in");
    assert!(header(&home, "strict-transport-security").is_some());
    assert!(
        header(
            &secure.get("/healthz", None).await,
            "strict-transport-security"
        )
        .is_some(),
        "HSTS on every answer"
    );
}

/// Neither an UPDATE nor a DELETE (nor, on PostgreSQL, a TRUNCATE) of the audit trail
/// gets through the database, whoever sends it; appending still works.
async fn the_audit_trail_refuses_updates_and_deletes(app: TestApp) {
    use sea_orm::{ConnectionTrait, DbBackend, Statement};
    app.session("alice").await;
    let db = app.database().await;
    let backend = db.get_database_backend();
    let sql = |text: &str| Statement::from_string(backend, text.to_owned());
    let snapshot = || async {
        let rows = db
            .query_all(sql(
                "SELECT id, occurred_at, actor, action, detail, request_id FROM audit_events ORDER BY id",
            ))
            .await
            .unwrap();
        rows.iter()
            .map(|row| {
                (
                    row.try_get::<i32>("", "id").unwrap(),
                    format!(
                        "{:?}",
                        row.try_get::<chrono::DateTime<chrono::Utc>>("", "occurred_at")
                            .ok()
                    ),
                    row.try_get::<Option<String>>("", "actor").unwrap(),
                    row.try_get::<String>("", "action").unwrap(),
                    row.try_get::<String>("", "detail").unwrap(),
                    row.try_get::<Option<String>>("", "request_id").unwrap(),
                )
            })
            .collect::<Vec<_>>()
    };
    let before = snapshot().await;
    let login = before
        .iter()
        .find(|row| row.3 == "login.succeeded")
        .expect("alice's login is audited")
        .clone();
    let id = login.0;
    let mut attempts = vec![
        format!("UPDATE audit_events SET detail = 'nothing happened' WHERE id = {id}"),
        format!("UPDATE audit_events SET actor = 'mallory' WHERE id = {id}"),
        format!("DELETE FROM audit_events WHERE id = {id}"),
        "DELETE FROM audit_events".to_owned(),
    ];
    if backend == DbBackend::Postgres {
        attempts.push("TRUNCATE audit_events".to_owned());
    }
    for attempt in &attempts {
        let error = db
            .execute(sql(attempt))
            .await
            .expect_err(&format!("refused: {attempt}"));
        assert!(
            error.to_string().contains("append-only"),
            "{attempt}: {error}"
        );
    }
    // Every entry unchanged; the job runner may have appended new ones meanwhile.
    let unchanged = snapshot().await;
    assert_eq!(
        &unchanged[..before.len()],
        &before[..],
        "every entry unchanged"
    );

    app.session("bob").await;
    let after = snapshot().await;
    // (The demo's workflows may append entries of their own meanwhile.)
    assert!(
        after[before.len()..]
            .iter()
            .any(|row| row.3 == "login.succeeded" && row.2.as_deref() == Some("bob")),
        "appending still works"
    );
    assert_eq!(&after[..before.len()], &before[..]);
}

/// Everything the server logs, from every test of this process.
fn captured_log() -> Option<Arc<Mutex<Vec<u8>>>> {
    static LOG: OnceLock<Option<Arc<Mutex<Vec<u8>>>>> = OnceLock::new();
    LOG.get_or_init(|| {
        #[derive(Clone)]
        struct Capture(Arc<Mutex<Vec<u8>>>);
        impl std::io::Write for Capture {
            fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
                self.0.lock().unwrap().extend_from_slice(bytes);
                Ok(bytes.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let log = Arc::new(Mutex::new(Vec::new()));
        let writer = Capture(log.clone());
        // As verbose as the server's default (`info`), for every target.
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new("info"))
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .try_init()
            .ok()
            .map(|()| log)
    })
    .clone()
}

/// Without SMTP, each notification is one .eml file in --mail-dir: RFC 5322 headers, a
/// text/plain UTF-8 body with the decision links that work; the log names the file and
/// the template, and never the token.
async fn mail_without_smtp_is_written_to_files_and_never_logged(backend: Backend) {
    let log = captured_log();
    let dir = tempfile::tempdir().unwrap();
    // Created when missing, parents included.
    let mail_dir = dir.path().join("mail").join("sub");
    // The demo's example workflows ask bob (alice's manager) among others: their
    // notifications go out once the server runs.
    let Some(app) = TestApp::spawn_with(
        backend,
        &[
            "--mail-dir",
            mail_dir.to_str().unwrap(),
            "--job-interval-ms",
            "50",
        ],
    )
    .await
    else {
        return;
    };
    let mut mails = Vec::new();
    for _ in 0..200 {
        mails = std::fs::read_dir(&mail_dir)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .map(|entry| entry.path())
                    .filter(|path| path.extension().is_some_and(|e| e == "eml"))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        let for_bob = mails.iter().any(|path| {
            std::fs::read_to_string(path).is_ok_and(|text| text.contains("To: bob@example.com"))
        });
        if for_bob {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    mails.sort();
    let bobs = mails
        .iter()
        .find(|path| {
            std::fs::read_to_string(path).is_ok_and(|text| {
                text.contains("To: bob@example.com") && text.contains("mail-decision?token=")
            })
        })
        .unwrap_or_else(|| panic!("a notification to bob in {}: {mails:?}", mail_dir.display()));

    let name = bobs.file_name().unwrap().to_str().unwrap().to_owned();
    // <UTC time to the microsecond>-<message id>.eml
    let (time, id) = name.trim_end_matches(".eml").split_once('-').unwrap();
    assert!(
        time.len() == 23 && time.ends_with('Z') && time.as_bytes()[8] == b'T',
        "{name}"
    );
    assert!(
        id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()),
        "{name}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(bobs).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "only the portal's user reads it: {mode:o}");
    }
    let text = std::fs::read_to_string(bobs).unwrap();
    let (headers, body) = text
        .split_once("\r\n\r\n")
        .expect("headers, blank line, body");
    for expected in [
        "From: Assent <assent@localhost>",
        "To: bob@example.com",
        "Subject: Assent: a request waits for your decision",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: 8bit",
    ] {
        assert!(headers.contains(expected), "{expected}:\n{headers}");
    }
    assert!(headers.contains("\r\nDate: "), "{headers}");
    assert!(
        headers.contains(&format!("Message-ID: <{id}@localhost>")),
        "{headers}"
    );
    assert!(
        body.contains("A request waits for your decision."),
        "{body}"
    );
    let start = body.find("mail-decision?token=").unwrap() + "mail-decision?token=".len();
    let token: String = body[start..]
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect();
    assert!(token.len() >= 32, "{body}");

    // The link is real: it opens bob's confirmation page.
    let page = app
        .get(&format!("/mail-decision?token={token}"), None)
        .await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("Confirm approval") || html.contains("Confirm rejection"),
        "{html}"
    );

    match log {
        Some(log) => {
            let log = String::from_utf8_lossy(&log.lock().unwrap()).into_owned();
            assert!(
                log.contains("mail written") && log.contains(&name),
                "the log names the file"
            );
            assert!(log.contains("approval-requested"), "and the template");
            assert!(!log.contains(&token), "the token never reaches the log");
            assert!(
                !log.contains("bob@example.com"),
                "nor the recipient's address"
            );
        }
        None => eprintln!(
            "NOTE: another log subscriber was installed first; the log is not checked here"
        ),
    }
}
