//! A hash map in shards behind `Arc`s: cloning it copies 256 pointers, and a write copies
//! only the shards it touches, so a catalogue that changes a few item versions shares the
//! rest with the one before it (a plain map of a million item versions took tens of
//! milliseconds to copy).

use std::collections::HashMap;
use std::collections::hash_map;
use std::hash::Hash;
use std::sync::Arc;

use quanze_core::ItemId;

/// The number of shards: a write of one item version copies 1/256 of the map.
const N_SHARDS: usize = 256;

/// How a key picks its shard.
pub(crate) trait ShardKey: Hash + Eq + Clone {
    /// The shard, below [`N_SHARDS`].
    fn shard(&self) -> usize;
}

impl ShardKey for ItemId {
    fn shard(&self) -> usize {
        // Generated ids are UUID v7, whose last byte is random.
        usize::from(self.as_uuid().as_bytes()[15])
    }
}

impl ShardKey for (ItemId, u32) {
    fn shard(&self) -> usize {
        // All versions of an item in one shard.
        self.0.shard()
    }
}

/// A map whose copies share every shard neither of them has written since.
#[derive(Debug, Clone)]
pub(crate) struct Shards<K, V> {
    parts: Vec<Arc<HashMap<K, V>>>,
}

impl<K, V> Default for Shards<K, V> {
    fn default() -> Shards<K, V> {
        Shards { parts: (0..N_SHARDS).map(|_| Arc::new(HashMap::new())).collect() }
    }
}

impl<K: ShardKey, V: Clone> Shards<K, V> {
    /// The value under a key.
    pub(crate) fn get(&self, key: &K) -> Option<&V> {
        self.parts[key.shard()].get(key)
    }

    /// Inserts a value, copying its shard if it is shared.
    pub(crate) fn insert(&mut self, key: K, value: V) -> Option<V> {
        Arc::make_mut(&mut self.parts[key.shard()]).insert(key, value)
    }

    /// Removes a key, copying its shard only if the key is there.
    pub(crate) fn remove(&mut self, key: &K) -> Option<V> {
        let part = &mut self.parts[key.shard()];
        if !part.contains_key(key) {
            return None;
        }
        Arc::make_mut(part).remove(key)
    }

    /// The entry of a key, copying its shard if it is shared.
    pub(crate) fn entry(&mut self, key: K) -> hash_map::Entry<'_, K, V> {
        Arc::make_mut(&mut self.parts[key.shard()]).entry(key)
    }

    /// Every (key, value), in no order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.parts.iter().flat_map(|part| part.iter())
    }
}

impl<K: ShardKey, V: Clone> FromIterator<(K, V)> for Shards<K, V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Shards<K, V> {
        let mut parts: Vec<HashMap<K, V>> = (0..N_SHARDS).map(|_| HashMap::new()).collect();
        for (key, value) in iter {
            parts[key.shard()].insert(key, value);
        }
        Shards { parts: parts.into_iter().map(Arc::new).collect() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(n: u128) -> ItemId {
        ItemId::from_uuid(uuid::Uuid::from_u128(n))
    }

    #[test]
    fn a_write_copies_one_shard_and_shares_the_rest() {
        let map: Shards<(ItemId, u32), u32> = (0..1000).map(|n| ((item(n), 1), 1)).collect();
        let mut copy = map.clone();
        copy.insert((item(7), 2), 2);
        assert!(copy.remove(&(item(8), 1)).is_some());
        assert_eq!(copy.remove(&(item(5000), 1)), None);
        let shared = map.parts.iter().zip(&copy.parts).filter(|(a, b)| Arc::ptr_eq(a, b)).count();
        assert_eq!(shared, N_SHARDS - 2);
        assert_eq!((map.iter().count(), copy.iter().count()), (1000, 1000));
        assert_eq!(map.get(&(item(7), 2)), None);
        assert_eq!(copy.get(&(item(7), 2)), Some(&2));
        assert_eq!(copy.get(&(item(8), 1)), None);
        assert_eq!(map.get(&(item(8), 1)), Some(&1));
    }
}
