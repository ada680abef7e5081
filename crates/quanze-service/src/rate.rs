//! 限流 — rate limits on writes (issue 17: per source and per account, with 429): every write
//! from one address, the writes of callers without credentials from one address, and the
//! writes of one signed-in caller (its token or web session), each a GCRA bucket (the
//! `governor` crate) refilled evenly over a minute with a burst of a quarter of it.
//!
//! Sign-ins are not counted here: they have their own throttle
//! ([`quanze_core::account::throttle`]), which counts failures rather than attempts.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use governor::{DefaultKeyedRateLimiter, Quota};

use crate::error::{ErrorCode, ServiceError, ServiceResult};

/// 限流策略 — writes allowed per minute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriteLimits {
    /// Every write from one address (an office behind one NAT shares it).
    pub per_address: u32,
    /// Writes without credentials (applications, comments, ratings, complaints) from one
    /// address.
    pub anonymous_per_address: u32,
    /// Writes of one signed-in caller (one token or web session).
    pub per_caller: u32,
}

impl Default for WriteLimits {
    fn default() -> WriteLimits {
        WriteLimits { per_address: 1_200, anonymous_per_address: 60, per_caller: 600 }
    }
}

/// Who is writing, as the web layer sees the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Writer {
    /// The client's address, if known.
    pub source: Option<IpAddr>,
    /// A key of the credentials presented (the SM3 of a bearer token or a session id), or
    /// `None` for an anonymous caller.
    pub caller: Option<String>,
}

pub(crate) struct WriteRates {
    per_address: DefaultKeyedRateLimiter<IpAddr>,
    anonymous: DefaultKeyedRateLimiter<IpAddr>,
    per_caller: DefaultKeyedRateLimiter<String>,
    checks: std::sync::atomic::AtomicU64,
}

fn quota(per_minute: u32) -> Quota {
    let per_minute = NonZeroU32::new(per_minute.max(1)).expect("at least one");
    let burst = NonZeroU32::new((per_minute.get() / 4).max(1)).expect("at least one");
    Quota::per_minute(per_minute).allow_burst(burst)
}

impl WriteRates {
    pub(crate) fn new(limits: WriteLimits) -> WriteRates {
        WriteRates {
            per_address: DefaultKeyedRateLimiter::keyed(quota(limits.per_address)),
            anonymous: DefaultKeyedRateLimiter::keyed(quota(limits.anonymous_per_address)),
            per_caller: DefaultKeyedRateLimiter::keyed(quota(limits.per_caller)),
            checks: std::sync::atomic::AtomicU64::new(0),
        }
    }

    /// Counts a write; how long to wait when one of its buckets is empty.
    fn check(&self, writer: &Writer) -> Result<(), Duration> {
        use governor::clock::{Clock as _, DefaultClock};
        // Buckets that filled up again are forgotten now and then, so the maps stay small.
        if self.checks.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % 4096 == 4095 {
            self.per_address.retain_recent();
            self.anonymous.retain_recent();
            self.per_caller.retain_recent();
        }
        let now = DefaultClock::default().now();
        let source = writer.source.map(quanze_core::account::throttle::source_key);
        if let Some(ip) = source {
            self.per_address.check_key(&ip).map_err(|n| n.wait_time_from(now))?;
        }
        match (&writer.caller, source) {
            (Some(caller), _) => {
                self.per_caller.check_key(caller).map_err(|n| n.wait_time_from(now))
            }
            (None, Some(ip)) => self.anonymous.check_key(&ip).map_err(|n| n.wait_time_from(now)),
            (None, None) => Ok(()),
        }
    }
}

impl crate::Service {
    /// 限流 — counts a write against the limits of its address and caller; refused with
    /// `429 rate_limited` (and how long to wait) when one is spent.
    pub fn check_write_rate(&self, writer: &Writer) -> ServiceResult<()> {
        self.write_rates.check(writer).map_err(|wait| {
            let seconds = wait.as_secs() + 1;
            ServiceError::RateLimited(seconds)
        })
    }
}

/// The refusal's message.
pub(crate) fn zh(seconds: u64) -> String {
    format!("提交过于频繁，请 {seconds} 秒后再试")
}

/// The error code of a spent limit.
pub(crate) const CODE: ErrorCode = ErrorCode::RateLimited;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_anonymous_flood_waits_and_neither_a_signed_in_caller_nor_another_address_does() {
        let rates = WriteRates::new(WriteLimits {
            per_address: 600,
            anonymous_per_address: 60,
            per_caller: 120,
        });
        let flood = Writer { source: Some([203, 0, 113, 9].into()), caller: None };
        let burst = (0..100).take_while(|_| rates.check(&flood).is_ok()).count();
        assert_eq!(burst, 15, "a burst of a quarter of a minute's writes");
        let wait = rates.check(&flood).unwrap_err();
        assert!(wait <= Duration::from_secs(1), "{wait:?}: one write a second comes back");
        let clerk = Writer { source: Some([203, 0, 113, 9].into()), caller: Some("a".into()) };
        assert!(rates.check(&clerk).is_ok(), "the same office's signed-in clerk is not held up");
        let other = Writer { source: Some([198, 51, 100, 1].into()), caller: None };
        assert!(rates.check(&other).is_ok());
        // A signed-in caller has a bucket of its own.
        let busy = (0..100).take_while(|_| rates.check(&clerk).is_ok()).count();
        assert_eq!(busy, 29, "thirty in all (one was spent above)");
        // One IPv6 subscriber is one address.
        let v6 = |last: u16| Writer {
            source: Some(std::net::Ipv6Addr::new(0x2001, 0xdb8, 0, 1, 0, 0, 0, last).into()),
            caller: None,
        };
        let spread = (0..100u16).take_while(|i| rates.check(&v6(*i)).is_ok()).count();
        assert_eq!(spread, 15, "a /64 counts as one address");
    }
}
