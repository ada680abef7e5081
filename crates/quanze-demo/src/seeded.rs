//! The seeded random source and the code builders that use it.

use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

use quanze_core::{CreditCode, ItemId, ListId, ListVersionId, UnitId};

/// A seeded ChaCha stream: the only source of randomness, so one seed gives one output.
pub(crate) struct Gen {
    rng: ChaCha8Rng,
}

impl Gen {
    /// A generator for `seed`; `stream` separates independent parts (one per county in the
    /// province catalogue) so each can be generated on its own and in any order.
    pub(crate) fn new(seed: u64, stream: u64) -> Gen {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(stream);
        Gen { rng }
    }

    /// A random (v4-shaped) UUID drawn from the stream.
    pub(crate) fn uuid(&mut self) -> uuid::Uuid {
        let mut bytes = [0u8; 16];
        self.rng.fill_bytes(&mut bytes);
        uuid::Builder::from_random_bytes(bytes).into_uuid()
    }

    pub(crate) fn unit_id(&mut self) -> UnitId {
        UnitId::from_uuid(self.uuid())
    }

    pub(crate) fn item_id(&mut self) -> ItemId {
        ItemId::from_uuid(self.uuid())
    }

    pub(crate) fn list_id(&mut self) -> ListId {
        ListId::from_uuid(self.uuid())
    }

    pub(crate) fn version_id(&mut self) -> ListVersionId {
        ListVersionId::from_uuid(self.uuid())
    }

    /// A number in `lo..=hi`.
    pub(crate) fn range(&mut self, lo: u32, hi: u32) -> u32 {
        self.rng.random_range(lo..=hi)
    }

    /// An index below `n` (`n > 0`).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        self.rng.random_range(0..n)
    }

    /// True with probability `p`.
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        self.rng.random_bool(p)
    }

    /// `n` decimal digits.
    pub(crate) fn digits(&mut self, n: usize) -> String {
        (0..n).map(|_| char::from(b'0' + self.rng.random_range(0..10u8))).collect()
    }

    /// Fisher–Yates shuffle driven by this stream.
    pub(crate) fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.rng.random_range(0..=i);
            items.swap(i, j);
        }
    }

    /// A unified social credit code for a government body in `region6`: 1 (机构编制) + 1 (机关)
    /// + the region + a random 组织机构代码 with its GB 11714 check character.
    pub(crate) fn gov_credit_code(&mut self, region6: &str) -> CreditCode {
        let org_body = self.digits(8);
        let org_check = org_code_check(&org_body).expect("a body of digits always has a check");
        let body = format!("11{region6}{org_body}{org_check}");
        CreditCode::with_check(&body).expect("digits and X are in the credit code alphabet")
    }
}

/// The GB 11714 check character of an 8-character 组织机构代码 body: weights 3 7 9 10 5 8 4 2,
/// C9 = 11 − (Σ mod 11), 10 → X, 11 → 0.
pub(crate) fn org_code_check(body: &str) -> Option<char> {
    const WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];
    if body.chars().count() != 8 {
        return None;
    }
    let mut sum = 0;
    for (ch, w) in body.chars().zip(WEIGHTS) {
        sum += ch.to_digit(36)? * w;
    }
    Some(match 11 - sum % 11 {
        10 => 'X',
        11 => '0',
        d => char::from_digit(d, 10).expect("below 10"),
    })
}

/// A 3-character code segment: decimal below 1000, base 36 above (the segment allows
/// `[0-9A-Z]`), so a department with more than 999 main items still gets valid codes.
pub(crate) fn segment3(n: u32) -> String {
    if n < 1000 {
        return format!("{n:03}");
    }
    let digits = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut n = n.min(36 * 36 * 36 - 1);
    let mut out = [b'0'; 3];
    for slot in out.iter_mut().rev() {
        *slot = digits[(n % 36) as usize];
        n /= 36;
    }
    String::from_utf8(out.to_vec()).expect("ASCII digits")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn org_code_check_matches_known_codes() {
        // 11321281014422781F embeds the organisation code 01442278-1.
        assert_eq!(org_code_check("01442278"), Some('1'));
        // 11110000660504319Y embeds 66050431-9.
        assert_eq!(org_code_check("66050431"), Some('9'));
    }

    #[test]
    fn segments_stay_three_characters() {
        assert_eq!(segment3(7), "007");
        assert_eq!(segment3(999), "999");
        assert_eq!(segment3(1000).len(), 3);
    }
}
