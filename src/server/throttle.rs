//! Slows password guessing on the login page and through HTTP Basic on the API.
//!
//! Failed password checks are counted per account (the name as typed, known or not) and
//! per client address by `governor`'s keyed GCRA limiters: with the defaults an account
//! may fail 5 times and an address 20 times per 15 minutes, each failure's "cell" coming
//! back after a fifth (a twentieth) of the window. The failure that uses the last cell
//! starts a lockout; while it lasts every attempt for that account or from that address
//! is refused before anything is looked up or hashed. The small layer on top of governor
//! (the [`Book`]s) remembers lockouts and makes each repeated one twice as long (up to a
//! cap); it also lets a success wipe an account's failures, which governor cannot do for
//! a key, by moving the account to a fresh key (its `generation`).
//!
//! State is in memory, per process: a restart forgets it, and several nodes count apart.

use super::config::Config;
use governor::clock::{Clock, MonotonicClock, Reference};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::HashMapStateStore;
use governor::{Quota, RateLimiter};
use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::Duration;

/// How many failures start a lockout, and how long lockouts last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Failures of one account within `window` that start a lockout.
    pub account_failures: NonZeroU32,
    /// Failures from one client address within `window` that start a lockout.
    pub address_failures: NonZeroU32,
    pub window: Duration,
    /// The first lockout; each repeated one lasts twice as long as the one before.
    pub first_lockout: Duration,
    pub longest_lockout: Duration,
}

/// After this long without a failure or a lockout, an account or address starts afresh.
const FORGET_AFTER: Duration = Duration::from_secs(24 * 3600);

impl Policy {
    pub fn of(config: &Config) -> Policy {
        let at_least_one = |n: u32| NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN);
        let first_lockout = Duration::from_secs(config.lockout_seconds.into());
        Policy {
            account_failures: at_least_one(config.login_failures),
            address_failures: at_least_one(config.address_failures),
            window: Duration::from_secs(u64::from(config.login_window_minutes) * 60),
            first_lockout,
            longest_lockout: first_lockout.max(Duration::from_secs(3600)),
        }
    }

    /// The `strikes`-th lockout in a row: the first, doubled each time, capped.
    fn lockout(&self, strikes: u32) -> Duration {
        let factor = 2u32.saturating_pow(strikes.saturating_sub(1).min(20));
        self.first_lockout
            .saturating_mul(factor)
            .min(self.longest_lockout)
    }

    fn quota(&self, failures: NonZeroU32) -> Quota {
        let period = (self.window / failures.get()).max(Duration::from_millis(1));
        Quota::with_period(period)
            .expect("the period is not zero")
            .allow_burst(failures)
    }
}

/// A refusal: the account or address is locked out for `retry_after` more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Locked {
    pub retry_after: Duration,
}

impl Locked {
    /// Whole seconds, rounded up, for `Retry-After`.
    pub fn seconds(&self) -> u64 {
        let whole = self.retry_after.as_secs();
        if self.retry_after.subsec_nanos() > 0 {
            whole + 1
        } else {
            whole.max(1)
        }
    }
}

/// Lockouts that one failure started (for the audit trail).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Started {
    pub account: Option<Duration>,
    pub address: Option<Duration>,
}

/// What the layer on top of governor remembers of one account or address.
#[derive(Debug, Clone, Copy)]
struct Book<I> {
    /// The account's key in governor is (name, generation); a success moves it on.
    generation: u64,
    last_failure: I,
    /// Lockouts in a row.
    strikes: u32,
    locked_until: Option<I>,
}

impl<I: Reference> Book<I> {
    fn new(now: I) -> Self {
        Book {
            generation: 0,
            last_failure: now,
            strikes: 0,
            locked_until: None,
        }
    }

    fn remaining(&self, now: I) -> Option<Duration> {
        self.locked_until
            .filter(|until| *until > now)
            .map(|until| until.duration_since(now).into())
    }

    /// Nothing left to remember: governor's cells for it are back (`window` since the
    /// last failure) and no lockout for a day.
    fn forgotten(&self, now: I, window: Duration) -> bool {
        let cells_back = now.duration_since(self.last_failure) >= window.into();
        let lockouts_past = match self.locked_until {
            Some(until) => now.duration_since(until) >= FORGET_AFTER.into(),
            None => true,
        };
        cells_back && (self.strikes == 0 || lockouts_past)
    }

    /// Counts one failure whose governor check said `exhausted`; the lockout it starts.
    fn fail(&mut self, now: I, exhausted: bool, policy: &Policy) -> Option<Duration> {
        self.last_failure = now;
        if !exhausted {
            return None;
        }
        self.strikes = self.strikes.saturating_add(1);
        let lockout = policy.lockout(self.strikes);
        self.locked_until = Some(now + lockout.into());
        Some(lockout)
    }
}

type Limiter<K, C> = RateLimiter<K, HashMapStateStore<K>, C, StateInformationMiddleware>;

#[derive(Default)]
struct Books<I> {
    accounts: HashMap<String, Book<I>>,
    addresses: HashMap<IpAddr, Book<I>>,
}

/// The failure counters of one server.
pub struct Throttle<C: Clock = MonotonicClock> {
    policy: Policy,
    clock: C,
    accounts: Limiter<(String, u64), C>,
    addresses: Limiter<IpAddr, C>,
    books: Mutex<Books<C::Instant>>,
}

/// Names longer than a user name can be count as one account: the key stays small.
fn account_key(account: &str) -> String {
    account
        .trim()
        .chars()
        .take(64)
        .collect::<String>()
        .to_lowercase()
}

/// Whether governor refused this failure or it used the last cell.
fn exhausted<E>(outcome: Result<governor::middleware::StateSnapshot, E>) -> bool {
    match outcome {
        Ok(snapshot) => snapshot.remaining_burst_capacity() == 0,
        Err(_) => true,
    }
}

impl Throttle<MonotonicClock> {
    pub fn new(policy: Policy) -> Self {
        Self::with_clock(policy, MonotonicClock)
    }
}

impl<C: Clock + Clone> Throttle<C> {
    pub fn with_clock(policy: Policy, clock: C) -> Self {
        fn limiter<K: Hash + Eq + Clone, C: Clock>(quota: Quota, clock: C) -> Limiter<K, C> {
            RateLimiter::hashmap_with_clock(quota, clock)
                .with_middleware::<StateInformationMiddleware>()
        }
        Throttle {
            accounts: limiter(policy.quota(policy.account_failures), clock.clone()),
            addresses: limiter(policy.quota(policy.address_failures), clock.clone()),
            clock: clock.clone(),
            policy,
            books: Mutex::new(Books {
                accounts: HashMap::new(),
                addresses: HashMap::new(),
            }),
        }
    }

    fn books(&self) -> std::sync::MutexGuard<'_, Books<C::Instant>> {
        // A panic while holding the lock leaves only counters behind: keep using them.
        self.books
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Before any password hashing: refused while the account or the address is locked.
    pub fn check(&self, account: &str, address: IpAddr) -> Result<(), Locked> {
        let now = self.clock.now();
        let books = self.books();
        let remaining = [
            books
                .accounts
                .get(&account_key(account))
                .and_then(|b| b.remaining(now)),
            books.addresses.get(&address).and_then(|b| b.remaining(now)),
        ]
        .into_iter()
        .flatten()
        .max();
        match remaining {
            Some(retry_after) => Err(Locked { retry_after }),
            None => Ok(()),
        }
    }

    /// Counts a wrong password (or unknown account); says which lockouts it started.
    pub fn failed(&self, account: &str, address: IpAddr) -> Started {
        let now = self.clock.now();
        let window = self.policy.window;
        let mut books = self.books();
        let key = account_key(account);
        let book = books
            .accounts
            .entry(key.clone())
            .or_insert_with(|| Book::new(now));
        if book.forgotten(now, window) {
            *book = Book::new(now);
        }
        let spent = exhausted(self.accounts.check_key(&(key, book.generation)));
        let account = book.fail(now, spent, &self.policy);
        let book = books
            .addresses
            .entry(address)
            .or_insert_with(|| Book::new(now));
        if book.forgotten(now, window) {
            *book = Book::new(now);
        }
        let spent = exhausted(self.addresses.check_key(&address));
        let address = book.fail(now, spent, &self.policy);
        Started { account, address }
    }

    /// A right password: the account's failures and lockouts are wiped (the address's
    /// are not, or one's own account would reset a guessing run).
    pub fn succeeded(&self, account: &str) {
        if let Some(book) = self.books().accounts.get_mut(&account_key(account)) {
            book.generation += 1;
            book.strikes = 0;
            book.locked_until = None;
        }
    }

    /// Drops what no longer matters; call now and then.
    pub fn prune(&self) {
        let now = self.clock.now();
        let window = self.policy.window;
        {
            let mut books = self.books();
            books.accounts.retain(|_, b| !b.forgotten(now, window));
            books.addresses.retain(|_, b| !b.forgotten(now, window));
            books.accounts.shrink_to_fit();
            books.addresses.shrink_to_fit();
        }
        self.accounts.retain_recent();
        self.addresses.retain_recent();
        self.accounts.shrink_to_fit();
        self.addresses.shrink_to_fit();
    }

    #[cfg(test)]
    fn remembered(&self) -> (usize, usize) {
        let books = self.books();
        (books.accounts.len(), books.addresses.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use governor::clock::FakeRelativeClock;

    fn policy() -> Policy {
        Policy {
            account_failures: NonZeroU32::new(5).unwrap(),
            address_failures: NonZeroU32::new(20).unwrap(),
            window: Duration::from_secs(15 * 60),
            first_lockout: Duration::from_secs(60),
            longest_lockout: Duration::from_secs(3600),
        }
    }

    fn here() -> IpAddr {
        IpAddr::from([192, 0, 2, 1])
    }

    #[test]
    fn the_fifth_failure_locks_the_account_and_repeated_lockouts_double() {
        let clock = FakeRelativeClock::default();
        let throttle = Throttle::with_clock(policy(), clock.clone());
        for _ in 0..4 {
            assert_eq!(throttle.failed("alice", here()), Started::default());
            assert!(throttle.check("alice", here()).is_ok());
        }
        let started = throttle.failed("Alice", here());
        assert_eq!(started.account, Some(Duration::from_secs(60)));
        assert_eq!(started.address, None);
        let locked = throttle.check("alice", here()).unwrap_err();
        assert_eq!(locked.seconds(), 60);
        // Another address is refused too: the account is locked, wherever from.
        assert!(throttle
            .check("alice", IpAddr::from([192, 0, 2, 9]))
            .is_err());
        clock.advance(Duration::from_secs(30));
        assert_eq!(throttle.check("alice", here()).unwrap_err().seconds(), 30);
        clock.advance(Duration::from_secs(31));
        assert!(throttle.check("alice", here()).is_ok());
        // No cell has come back yet: the next failure locks again, twice as long.
        let started = throttle.failed("alice", here());
        assert_eq!(started.account, Some(Duration::from_secs(120)));
        clock.advance(Duration::from_secs(121));
        assert_eq!(
            throttle.failed("alice", here()).account,
            Some(Duration::from_secs(240))
        );
        // Each later run of failures locks twice as long as the one before, up to an hour.
        for _ in 0..10 {
            clock.advance(Duration::from_secs(3601));
            let mut tries = 0;
            while throttle.failed("alice", here()).account.is_none() {
                tries += 1;
                assert!(tries < 5, "a full bucket is 5 failures");
            }
        }
        assert_eq!(
            throttle.check("alice", here()).unwrap_err().seconds(),
            3600,
            "capped"
        );
    }

    #[test]
    fn a_success_wipes_the_accounts_failures_but_not_the_addresss() {
        let clock = FakeRelativeClock::default();
        let throttle = Throttle::with_clock(policy(), clock.clone());
        for _ in 0..4 {
            throttle.failed("bob", here());
        }
        throttle.succeeded("bob");
        for _ in 0..4 {
            assert_eq!(throttle.failed("bob", here()).account, None);
        }
        assert!(throttle.failed("bob", here()).account.is_some());
        // The address has seen 9 failures: 11 more of any account lock it.
        for n in 0..11 {
            let started = throttle.failed(&format!("user{n}"), here());
            assert_eq!(started.address.is_some(), n == 10, "{n}");
        }
        throttle.succeeded("user1");
        let locked = throttle.check("someone-else", here()).unwrap_err();
        assert_eq!(locked.seconds(), 60);
        assert!(throttle
            .check("someone-else", IpAddr::from([192, 0, 2, 2]))
            .is_ok());
    }

    #[test]
    fn failures_are_forgotten_once_their_cells_are_back() {
        let clock = FakeRelativeClock::default();
        let throttle = Throttle::with_clock(policy(), clock.clone());
        for _ in 0..4 {
            throttle.failed("carol", here());
        }
        // One cell comes back each 3 minutes: after 3, one more failure is allowed ...
        clock.advance(Duration::from_secs(181));
        assert_eq!(throttle.failed("carol", here()).account, None);
        assert!(throttle.failed("carol", here()).account.is_some());
        assert_eq!(throttle.remembered(), (1, 1));
        // ... and a day after the lockout nothing is left.
        clock.advance(Duration::from_secs(24 * 3600 + 61));
        throttle.prune();
        assert_eq!(throttle.remembered(), (0, 0));
        for _ in 0..4 {
            assert_eq!(throttle.failed("carol", here()).account, None);
        }
        assert_eq!(
            throttle.failed("carol", here()).account,
            Some(Duration::from_secs(60)),
            "a first lockout again"
        );
    }

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        let locked = |ms| Locked {
            retry_after: Duration::from_millis(ms),
        };
        assert_eq!(locked(1).seconds(), 1);
        assert_eq!(locked(1000).seconds(), 1);
        assert_eq!(locked(1001).seconds(), 2);
        assert_eq!(locked(0).seconds(), 1);
    }
}
