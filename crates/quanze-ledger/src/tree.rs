//! 默克尔树 — the append-only Merkle tree of RFC 9162 §2.1, and proofs computed from stored nodes.
//!
//! A tree of size `n` is described completely by its *complete* nodes: the node at
//! `(level, index)` is the root of the perfect subtree over leaves
//! `index * 2^level .. (index + 1) * 2^level`, and it exists once all those leaves do.
//! Complete nodes never change when leaves are appended, so one store answers roots and
//! proofs for every older size too: any root or proof element is a fold of at most
//! 64 complete nodes, so roots and proofs cost O(log n) node reads and no leaf rehashing.
//!
//! The proof functions take a [`NodeReader`], so the nodes can live in memory
//! ([`MemoryTree`]), in a database table, or in a map prefetched with the node lists from
//! [`inclusion_proof_nodes`] and [`consistency_proof_nodes`].

use std::collections::HashMap;
use std::error::Error as StdError;

use crate::hash::{Hash, HashAlg};

/// Position of a complete node: the root of leaves `index * 2^level .. (index + 1) * 2^level`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId {
    /// Height above the leaves; leaves are level 0.
    pub level: u8,
    /// Position among the nodes of this level, counting from 0 on the left.
    pub index: u64,
}

/// Read access to complete node hashes, wherever they are stored.
pub trait NodeReader {
    /// The hash of the complete node `id`, or `None` if the store does not hold it.
    fn node(&self, id: NodeId) -> Result<Option<Hash>, NodeStoreError>;
}

/// A failure of the storage behind a [`NodeReader`] (for example a database error).
#[derive(Debug, thiserror::Error)]
#[error("node store failed: {0}")]
pub struct NodeStoreError(#[source] pub Box<dyn StdError + Send + Sync>);

/// Why a root or proof could not be computed.
#[derive(Debug, thiserror::Error)]
pub enum TreeError {
    /// The leaf index is not below the tree size.
    #[error("leaf index {index} is outside a tree of size {size}")]
    IndexOutOfRange {
        /// Requested leaf index.
        index: u64,
        /// Tree size the proof was asked for.
        size: u64,
    },
    /// The requested tree size is larger than the tree.
    #[error("tree size {size} is larger than the {available} leaves in the tree")]
    SizeOutOfRange {
        /// Requested size.
        size: u64,
        /// Number of leaves actually present.
        available: u64,
    },
    /// A consistency proof was asked from a larger to a smaller tree.
    #[error("old size {old_size} is larger than new size {new_size}")]
    SizeOrder {
        /// The size proved from.
        old_size: u64,
        /// The size proved to.
        new_size: u64,
    },
    /// The store lacks a node the computation needs.
    #[error("node at level {} index {} is missing from the store", .0.level, .0.index)]
    MissingNode(NodeId),
    /// The store itself failed.
    #[error(transparent)]
    Store(#[from] NodeStoreError),
}

/// 内存树 — an in-memory append-only Merkle tree.
///
/// Every level's complete nodes are kept in one flat vector (two hashes, 64 bytes, per leaf
/// in total), so appending costs one leaf hash plus one node hash amortized, and roots and
/// proofs for any size up to the current one cost O(log n).
#[derive(Debug, Clone)]
pub struct MemoryTree {
    alg: HashAlg,
    /// `levels[l][i]` is the complete node `(l, i)`; `levels[0]` holds the leaf hashes.
    levels: Vec<Vec<Hash>>,
}

impl NodeId {
    /// The node at `level` and `index`.
    pub const fn new(level: u8, index: u64) -> NodeId {
        NodeId { level, index }
    }

    /// Index of the first leaf under this node.
    pub const fn first_leaf(&self) -> u64 {
        self.index << self.level
    }
}

impl NodeReader for HashMap<NodeId, Hash> {
    fn node(&self, id: NodeId) -> Result<Option<Hash>, NodeStoreError> {
        Ok(self.get(&id).copied())
    }
}

impl<R: NodeReader + ?Sized> NodeReader for &R {
    fn node(&self, id: NodeId) -> Result<Option<Hash>, NodeStoreError> {
        (**self).node(id)
    }
}

impl MemoryTree {
    /// An empty tree.
    pub fn new(alg: HashAlg) -> MemoryTree {
        MemoryTree { alg, levels: vec![Vec::new()] }
    }

    /// An empty tree with room for `leaves` leaves without reallocation.
    pub fn with_capacity(alg: HashAlg, leaves: usize) -> MemoryTree {
        let mut levels = Vec::new();
        let mut width = leaves;
        loop {
            levels.push(Vec::with_capacity(width));
            if width <= 1 {
                break;
            }
            width /= 2;
        }
        MemoryTree { alg, levels }
    }

    /// The hash algorithm of this tree.
    pub fn alg(&self) -> HashAlg {
        self.alg
    }

    /// Number of leaves.
    pub fn size(&self) -> u64 {
        self.levels[0].len() as u64
    }

    /// Appends a leaf with data `data`; returns its index.
    pub fn append(&mut self, data: &[u8]) -> u64 {
        let leaf_hash = self.alg.hash_leaf(data);
        self.append_leaf_hash(leaf_hash)
    }

    /// Appends a leaf whose RFC 9162 leaf hash is already known; returns its index.
    pub fn append_leaf_hash(&mut self, leaf_hash: Hash) -> u64 {
        let leaf_index = self.size();
        self.levels[0].push(leaf_hash);
        let mut level = 0;
        // A node completes each time its level gets an even number of entries.
        while self.levels[level].len().is_multiple_of(2) {
            let nodes = &self.levels[level];
            let parent = self.alg.hash_children(&nodes[nodes.len() - 2], &nodes[nodes.len() - 1]);
            if self.levels.len() == level + 1 {
                self.levels.push(Vec::new());
            }
            self.levels[level + 1].push(parent);
            level += 1;
        }
        leaf_index
    }

    /// The leaf hash at `index`, if present.
    pub fn leaf_hash(&self, index: u64) -> Option<Hash> {
        usize::try_from(index).ok().and_then(|index| self.levels[0].get(index).copied())
    }

    /// The root of the whole tree as it is now.
    pub fn root(&self) -> Hash {
        root_at(self, self.alg, self.size()).expect("every complete node of the tree is in memory")
    }

    /// The root the tree had when it held `size` leaves.
    pub fn root_at(&self, size: u64) -> Result<Hash, TreeError> {
        self.check_size(size)?;
        root_at(self, self.alg, size)
    }

    /// Audit path for leaf `index` in the tree of size `size` (RFC 9162 §2.1.3.1).
    pub fn inclusion_proof(&self, index: u64, size: u64) -> Result<Vec<Hash>, TreeError> {
        self.check_size(size)?;
        inclusion_proof(self, self.alg, index, size)
    }

    /// Consistency proof from size `old_size` to size `new_size` (RFC 9162 §2.1.4.1).
    pub fn consistency_proof(&self, old_size: u64, new_size: u64) -> Result<Vec<Hash>, TreeError> {
        self.check_size(new_size)?;
        consistency_proof(self, self.alg, old_size, new_size)
    }

    fn check_size(&self, size: u64) -> Result<(), TreeError> {
        if size > self.size() {
            return Err(TreeError::SizeOutOfRange { size, available: self.size() });
        }
        Ok(())
    }
}

impl NodeReader for MemoryTree {
    fn node(&self, id: NodeId) -> Result<Option<Hash>, NodeStoreError> {
        let hash = self
            .levels
            .get(usize::from(id.level))
            .and_then(|nodes| nodes.get(usize::try_from(id.index).ok()?))
            .copied();
        Ok(hash)
    }
}

/// The root of the tree of size `size` held in `reader`.
pub fn root_at<R: NodeReader + ?Sized>(
    reader: &R,
    alg: HashAlg,
    size: u64,
) -> Result<Hash, TreeError> {
    if size == 0 {
        return Ok(alg.empty_root());
    }
    range_hash(reader, alg, 0, size)
}

/// Audit path for leaf `index` in the tree of size `size`, read from `reader`.
pub fn inclusion_proof<R: NodeReader + ?Sized>(
    reader: &R,
    alg: HashAlg,
    index: u64,
    size: u64,
) -> Result<Vec<Hash>, TreeError> {
    inclusion_ranges(index, size)?
        .iter()
        .map(|&(begin, end)| range_hash(reader, alg, begin, end))
        .collect()
}

/// Consistency proof from `old_size` to `new_size`, read from `reader`.
pub fn consistency_proof<R: NodeReader + ?Sized>(
    reader: &R,
    alg: HashAlg,
    old_size: u64,
    new_size: u64,
) -> Result<Vec<Hash>, TreeError> {
    consistency_ranges(old_size, new_size)?
        .iter()
        .map(|&(begin, end)| range_hash(reader, alg, begin, end))
        .collect()
}

/// The complete nodes that [`root_at`] reads, so a database can fetch them in one query.
pub fn root_nodes(size: u64) -> Vec<NodeId> {
    range_nodes(0, size).collect()
}

/// The complete nodes that [`inclusion_proof`] reads, so a database can fetch them in one query.
pub fn inclusion_proof_nodes(index: u64, size: u64) -> Result<Vec<NodeId>, TreeError> {
    let ranges = inclusion_ranges(index, size)?;
    Ok(ranges.iter().flat_map(|&(begin, end)| range_nodes(begin, end)).collect())
}

/// The complete nodes that [`consistency_proof`] reads, so a database can fetch them in one query.
pub fn consistency_proof_nodes(old_size: u64, new_size: u64) -> Result<Vec<NodeId>, TreeError> {
    let ranges = consistency_ranges(old_size, new_size)?;
    Ok(ranges.iter().flat_map(|&(begin, end)| range_nodes(begin, end)).collect())
}

/// Largest power of two strictly smaller than `n` (`n >= 2`): the RFC 9162 split point `k`.
pub(crate) fn split_point(n: u64) -> u64 {
    debug_assert!(n >= 2);
    1 << (63 - (n - 1).leading_zeros())
}

/// The leaf ranges whose subtree hashes form the audit path, from the leaf upwards.
fn inclusion_ranges(index: u64, size: u64) -> Result<Vec<(u64, u64)>, TreeError> {
    if index >= size {
        return Err(TreeError::IndexOutOfRange { index, size });
    }
    let mut ranges = Vec::with_capacity(64);
    let (mut begin, mut end) = (0, size);
    // RFC 9162 PATH(m, D[n]) unrolled: each step records the sibling subtree, top-down.
    while end - begin > 1 {
        let middle = begin + split_point(end - begin);
        if index < middle {
            ranges.push((middle, end));
            end = middle;
        } else {
            ranges.push((begin, middle));
            begin = middle;
        }
    }
    ranges.reverse();
    Ok(ranges)
}

/// The leaf ranges whose subtree hashes form the consistency proof, bottom-up.
fn consistency_ranges(old_size: u64, new_size: u64) -> Result<Vec<(u64, u64)>, TreeError> {
    if old_size > new_size {
        return Err(TreeError::SizeOrder { old_size, new_size });
    }
    let mut ranges = Vec::with_capacity(64);
    if old_size == 0 || old_size == new_size {
        return Ok(ranges);
    }
    // RFC 9162 SUBPROOF(m, D[n], b) unrolled, top-down.
    let (mut begin, mut end) = (0, new_size);
    let mut old_in_range = old_size;
    let mut is_old_root = true;
    loop {
        let width = end - begin;
        if old_in_range == width {
            if !is_old_root {
                ranges.push((begin, end));
            }
            break;
        }
        let split = split_point(width);
        if old_in_range <= split {
            ranges.push((begin + split, end));
            end = begin + split;
        } else {
            ranges.push((begin, begin + split));
            begin += split;
            old_in_range -= split;
            is_old_root = false;
        }
    }
    ranges.reverse();
    Ok(ranges)
}

/// The complete nodes covering `begin..end`, left to right, largest first.
///
/// Every range produced by the proof recursions starts at a multiple of a power of two at
/// least as large as the range, so the binary digits of its width name aligned subtrees.
fn range_nodes(begin: u64, end: u64) -> impl Iterator<Item = NodeId> {
    let width = end - begin;
    let mut next_leaf = begin;
    (0..64u8).rev().filter(move |level| (width >> level) & 1 == 1).map(move |level| {
        let id = NodeId::new(level, next_leaf >> level);
        next_leaf += 1 << level;
        id
    })
}

/// RFC 9162 MTH of leaves `begin..end`, folded from stored complete nodes.
fn range_hash<R: NodeReader + ?Sized>(
    reader: &R,
    alg: HashAlg,
    begin: u64,
    end: u64,
) -> Result<Hash, TreeError> {
    let mut nodes = [Hash::from_bytes([0; 32]); 64];
    let mut n_nodes = 0;
    for id in range_nodes(begin, end) {
        nodes[n_nodes] = reader.node(id)?.ok_or(TreeError::MissingNode(id))?;
        n_nodes += 1;
    }
    // The rightmost, smallest subtree is the innermost right child.
    let (last, rest) = nodes[..n_nodes].split_last().expect("a proof range is never empty");
    Ok(rest.iter().rev().fold(*last, |right, left| alg.hash_children(left, &right)))
}

#[cfg(test)]
mod tests;
