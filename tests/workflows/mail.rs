//! Mail: retried when it fails, then left waiting in error; sent through SMTP; and the
//! decision links it carries decide once, after confirmation, until they expire.

use crate::common::{self, Backend};
use crate::on_both_databases;
use crate::support::*;
use assent_engine::ActivityState;
use assent_engine::WorkflowState;
use std::sync::{Arc, Mutex};

on_both_databases!(
    failing_mail_is_retried_then_waits_in_error,
    mail_goes_out_through_smtp_and_is_retried,
    mailed_links_decide_once_after_confirmation,
);

/// A minimal SMTP server: accepts mail, refusing the first `refuse_first` senders with a
/// temporary error.
async fn fake_smtp(refuse_first: usize) -> (u16, Arc<Mutex<Vec<String>>>) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let received = Arc::new(Mutex::new(Vec::new()));
    let refusals = Arc::new(Mutex::new(refuse_first));
    let store = received.clone();
    tokio::spawn(async move {
        loop {
            let Ok((socket, _)) = listener.accept().await else {
                return;
            };
            let store = store.clone();
            let refusals = refusals.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 fake ESMTP\r\n").await.unwrap();
                let mut message = String::new();
                let mut in_data = false;
                while let Ok(Some(line)) = lines.next_line().await {
                    if in_data {
                        if line == "." {
                            in_data = false;
                            store.lock().unwrap().push(std::mem::take(&mut message));
                            write.write_all(b"250 queued\r\n").await.unwrap();
                        } else {
                            message.push_str(&line);
                            message.push('\n');
                        }
                        continue;
                    }
                    let verb = line
                        .split_whitespace()
                        .next()
                        .unwrap_or_default()
                        .to_uppercase();
                    let reply: &[u8] = match verb.as_str() {
                        "EHLO" | "HELO" => b"250 fake\r\n",
                        "MAIL" => {
                            let mut left = refusals.lock().unwrap();
                            if *left > 0 {
                                *left -= 1;
                                b"451 try again later\r\n"
                            } else {
                                b"250 OK\r\n"
                            }
                        }
                        "DATA" => {
                            in_data = true;
                            b"354 go ahead\r\n"
                        }
                        "QUIT" => {
                            let _ = write.write_all(b"221 bye\r\n").await;
                            return;
                        }
                        _ => b"250 OK\r\n",
                    };
                    if write.write_all(reply).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (port, received)
}

async fn failing_mail_is_retried_then_waits_in_error(backend: Backend) {
    let f = fixture_with(
        backend,
        RecordingMailer {
            fail: true,
            ..Default::default()
        },
    )
    .await;
    let instance = f.four_eye("alice", "alice").await;
    let approval = running(&instance, "manager_approval");
    approve(&f.workflows, "bob", &instance.id, approval, None)
        .await
        .unwrap();
    for _ in 0..12 {
        f.workflows.run_due_jobs("test", 10).await.unwrap();
        f.clock.advance(chrono::Duration::minutes(20));
    }
    let stored = f.workflows.instance(&instance.id).await.unwrap();
    let notify = stored
        .runs
        .iter()
        .find(|r| r.activity.0 == "notify")
        .unwrap();
    assert_eq!(notify.state, ActivityState::WaitInError);
    assert!(
        notify
            .error
            .as_deref()
            .unwrap()
            .contains("after 5 attempts"),
        "{:?}",
        notify.error
    );
    assert_eq!(
        stored.state,
        WorkflowState::Running,
        "waiting for an administrator"
    );
}

async fn mail_goes_out_through_smtp_and_is_retried(backend: Backend) {
    use assent::server::workflow::jobs::NoIntegrations;
    use assent::server::workflow::mail::SmtpMailer;
    let f = fixture(backend).await;
    let (port, received) = fake_smtp(1).await;
    let mailer = SmtpMailer::new(
        &format!("smtp://127.0.0.1:{port}"),
        "Assent <assent@example.com>",
        f.db.clone(),
        "https://assent.example",
    )
    .unwrap();
    let workflows = f
        .workflows
        .clone()
        .with_integrations(Arc::new(mailer), Arc::new(NoIntegrations));
    workflows
        .create(request(FOUR_EYE, "alice", "alice", "Finance Analyst"))
        .await
        .unwrap();
    workflows.run_due_jobs("test", 10).await.unwrap();
    assert!(
        received.lock().unwrap().is_empty(),
        "the server refused the first attempt"
    );
    assert_eq!(
        count(&f.db, "SELECT COUNT(*) AS n FROM jobs WHERE kind = 'effect' AND done_at IS NULL AND last_error LIKE '%451%'").await,
        1,
        "the failure is recorded for a retry"
    );
    f.clock.advance(chrono::Duration::seconds(5));
    workflows.run_due_jobs("test", 10).await.unwrap();
    let mails = received.lock().unwrap().clone();
    assert_eq!(mails.len(), 1, "delivered on the retry");
    assert!(mails[0].contains("To: bob@example.com"), "{}", mails[0]);
    assert!(
        mails[0].contains("https://assent.example/worklist"),
        "{}",
        mails[0]
    );
}

async fn mailed_links_decide_once_after_confirmation(backend: Backend) {
    use assent::server::workflow::links::LinkError;
    let f = fixture(backend).await;
    let instance = f.four_eye("alice", "alice").await;
    f.workflows.run_due_jobs("test", 10).await.unwrap();
    let (to, approve, reject) = f.mailer.links.lock().unwrap()[0].clone();
    assert_eq!(to, "bob");
    assert_ne!(approve, reject);
    // Looking at a link changes nothing.
    let link = f.workflows.decision_link(&approve).await.unwrap();
    assert_eq!(
        (link.username.as_str(), link.verdict.as_str()),
        ("bob", "approve")
    );
    assert_eq!(f.workflows.open_item_count(&user("bob")).await.unwrap(), 1);
    assert!(matches!(
        f.workflows.decision_link("made-up-token").await,
        Err(LinkError::Unknown)
    ));
    let (_, decided) = f.workflows.decide_by_link(&approve, None).await.unwrap();
    assert_eq!(
        decided.application_state,
        Some(assent_engine::ApplicationState::Accepted)
    );
    assert_eq!(decided.id, instance.id);
    assert!(matches!(
        f.workflows.decide_by_link(&approve, None).await,
        Err(LinkError::Used)
    ));
    // The other link of the pair finds the item decided, and is spent by trying.
    assert!(matches!(
        f.workflows.decide_by_link(&reject, Some("no".into())).await,
        Err(LinkError::Workflow(_))
    ));
    // Links expire.
    let second = f.four_eye("frank", "frank").await;
    f.workflows.run_due_jobs("test", 10).await.unwrap();
    let (_, approve, _) = f.mailer.links.lock().unwrap().last().unwrap().clone();
    f.clock.advance(chrono::Duration::days(8));
    assert!(matches!(
        f.workflows.decide_by_link(&approve, None).await,
        Err(LinkError::Expired)
    ));
    assert_eq!(
        f.workflows
            .instance(&second.id)
            .await
            .unwrap()
            .application_state,
        None
    );
}
