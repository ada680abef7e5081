//! 流式校验 — recomputing roots from leaves fed one by one, in memory independent of their count.
//!
//! A [`CompactRange`] keeps only the roots of the perfect subtrees that make up the leaves
//! seen so far (one per set bit of the count, at most 64 hashes), so a verifier can replay
//! a log of any length and compare the roots it computes with stored or signed ones.

use crate::hash::{Hash, HashAlg};
use crate::tree::NodeId;

/// 紧凑范围 — the frontier of a tree: the roots of its perfect subtrees, largest first.
#[derive(Debug, Clone)]
pub struct CompactRange {
    alg: HashAlg,
    size: u64,
    /// Perfect subtree roots, left to right; the i-th covers the i-th set bit of `size`,
    /// counting from the most significant.
    frontier: Vec<Hash>,
}

/// A root recomputed from leaves differed from the one it was checked against.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StreamError {
    /// The recomputed root at `size` differs from the expected one.
    #[error("root at size {size} is {computed}, expected {expected}")]
    RootMismatch {
        /// Tree size at which the roots were compared.
        size: u64,
        /// The root the caller expected.
        expected: Hash,
        /// The root recomputed from the leaves.
        computed: Hash,
    },
    /// Fewer leaves were fed than an expected root needs.
    #[error("stream ended at {size} leaves, before the expected root at size {expected_size}")]
    Truncated {
        /// Leaves fed.
        size: u64,
        /// The first expected size that was never reached.
        expected_size: u64,
    },
    /// Expected roots must be given in increasing order of size.
    #[error("expected root at size {size} comes after one at size {previous}")]
    Unordered {
        /// The out-of-order size.
        size: u64,
        /// The size given before it.
        previous: u64,
    },
}

/// 流式校验器 — replays leaves and checks the roots at chosen sizes on the way.
///
/// Memory is one [`CompactRange`] plus the list of expected roots, whatever the leaf count.
#[derive(Debug, Clone)]
pub struct StreamVerifier {
    range: CompactRange,
    /// Expected `(size, root)` pairs in decreasing order of size, so the next is at the end.
    pending: Vec<(u64, Hash)>,
    checked: u64,
}

impl CompactRange {
    /// The frontier of the empty tree.
    pub fn new(alg: HashAlg) -> CompactRange {
        CompactRange { alg, size: 0, frontier: Vec::with_capacity(64) }
    }

    /// The hash algorithm in use.
    pub fn alg(&self) -> HashAlg {
        self.alg
    }

    /// Number of leaves fed so far.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The perfect subtree roots, largest (leftmost) first.
    pub fn frontier(&self) -> &[Hash] {
        &self.frontier
    }

    /// Feeds the next leaf's data.
    pub fn push(&mut self, data: &[u8]) {
        let leaf_hash = self.alg.hash_leaf(data);
        self.push_leaf_hash(leaf_hash);
    }

    /// Rebuilds a frontier from a stored size and its perfect subtree roots (largest first),
    /// as a database keeps it between appends. `None` if the number of roots does not match
    /// the set bits of `size`.
    pub fn from_parts(alg: HashAlg, size: u64, frontier: Vec<Hash>) -> Option<CompactRange> {
        (frontier.len() == size.count_ones() as usize).then_some(CompactRange {
            alg,
            size,
            frontier,
        })
    }

    /// Appends a leaf hash and returns every complete node it creates, the leaf first and
    /// then each parent it completes, so that a store can persist the tree node by node.
    pub fn append(&mut self, leaf_hash: Hash) -> Vec<(NodeId, Hash)> {
        let index = self.size;
        let mut nodes = Vec::with_capacity(1 + index.trailing_ones() as usize);
        nodes.push((NodeId { level: 0, index }, leaf_hash));
        let mut hash = leaf_hash;
        for level in 1..=index.trailing_ones() {
            let left = self.frontier.pop().expect("one frontier entry per set bit of the size");
            hash = self.alg.hash_children(&left, &hash);
            nodes.push((NodeId { level: level as u8, index: index >> level }, hash));
        }
        self.frontier.push(hash);
        self.size += 1;
        nodes
    }

    /// Feeds the next leaf's RFC 9162 leaf hash.
    pub fn push_leaf_hash(&mut self, leaf_hash: Hash) {
        let mut hash = leaf_hash;
        // Each trailing one bit of the old size is a subtree that the new leaf completes.
        for _ in 0..self.size.trailing_ones() {
            let left = self.frontier.pop().expect("one frontier entry per set bit of the size");
            hash = self.alg.hash_children(&left, &hash);
        }
        self.frontier.push(hash);
        self.size += 1;
    }

    /// The root of the leaves fed so far (O(log n) hashes).
    pub fn root(&self) -> Hash {
        match self.frontier.split_last() {
            None => self.alg.empty_root(),
            Some((last, rest)) => {
                rest.iter().rev().fold(*last, |right, left| self.alg.hash_children(left, &right))
            }
        }
    }
}

impl StreamVerifier {
    /// A verifier that will check `expected` `(size, root)` pairs, given in increasing size.
    ///
    /// A pair with size 0 is checked against the empty root at once.
    pub fn new(
        alg: HashAlg,
        expected: impl IntoIterator<Item = (u64, Hash)>,
    ) -> Result<StreamVerifier, StreamError> {
        let mut pending: Vec<(u64, Hash)> = Vec::new();
        for (size, root) in expected {
            if let Some(&(previous, _)) = pending.last()
                && size < previous
            {
                return Err(StreamError::Unordered { size, previous });
            }
            pending.push((size, root));
        }
        pending.reverse();
        let mut verifier = StreamVerifier { range: CompactRange::new(alg), pending, checked: 0 };
        verifier.check_due()?;
        Ok(verifier)
    }

    /// Feeds the next leaf's data; fails if this leaf completes a size whose root differs.
    pub fn push(&mut self, data: &[u8]) -> Result<(), StreamError> {
        self.range.push(data);
        self.check_due()
    }

    /// Feeds the next leaf hash; fails if this leaf completes a size whose root differs.
    pub fn push_leaf_hash(&mut self, leaf_hash: Hash) -> Result<(), StreamError> {
        self.range.push_leaf_hash(leaf_hash);
        self.check_due()
    }

    /// Number of leaves fed so far.
    pub fn size(&self) -> u64 {
        self.range.size()
    }

    /// Number of expected roots checked so far.
    pub fn checked(&self) -> u64 {
        self.checked
    }

    /// The root of the leaves fed so far.
    pub fn root(&self) -> Hash {
        self.range.root()
    }

    /// Ends the stream: fails if an expected size was never reached; returns the final root.
    pub fn finish(self) -> Result<Hash, StreamError> {
        if let Some(&(expected_size, _)) = self.pending.last() {
            return Err(StreamError::Truncated { size: self.range.size(), expected_size });
        }
        Ok(self.range.root())
    }

    fn check_due(&mut self) -> Result<(), StreamError> {
        while let Some(&(size, expected)) = self.pending.last() {
            if size != self.range.size() {
                break;
            }
            let computed = self.range.root();
            if computed != expected {
                return Err(StreamError::RootMismatch { size, expected, computed });
            }
            self.pending.pop();
            self.checked += 1;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
