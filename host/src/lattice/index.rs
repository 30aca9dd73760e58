//! Lookup indexes over lists that mostly grow at the end: the in-memory
//! account's and the observed-state cache's, so that finding one resource
//! costs the same in an account of ten resources and of fifty thousand.
//!
//! Contract: a [`KeyIndex`] maps the keys its key function gives each item
//! to the item's positions in the list it is asked about. Items appended
//! since the last lookup are indexed on the next one (catching up costs
//! only the new items). Any other change to the list — an item removed,
//! reordered, or changed in a field the key function reads — must be
//! followed by [`KeyIndex::clear`] before the next lookup; the index is then
//! rebuilt from the whole list on demand. A list shorter than what was
//! indexed is taken as such a change and rebuilt, but a change that keeps
//! the length cannot be detected: callers own the clearing.

use std::collections::HashMap;
use std::marker::PhantomData;

use super::model::{Service, Tags, TargetGroup};

/// What an item is found by: each key is a lookup key for it (its id, its
/// ARN, its name, its tags, ...), each kind of key with its own prefix so
/// that kinds cannot collide.
pub trait Keyed {
    fn keys(&self) -> Vec<String>;
}

/// The key of a resource's id.
pub fn id_key(id: &str) -> String {
    format!("id:{id}")
}

/// The key of an identifier the API takes: an id or an ARN.
pub fn identifier_key(identifier: &str) -> String {
    if identifier.starts_with("arn:") {
        identifier.to_owned()
    } else {
        id_key(identifier)
    }
}

/// The key of a resource's name.
pub fn name_key(name: &str) -> String {
    format!("name:{name}")
}

/// The key of a tag.
pub fn tag_key(key: &str, value: &str) -> String {
    format!("tag:{key}={value}")
}

/// The keys of every tag of `tags`.
pub fn tag_keys(tags: &Tags) -> impl Iterator<Item = String> + '_ {
    tags.iter().map(|(key, value)| tag_key(key, value))
}

/// The keys of the tags a lookup asks for.
pub fn tag_query(tags: &[(&str, &str)]) -> Vec<String> {
    tags.iter()
        .map(|(key, value)| tag_key(key, value))
        .collect()
}

impl Keyed for Service {
    fn keys(&self) -> Vec<String> {
        let mut keys = vec![id_key(&self.id), self.arn.clone(), name_key(&self.name)];
        keys.extend(tag_keys(&self.tags));
        keys
    }
}

impl Keyed for TargetGroup {
    fn keys(&self) -> Vec<String> {
        let mut keys = vec![id_key(&self.id), self.arn.clone(), name_key(&self.name)];
        keys.extend(tag_keys(&self.tags));
        keys
    }
}

/// Positions of a list's items by key.
#[derive(Debug)]
pub struct KeyIndex<T> {
    /// How many items of the list, from the start, are indexed.
    covered: usize,
    positions: HashMap<String, Vec<usize>>,
    items: PhantomData<fn(&T)>,
}

impl<T> Default for KeyIndex<T> {
    fn default() -> Self {
        Self {
            covered: 0,
            positions: HashMap::new(),
            items: PhantomData,
        }
    }
}

impl<T: Keyed> KeyIndex<T> {
    /// Forgets everything: the next lookup indexes the whole list again.
    pub fn clear(&mut self) {
        self.covered = 0;
        self.positions.clear();
    }

    /// Indexes the items appended to `items` since the last lookup (all of
    /// them when the list got shorter: it was replaced).
    fn catch_up(&mut self, items: &[T]) {
        if items.len() < self.covered {
            self.clear();
        }
        for (position, item) in items.iter().enumerate().skip(self.covered) {
            for item_key in item.keys() {
                self.positions.entry(item_key).or_default().push(position);
            }
        }
        self.covered = items.len();
    }

    /// The indexed positions of `key`.
    fn indexed(&self, key: &str) -> &[usize] {
        self.positions.get(key).map_or(&[], Vec::as_slice)
    }

    /// The positions in `items`, in list order, of the items with `key`.
    pub fn positions(&mut self, items: &[T], key: &str) -> &[usize] {
        self.catch_up(items);
        self.indexed(key)
    }

    /// The items of `items` with `key`, in list order.
    pub fn find<'a>(
        &mut self,
        items: &'a [T],
        key: &str,
    ) -> impl Iterator<Item = &'a T> + use<'a, T> {
        let positions = self.positions(items, key).to_vec();
        positions.into_iter().map(move |position| &items[position])
    }

    /// The items of `items` that have every key of `keys`, in list order
    /// (every item when `keys` is empty). Costs the number of items of the
    /// rarest key (times a binary search per other key), not the length of
    /// the list.
    pub fn with_all<'a>(&mut self, items: &'a [T], keys: &[String]) -> Vec<&'a T> {
        if keys.is_empty() {
            return items.iter().collect();
        }
        self.catch_up(items);
        let mut lists: Vec<&[usize]> = keys.iter().map(|key| self.indexed(key)).collect();
        lists.sort_by_key(|list| list.len());
        let (rarest, others) = lists.split_first().expect("keys is not empty");
        rarest
            .iter()
            .filter(|position| {
                others
                    .iter()
                    .all(|list| list.binary_search(position).is_ok())
            })
            .map(|&position| &items[position])
            .collect()
    }

    /// The first item of `items` with `key`.
    pub fn first<'a>(&mut self, items: &'a [T], key: &str) -> Option<&'a T> {
        self.positions(items, key)
            .first()
            .map(|&position| &items[position])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq)]
    struct Item(String, String);

    impl Keyed for Item {
        fn keys(&self) -> Vec<String> {
            vec![format!("id:{}", self.0), format!("name:{}", self.1)]
        }
    }

    fn item(id: &str, name: &str) -> Item {
        Item(id.to_owned(), name.to_owned())
    }

    #[test]
    fn appended_items_are_found_without_clearing() {
        let mut index = KeyIndex::default();
        let mut items = vec![item("a", "x")];
        assert_eq!(index.positions(&items, "name:x"), &[0]);
        items.push(item("b", "x"));
        items.push(item("c", "y"));
        assert_eq!(index.positions(&items, "name:x"), &[0, 1]);
        assert_eq!(index.first(&items, "id:c"), Some(&items[2]));
        assert_eq!(index.positions(&items, "id:x"), &[] as &[usize]);
    }

    #[test]
    fn a_cleared_index_sees_removals_and_changes() {
        let mut index = KeyIndex::default();
        let mut items = vec![item("a", "x"), item("b", "y")];
        assert_eq!(index.positions(&items, "id:b"), &[1]);
        items.remove(0);
        items[0].1 = "z".into();
        index.clear();
        assert_eq!(index.positions(&items, "id:b"), &[0]);
        assert_eq!(index.positions(&items, "name:y"), &[] as &[usize]);
        assert_eq!(index.positions(&items, "name:z"), &[0]);
    }

    #[test]
    fn items_with_all_keys_are_found_from_the_rarest() {
        let mut index = KeyIndex::default();
        let items = vec![item("a", "x"), item("b", "x"), item("c", "y")];
        let found = index.with_all(&items, &["name:x".into(), "id:b".into()]);
        assert_eq!(found, vec![&items[1]]);
        assert!(
            index
                .with_all(&items, &["name:y".into(), "id:b".into()])
                .is_empty()
        );
        assert_eq!(index.with_all(&items, &[]).len(), 3);
    }

    #[test]
    fn a_shorter_list_is_indexed_again() {
        let mut index = KeyIndex::default();
        let mut items = vec![item("a", "x"), item("b", "y")];
        assert_eq!(index.positions(&items, "id:b"), &[1]);
        items.truncate(1);
        assert_eq!(index.positions(&items, "id:b"), &[] as &[usize]);
        assert_eq!(index.positions(&items, "id:a"), &[0]);
    }
}
