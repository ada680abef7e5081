//! 登录限速 — failed sign-ins slowed down per source address and per account name, with delays
//! that grow with each failure, so that guessing is slow and a stranger cannot lock anybody out
//! (等保 2.0 GB/T 22239-2019 §8.1.4.1 b: 登录失败处理功能，应配置并启用结束会话、限制非法登录
//! 次数和当登录连接超时自动退出等相关措施).
//!
//! - A source address gets `source_free` failures in a window; each further one doubles its
//!   wait (1 s, 2 s, 4 s … up to `max_delay`). A waiting source is refused before any password
//!   is checked, so a flood from one address costs no hashing and slows nobody else.
//! - An account name gets `account_free` failures; each further one doubles its wait from
//!   15 s up to `max_delay`. The wait does not apply to an address this account has signed in
//!   from before (smart lockout): the owner at their usual desk is never locked out by someone
//!   else's guesses. Unknown names are counted alike, so a wait tells nothing about which
//!   accounts exist.
//!
//! Nothing here is stored: a restart forgets the tallies (the failures are in the ledger). The
//! tallies are bounded: past `MAX_TALLIES`, entries whose wait and window are over are dropped.

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;

use chrono::{DateTime, Duration, Utc};

/// The most tallies kept of each kind before old ones are dropped.
const MAX_TALLIES: usize = 100_000;

/// The most addresses remembered as familiar per account.
const MAX_FAMILIAR: usize = 16;

/// The address a tally counts: an IPv4 address itself, an IPv6 address by its /64 (one
/// subscriber's network, whose 2^64 addresses would otherwise each get their own free tries).
pub fn source_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => {
            let network = u128::from(v6) & !((1u128 << 64) - 1);
            IpAddr::V6(std::net::Ipv6Addr::from(network))
        }
    }
}

/// How sign-ins are slowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottlePolicy {
    /// Failures an address may make in a window before it waits.
    pub source_free: u32,
    /// Failures an account name may take before unfamiliar addresses wait.
    pub account_free: u32,
    /// The longest wait.
    pub max_delay: Duration,
    /// A tally with no failure for this long starts again.
    pub window: Duration,
}

impl Default for ThrottlePolicy {
    fn default() -> ThrottlePolicy {
        ThrottlePolicy {
            source_free: 10,
            account_free: 5,
            max_delay: Duration::minutes(30),
            window: Duration::minutes(15),
        }
    }
}

/// Who must wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Waiting {
    /// The address the attempt comes from.
    Source,
    /// The account name, from an address it has not signed in from.
    Account,
}

/// An attempt refused before its password is checked: who waits, and until when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttled {
    /// Who must wait.
    pub who: Waiting,
    /// Until this instant.
    pub until: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy)]
struct Tally {
    failures: u32,
    last: DateTime<Utc>,
    wait_until: Option<DateTime<Utc>>,
}

/// 登录限速器 — the tallies of failed sign-ins.
#[derive(Debug, Default)]
pub struct SignInThrottle {
    policy: ThrottlePolicy,
    sources: HashMap<IpAddr, Tally>,
    accounts: HashMap<String, Tally>,
    familiar: HashMap<String, HashSet<IpAddr>>,
}

impl SignInThrottle {
    /// A throttle under `policy`.
    pub fn new(policy: ThrottlePolicy) -> SignInThrottle {
        SignInThrottle { policy, ..SignInThrottle::default() }
    }

    /// The policy.
    pub fn policy(&self) -> ThrottlePolicy {
        self.policy
    }

    /// Whether an attempt for `account` from `source` may go on to its password now.
    pub fn check(
        &self,
        account: &str,
        source: Option<IpAddr>,
        now: DateTime<Utc>,
    ) -> Result<(), Throttled> {
        let source = source.map(source_key);
        let waiting = |t: Option<&Tally>| t.and_then(|t| t.wait_until).filter(|u| *u > now);
        if let Some(until) = waiting(source.and_then(|s| self.sources.get(&s))) {
            return Err(Throttled { who: Waiting::Source, until });
        }
        let familiar =
            source.is_some_and(|s| self.familiar.get(account).is_some_and(|f| f.contains(&s)));
        match waiting(self.accounts.get(account)) {
            Some(until) if !familiar => Err(Throttled { who: Waiting::Account, until }),
            _ => Ok(()),
        }
    }

    /// Begins an attempt: refused if `account` or `source` must wait, else counted at once as
    /// a failure, so that attempts racing each other are all counted before any is decided
    /// (a sign-in then takes its count back: [`SignInThrottle::succeeded`]).
    pub fn attempt(
        &mut self,
        account: &str,
        source: Option<IpAddr>,
        now: DateTime<Utc>,
    ) -> Result<(), Throttled> {
        self.check(account, source, now)?;
        self.failed(account, source, now);
        Ok(())
    }

    /// Records a failed attempt (a wrong password, or an unknown name).
    pub fn failed(&mut self, account: &str, source: Option<IpAddr>, now: DateTime<Utc>) {
        let policy = self.policy;
        if let Some(source) = source.map(source_key) {
            let tally = bump(&mut self.sources, source, now, policy.window);
            tally.wait_until =
                delay(tally.failures, policy.source_free, Duration::seconds(1), policy)
                    .map(|d| now + d);
        }
        let tally = bump(&mut self.accounts, account.to_owned(), now, policy.window);
        tally.wait_until =
            delay(tally.failures, policy.account_free, Duration::seconds(15), policy)
                .map(|d| now + d);
        if self.sources.len() > MAX_TALLIES || self.accounts.len() > MAX_TALLIES {
            self.prune(now);
        }
    }

    /// Records a sign-in begun with [`SignInThrottle::attempt`]: the account's tally ends, the
    /// address takes back the one failure the attempt counted (its earlier failures stand, so a
    /// guesser holding one account of their own cannot clear their address's tally with it), and
    /// `source` becomes familiar to the account.
    pub fn succeeded(&mut self, account: &str, source: Option<IpAddr>) {
        self.accounts.remove(account);
        if let Some(source) = source.map(source_key) {
            let free = self.policy.source_free;
            if let Some(tally) = self.sources.get_mut(&source) {
                tally.failures = tally.failures.saturating_sub(1);
                if tally.failures <= free {
                    tally.wait_until = None;
                }
            }
            let familiar = self.familiar.entry(account.to_owned()).or_default();
            if familiar.len() < MAX_FAMILIAR {
                familiar.insert(source);
            }
        }
    }

    /// Records an attempt begun with [`SignInThrottle::attempt`] whose password was right and
    /// which goes on to a second factor: the account and the address take back the one failure
    /// the attempt counted, but the account's earlier failures stand and the address does not
    /// become familiar until the second factor is given ([`SignInThrottle::succeeded`]).
    pub fn password_right(&mut self, account: &str, source: Option<IpAddr>) {
        // The attempt passed its check, so no wait was in force before it: the wait its own
        // count started goes with the count.
        let take_back = |tally: &mut Tally| {
            tally.failures = tally.failures.saturating_sub(1);
            tally.wait_until = None;
        };
        if let Some(tally) = self.accounts.get_mut(account) {
            take_back(tally);
        }
        if let Some(tally) = source.map(source_key).and_then(|s| self.sources.get_mut(&s)) {
            take_back(tally);
        }
    }

    /// An administrator's unlock: the account's wait ends.
    pub fn release(&mut self, account: &str) {
        self.accounts.remove(account);
    }

    fn prune(&mut self, now: DateTime<Utc>) {
        let window = self.policy.window;
        let live = |t: &Tally| t.wait_until.is_some_and(|u| u > now) || t.last + window > now;
        self.sources.retain(|_, t| live(t));
        self.accounts.retain(|_, t| live(t));
    }
}

/// The tally of `key`, one failure more (a tally idle past the window starts again).
fn bump<K: std::hash::Hash + Eq>(
    map: &mut HashMap<K, Tally>,
    key: K,
    now: DateTime<Utc>,
    window: Duration,
) -> &mut Tally {
    let tally = map.entry(key).or_insert(Tally { failures: 0, last: now, wait_until: None });
    let waited_out = tally.wait_until.is_none_or(|u| u <= now);
    if tally.last + window <= now && waited_out {
        tally.failures = 0;
    }
    tally.failures += 1;
    tally.last = now;
    tally
}

/// The wait after `failures` failures when `free` are free: `first`, doubled with each one
/// more, up to the policy's longest.
fn delay(failures: u32, free: u32, first: Duration, policy: ThrottlePolicy) -> Option<Duration> {
    let over = failures.checked_sub(free).filter(|n| *n > 0)?;
    let factor = 1i64.checked_shl(over.saturating_sub(1).min(30)).unwrap_or(i64::MAX);
    Some(first.checked_mul(factor as i32).unwrap_or(policy.max_delay).min(policy.max_delay))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + seconds, 0).unwrap()
    }

    fn ip(last: u8) -> Option<IpAddr> {
        Some(IpAddr::from([10, 0, 0, last]))
    }

    #[test]
    fn a_flooding_address_waits_longer_each_time_and_nobody_else_does() {
        let policy = ThrottlePolicy { account_free: 1000, ..ThrottlePolicy::default() };
        let mut t = SignInThrottle::new(policy);
        for i in 0..10 {
            assert_eq!(t.check(&format!("u{i}"), ip(1), at(0)), Ok(()));
            t.failed(&format!("u{i}"), ip(1), at(0));
        }
        // The eleventh failure: one second; the twelfth: two.
        assert_eq!(t.check("u10", ip(1), at(0)), Ok(()));
        t.failed("u10", ip(1), at(0));
        let w = t.check("x", ip(1), at(0)).unwrap_err();
        assert_eq!((w.who, w.until), (Waiting::Source, at(1)));
        t.failed("u11", ip(1), at(1));
        assert_eq!(t.check("x", ip(1), at(2)).unwrap_err().until, at(3));
        assert_eq!(t.check("x", ip(2), at(2)), Ok(()), "another address is not slowed");
        for i in 0..40 {
            t.failed("u", ip(1), at(10 + i));
        }
        let w = t.check("x", ip(1), at(60)).unwrap_err();
        assert_eq!(w.until, at(49) + Duration::minutes(30), "capped at the longest wait");
    }

    #[test]
    fn guesses_at_an_account_never_lock_out_its_owner_at_a_familiar_address() {
        let mut t = SignInThrottle::new(ThrottlePolicy::default());
        t.succeeded("admin", ip(7));
        // Five strangers' guesses are free; the sixth makes unfamiliar addresses wait 15 s.
        for i in 0..6 {
            t.failed("admin", ip(100 + i), at(0));
        }
        let w = t.check("admin", ip(200), at(0)).unwrap_err();
        assert_eq!((w.who, w.until), (Waiting::Account, at(15)));
        assert_eq!(t.check("admin", ip(7), at(0)), Ok(()), "the owner's usual address");
        assert_eq!(t.check("admin", None, at(0)).unwrap_err().who, Waiting::Account);
        assert_eq!(t.check("admin", ip(200), at(15)), Ok(()), "the wait is over");
        t.failed("admin", ip(101), at(16));
        assert_eq!(t.check("admin", ip(200), at(16)).unwrap_err().until, at(46), "doubled");
        // An unknown name is slowed the same way, so a wait tells nothing.
        for i in 0..6 {
            t.failed("nobody", ip(100 + i), at(0));
        }
        assert_eq!(t.check("nobody", ip(200), at(0)).unwrap_err().who, Waiting::Account);
        // The owner signs in: the account's tally ends; an administrator can end it too.
        t.succeeded("admin", ip(7));
        assert_eq!(t.check("admin", ip(200), at(17)), Ok(()));
        t.release("nobody");
        assert_eq!(t.check("nobody", ip(200), at(1)), Ok(()));
    }

    #[test]
    fn racing_attempts_are_all_counted_and_a_sign_in_does_not_clear_its_address() {
        let mut t =
            SignInThrottle::new(ThrottlePolicy { source_free: 1000, ..ThrottlePolicy::default() });
        // Six attempts begun together, none decided yet: the sixth must wait.
        for _ in 0..6 {
            t.attempt("admin", ip(9), at(0)).unwrap();
        }
        assert_eq!(t.attempt("admin", ip(9), at(0)).unwrap_err().who, Waiting::Account);
        // A guesser's own account signs in from the same address: its earlier failures stand.
        let mut t =
            SignInThrottle::new(ThrottlePolicy { account_free: 1000, ..ThrottlePolicy::default() });
        for i in 0..10 {
            t.attempt(&format!("u{i}"), ip(9), at(0)).unwrap();
        }
        t.attempt("mine", ip(9), at(0)).unwrap();
        t.succeeded("mine", ip(9));
        t.attempt("u11", ip(9), at(0)).unwrap();
        assert_eq!(t.check("u12", ip(9), at(0)).unwrap_err().who, Waiting::Source, "still counted");
    }

    #[test]
    fn an_ipv6_network_is_one_source() {
        let mut t =
            SignInThrottle::new(ThrottlePolicy { account_free: 1000, ..ThrottlePolicy::default() });
        let host = |last: u16| Some(IpAddr::from([0x2001, 0xdb8, 0, 7, 0, 0, 0, last]));
        for i in 0..11 {
            t.attempt(&format!("u{i}"), host(i as u16), at(0)).unwrap();
        }
        assert_eq!(t.check("x", host(999), at(0)).unwrap_err().who, Waiting::Source, "same /64");
        let next_network = Some(IpAddr::from([0x2001, 0xdb8, 0, 8, 0, 0, 0, 1]));
        assert_eq!(t.check("x", next_network, at(0)), Ok(()));
        assert_eq!(source_key(IpAddr::from([10, 0, 0, 1])), IpAddr::from([10, 0, 0, 1]));
    }

    #[test]
    fn a_quiet_window_starts_the_count_again() {
        let mut t = SignInThrottle::new(ThrottlePolicy::default());
        for _ in 0..5 {
            t.failed("clerk", ip(1), at(0));
        }
        t.failed("clerk", ip(1), at(16 * 60));
        assert_eq!(t.check("clerk", ip(2), at(16 * 60)), Ok(()), "one failure after the window");
    }

    #[test]
    fn a_right_password_awaiting_its_second_factor_costs_nothing_but_earns_no_trust() {
        let mut t = SignInThrottle::new(ThrottlePolicy::default());
        // Forty two-step sign-ins from one office address: none leaves a failure behind.
        for i in 0..40 {
            t.attempt("admin", ip(7), at(i)).unwrap();
            t.password_right("admin", ip(7));
        }
        assert_eq!(t.check("admin", ip(7), at(40)), Ok(()));
        // The address is not familiar until a second factor was given: a stranger's guesses
        // still make it wait like any other.
        for i in 0..6 {
            t.failed("admin", ip(9), at(41 + i));
        }
        assert_eq!(t.check("admin", ip(7), at(47)).unwrap_err().who, Waiting::Account);
        t.succeeded("admin", ip(7));
        assert_eq!(t.check("admin", ip(7), at(48)), Ok(()));
    }
}
