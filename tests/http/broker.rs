//! The broker side of the provisioning tests (`shared/spec/provisioning-messages.md`):
//! the RabbitMQ of `ASSENT_TEST_AMQP_URL`, a queue of the test's own bound to its
//! resource's key, answers on the results queue, a resources folder with one resource,
//! and a TCP proxy in front of the broker that the test can cut and restore.
//!
//! Every test shares the broker and the exchange, so each one uses a resource key of its
//! own (`t-<uuid>`) and reads only its own queue.

use futures_util::StreamExt;
use lapin::options::{
    BasicConsumeOptions, BasicPublishOptions, ConfirmSelectOptions, ExchangeDeclareOptions,
    QueueBindOptions, QueueDeclareOptions,
};
use lapin::types::{AMQPValue, FieldTable};
use lapin::{BasicProperties, Channel, Connection, ConnectionProperties, Consumer, ExchangeKind};
use serde_json::Value;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// The spec's exchange: topic, durable, routing key = resource key.
pub const EXCHANGE: &str = "assent.provisioning";
/// How often a test waiting for the consumer or the relay looks at the database again.
pub const POLL: Duration = Duration::from_millis(100);
/// The demo company's queue that is bound to every message.
pub const WATCH_QUEUE: &str = "assent.provisioning.all";

/// The broker for the provisioning tests, or `None` (with a note in the output) when
/// unset. Under CI a missing variable is an error, as for PostgreSQL.
pub fn amqp_url() -> Option<String> {
    match std::env::var("ASSENT_TEST_AMQP_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("CI=true but ASSENT_TEST_AMQP_URL is not set: provisioning tests may not be skipped in CI");
            }
            eprintln!("SKIPPED: ASSENT_TEST_AMQP_URL is not set");
            None
        }
    }
}

/// A resource key no other test uses.
pub fn unique_key() -> String {
    format!("t-{}", uuid::Uuid::new_v4().simple())
}

/// A resources folder with one resource `key` called `name`: every account carries the
/// person's display name and whether they are enabled, and each of `grants` (catalog
/// item, of any kind) adds its `groups`.
pub fn resource_dir(key: &str, name: &str, grants: &[(&str, &[&str])]) -> tempfile::TempDir {
    let quoted = |text: &str| serde_json::to_string(text).unwrap();
    let mut source = format!(
        "key = {}\nname = {{ en = {} }}\n\n[transport]\nkind = \"amqp\"\nresults = true\n\n\
         [account]\nattributes = {{ displayName = \"display_name\" }}\nenabled = \"enabled\"\n",
        quoted(key),
        quoted(name)
    );
    for (item, groups) in grants {
        let groups: Vec<String> = groups.iter().map(|g| quoted(g)).collect();
        source.push_str(&format!(
            "\n[[grant]]\nitem = {}\nattributes = {{ groups = [{}] }}\n",
            quoted(item),
            groups.join(", ")
        ));
    }
    let dir = tempfile::tempdir().expect("resources dir");
    std::fs::write(dir.path().join(format!("{key}.toml")), source).expect("resource file");
    dir
}

/// The results queue a test server with this resources folder answers on: named after
/// its one resource's key.
pub fn results_queue_of(resources: &tempfile::TempDir) -> String {
    let file = std::fs::read_dir(resources.path())
        .expect("resources dir")
        .filter_map(Result::ok)
        .find(|entry| entry.path().extension().is_some_and(|e| e == "toml"))
        .expect("one resource file");
    let key = file
        .path()
        .file_stem()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    format!("{key}.results")
}

/// Deletes a durable queue a test server declared (its results queue) when the test
/// ends, passed or failed, so test runs leave nothing behind on the broker.
pub struct QueueCleanup {
    url: String,
    queue: String,
}

impl QueueCleanup {
    pub fn new(url: &str, queue: String) -> Self {
        Self {
            url: url.to_owned(),
            queue,
        }
    }
}

impl Drop for QueueCleanup {
    fn drop(&mut self) {
        let (url, queue) = (self.url.clone(), self.queue.clone());
        // A runtime of its own: the test's may be shutting down.
        let deleted = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            runtime.block_on(async {
                let connection = Connection::connect(&url, ConnectionProperties::default())
                    .await
                    .ok()?;
                let channel = connection.create_channel().await.ok()?;
                channel
                    .queue_delete(queue.as_str().into(), Default::default())
                    .await
                    .ok()?;
                let _ = connection.close(200, "test done".into()).await;
                Some(())
            })
        });
        let _ = deleted.join();
    }
}

pub async fn connect(url: &str) -> Connection {
    Connection::connect(url, ConnectionProperties::default())
        .await
        .expect("connect to ASSENT_TEST_AMQP_URL")
}

/// Declares the exchange as the spec fixes it (a different declaration by the server
/// would make this fail), so a queue can be bound before the server first started.
async fn declare_exchange(channel: &Channel) {
    channel
        .exchange_declare(
            EXCHANGE.into(),
            ExchangeKind::Topic,
            ExchangeDeclareOptions {
                durable: true,
                ..ExchangeDeclareOptions::default()
            },
            FieldTable::default(),
        )
        .await
        .expect("declare the provisioning exchange");
}

/// One message as the test's queue received it.
#[derive(Debug, Clone)]
pub struct Received {
    pub exchange: String,
    pub routing_key: String,
    pub properties: BasicProperties,
    /// The body's bytes as published.
    pub data: Vec<u8>,
    /// The body as JSON (`Null` when it is not JSON).
    pub body: Value,
}

impl Received {
    pub fn message_id(&self) -> Option<String> {
        self.properties
            .message_id()
            .as_ref()
            .map(|id| id.as_str().to_owned())
    }

    pub fn content_type(&self) -> Option<String> {
        self.properties
            .content_type()
            .as_ref()
            .map(|t| t.as_str().to_owned())
    }

    pub fn delivery_mode(&self) -> Option<u8> {
        *self.properties.delivery_mode()
    }

    /// The `x-sequence` header, as its AMQP type.
    pub fn sequence_header(&self) -> Option<AMQPValue> {
        self.properties
            .headers()
            .as_ref()
            .and_then(|headers| headers.inner().get("x-sequence").cloned())
    }

    pub fn text(&self, field: &str) -> String {
        self.body[field]
            .as_str()
            .unwrap_or_else(|| panic!("no text {field} in {}", self.body))
            .to_owned()
    }

    pub fn sequence(&self) -> i64 {
        self.body["sequence"]
            .as_i64()
            .unwrap_or_else(|| panic!("no sequence in {}", self.body))
    }
}

/// An exclusive, auto-deleted queue of the test's own, bound to the provisioning
/// exchange with one routing key, read straight from the broker (never through a proxy).
pub struct TestQueue {
    consumer: Consumer,
    _channel: Channel,
    _connection: Connection,
}

impl TestQueue {
    pub async fn bind(url: &str, routing_key: &str) -> TestQueue {
        let connection = connect(url).await;
        let channel = connection.create_channel().await.expect("channel");
        declare_exchange(&channel).await;
        let queue = channel
            .queue_declare(
                "".into(),
                QueueDeclareOptions {
                    exclusive: true,
                    auto_delete: true,
                    ..QueueDeclareOptions::default()
                },
                FieldTable::default(),
            )
            .await
            .expect("declare the test's queue");
        let name = queue.name().as_str().to_owned();
        channel
            .queue_bind(
                name.as_str().into(),
                EXCHANGE.into(),
                routing_key.into(),
                QueueBindOptions::default(),
                FieldTable::default(),
            )
            .await
            .expect("bind the test's queue");
        let consumer = channel
            .basic_consume(
                name.as_str().into(),
                format!("test-{}", uuid::Uuid::new_v4().simple()).into(),
                BasicConsumeOptions {
                    no_ack: true,
                    ..BasicConsumeOptions::default()
                },
                FieldTable::default(),
            )
            .await
            .expect("consume the test's queue");
        TestQueue {
            consumer,
            _channel: channel,
            _connection: connection,
        }
    }

    /// The next message, if one comes within `within`.
    pub async fn next_within(&mut self, within: Duration) -> Option<Received> {
        let delivery = tokio::time::timeout(within, self.consumer.next())
            .await
            .ok()??
            .expect("the test's queue delivers");
        Some(Received {
            exchange: delivery.exchange.as_str().to_owned(),
            routing_key: delivery.routing_key.as_str().to_owned(),
            properties: delivery.properties.clone(),
            body: serde_json::from_slice(&delivery.data).unwrap_or(Value::Null),
            data: delivery.data,
        })
    }

    /// The next message; it must come within `within`.
    pub async fn expect_next(&mut self, within: Duration, what: &str) -> Received {
        self.next_within(within)
            .await
            .unwrap_or_else(|| panic!("no message within {within:?}: {what}"))
    }

    /// `received` and the messages that come after them, until `enough` says they are
    /// enough; every one must come before `deadline`.
    pub async fn collect_until(
        &mut self,
        mut received: Vec<Received>,
        deadline: Instant,
        mut enough: impl FnMut(&[Received]) -> bool,
    ) -> Vec<Received> {
        while !enough(&received) {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.next_within(left).await {
                Some(message) => received.push(message),
                None => panic!(
                    "only {} messages before the deadline; the last: {:?}",
                    received.len(),
                    received.last().map(|m| &m.body)
                ),
            }
        }
        received
    }

    /// Asserts that nothing more arrives for `quiet`.
    pub async fn assert_quiet(&mut self, quiet: Duration) {
        if let Some(extra) = self.next_within(quiet).await {
            panic!("an unexpected message: {}", extra.body);
        }
    }
}

/// Whether the demo's watch queue (`assent.provisioning.all`, bound with `#`) exists on
/// the broker, say from a portal started with demo data: it takes every message, so
/// none is unroutable there.
pub async fn watch_queue_exists(url: &str) -> bool {
    let connection = connect(url).await;
    let channel = connection.create_channel().await.expect("channel");
    let passive = QueueDeclareOptions {
        passive: true,
        ..QueueDeclareOptions::default()
    };
    // A queue that does not exist closes the channel with 404.
    let exists = channel
        .queue_declare(WATCH_QUEUE.into(), passive, FieldTable::default())
        .await
        .is_ok();
    let _ = connection.close(200, "done".into()).await;
    exists
}

/// A queue bound to one routing key that takes nothing: the broker refuses (nacks)
/// every message routed to it, whatever other queues take it too. Lives as long as
/// this value (exclusive to its connection).
pub struct RefusingQueue {
    _channel: Channel,
    _connection: Connection,
}

impl RefusingQueue {
    pub async fn bind(url: &str, routing_key: &str) -> RefusingQueue {
        let connection = connect(url).await;
        let channel = connection.create_channel().await.expect("channel");
        declare_exchange(&channel).await;
        let mut full = FieldTable::default();
        full.insert("x-max-length".into(), AMQPValue::LongInt(0));
        full.insert(
            "x-overflow".into(),
            AMQPValue::LongString("reject-publish".into()),
        );
        let queue = channel
            .queue_declare(
                "".into(),
                QueueDeclareOptions {
                    exclusive: true,
                    ..QueueDeclareOptions::default()
                },
                full,
            )
            .await
            .expect("declare the refusing queue");
        channel
            .queue_bind(
                queue.name().clone(),
                EXCHANGE.into(),
                routing_key.into(),
                QueueBindOptions::default(),
                FieldTable::default(),
            )
            .await
            .expect("bind the refusing queue");
        RefusingQueue {
            _channel: channel,
            _connection: connection,
        }
    }
}

/// Publishes a target system's answer on the results queue through the default
/// exchange, `mandatory` and confirmed: the queue must exist and have taken it.
pub async fn publish_result(url: &str, queue: &str, answer: &Value) {
    let connection = connect(url).await;
    let channel = connection.create_channel().await.expect("channel");
    channel
        .confirm_select(ConfirmSelectOptions::default())
        .await
        .expect("confirms");
    let confirmation = channel
        .basic_publish(
            "".into(),
            queue.into(),
            BasicPublishOptions {
                mandatory: true,
                ..BasicPublishOptions::default()
            },
            answer.to_string().as_bytes(),
            BasicProperties::default()
                .with_delivery_mode(2)
                .with_content_type("application/json".into()),
        )
        .await
        .expect("publish the answer")
        .await
        .expect("the broker confirms the answer");
    assert!(confirmation.is_ack(), "the answer was refused");
    assert!(
        confirmation.take_message().is_none(),
        "no queue {queue} took the answer"
    );
    let _ = connection.close(200, "done".into()).await;
}

/// A TCP proxy in front of the broker. Cut, it closes every connection it carries and
/// drops each new one at once, as a broker that went away; deaf, it passes on what
/// clients send but nothing the broker answers (confirmations get lost); restored, it
/// forwards again.
pub struct Proxy {
    /// The broker's URL with the proxy's address in place of the broker's.
    pub url: String,
    down: Arc<AtomicBool>,
    deaf: Arc<AtomicBool>,
    /// Counts the cuts: a carried connection ends when it changes.
    cuts: Arc<watch::Sender<u64>>,
    /// Connections dropped because the proxy was cut.
    refused: Arc<AtomicUsize>,
    accept: tokio::task::JoinHandle<()>,
}

impl Proxy {
    pub async fn start(broker_url: &str) -> Proxy {
        let (prefix, upstream, rest) = split_authority(broker_url);
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("proxy port");
        let address: SocketAddr = listener.local_addr().unwrap();
        let down = Arc::new(AtomicBool::new(false));
        let deaf = Arc::new(AtomicBool::new(false));
        let cuts = Arc::new(watch::channel(0u64).0);
        let refused = Arc::new(AtomicUsize::new(0));
        let accept = tokio::spawn({
            let (down, deaf, cuts, refused) =
                (down.clone(), deaf.clone(), cuts.clone(), refused.clone());
            async move {
                loop {
                    let Ok((inbound, _)) = listener.accept().await else {
                        tokio::time::sleep(Duration::from_millis(10)).await;
                        continue;
                    };
                    // Subscribed before looking at `down`: a cut from now on ends it.
                    let mut cut = cuts.subscribe();
                    cut.borrow_and_update();
                    if down.load(Ordering::SeqCst) {
                        refused.fetch_add(1, Ordering::SeqCst);
                        drop(inbound);
                        continue;
                    }
                    let (upstream, deaf) = (upstream.clone(), deaf.clone());
                    tokio::spawn(async move {
                        let Ok(outbound) = TcpStream::connect(&upstream).await else {
                            return;
                        };
                        tokio::select! {
                            _ = carry(inbound, outbound, &deaf) => {}
                            _ = cut.changed() => {}
                        }
                        // Both ends are dropped, so closed, here.
                    });
                }
            }
        });
        Proxy {
            url: format!("{prefix}{address}{rest}"),
            down,
            deaf,
            cuts,
            refused,
            accept,
        }
    }

    /// Closes every carried connection and refuses new ones until restored.
    pub fn cut(&self) {
        self.down.store(true, Ordering::SeqCst);
        self.cuts.send_modify(|n| *n += 1);
    }

    /// From now on the broker's answers are swallowed.
    pub fn deafen(&self) {
        self.deaf.store(true, Ordering::SeqCst);
    }

    pub fn restore(&self) {
        self.deaf.store(false, Ordering::SeqCst);
        self.down.store(false, Ordering::SeqCst);
    }

    /// How many connections were dropped while cut.
    pub fn refused(&self) -> usize {
        self.refused.load(Ordering::SeqCst)
    }
}

/// Forwards both ways until either side ends; the broker's bytes are dropped while
/// `deaf`.
async fn carry(mut client: TcpStream, mut broker: TcpStream, deaf: &AtomicBool) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (mut client_reads, mut client_writes) = client.split();
    let (mut broker_reads, mut broker_writes) = broker.split();
    let up = tokio::io::copy(&mut client_reads, &mut broker_writes);
    let down = async {
        let mut buffer = vec![0u8; 64 * 1024];
        loop {
            let n = broker_reads.read(&mut buffer).await?;
            if n == 0 {
                return Ok::<(), std::io::Error>(());
            }
            if !deaf.load(Ordering::SeqCst) {
                client_writes.write_all(&buffer[..n]).await?;
            }
        }
    };
    tokio::select! {
        _ = up => {}
        _ = down => {}
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.accept.abort();
        self.cut();
    }
}

/// `amqp://user:pw@host:port/vhost` as (`amqp://user:pw@`, `host:port`, `/vhost`).
fn split_authority(url: &str) -> (String, String, String) {
    let (scheme, rest) = url.split_once("://").expect("a broker URL like amqp://...");
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let (userinfo, host) = match authority.rfind('@') {
        Some(at) => authority.split_at(at + 1),
        None => ("", authority),
    };
    let host = if host
        .rsplit_once(':')
        .is_some_and(|(_, p)| p.parse::<u16>().is_ok())
    {
        host.to_owned()
    } else {
        format!("{host}:5672")
    };
    (format!("{scheme}://{userinfo}"), host, path.to_owned())
}

#[test]
fn splits_a_broker_url_around_its_address() {
    assert_eq!(
        split_authority("amqp://guest:guest@127.0.0.1:5672/%2f"),
        (
            "amqp://guest:guest@".to_owned(),
            "127.0.0.1:5672".to_owned(),
            "/%2f".to_owned()
        )
    );
    assert_eq!(
        split_authority("amqp://localhost"),
        (
            "amqp://".to_owned(),
            "localhost:5672".to_owned(),
            String::new()
        )
    );
}
