//! Typed answers of the use cases the web calls: one named, documented type per response,
//! built here from the catalogue and the other use cases, and the request bodies those use
//! cases take. Each type derives `serde::Serialize` (or `Deserialize` for requests) and
//! `utoipa::ToSchema`, so the API's OpenAPI document describes every body.
//!
//! Core types inside a view keep their own serialisation; their schema is given with
//! `#[schema(value_type = ...)]` so that `quanze-core` stays free of web concerns.
//!
//! One module per resource; the types they share are here.

pub mod calendar;
pub mod cases;
pub mod change_set_desk;
pub mod dashboard;
pub mod devolution;
pub mod devolution_desk;
pub mod governance;
pub mod item_editor;
pub mod laws;
pub mod ledger;
pub mod lists;
pub mod materials;
pub mod pages;
pub mod portal;
pub mod registry;
pub mod reports;
pub mod workbench;

use serde::Serialize;
use utoipa::ToSchema;

pub use calendar::*;
pub use change_set_desk::*;
pub use dashboard::*;
pub use devolution::*;
pub use devolution_desk::*;
pub use governance::*;
pub use item_editor::*;
pub use laws::*;
pub use ledger::*;
pub use lists::*;
pub use pages::*;
pub use portal::*;
pub use registry::*;
pub use reports::*;
pub use workbench::*;

/// The answer to a write: the ledger leaf that records it (全程留痕).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[schema(example = json!({ "leaf_index": 42 }))]
pub struct Receipt {
    /// Index of the ledger leaf of the write.
    pub leaf_index: u64,
}

/// The answer to a write that created something: its id and the ledger leaf.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[schema(example = json!({ "id": "0190c3a4-7e1b-7c2d-9a51-3f0e2b6d8c11", "leaf_index": 42 }))]
pub struct Created {
    /// Id of what was created (a UUID).
    #[schema(value_type = String, format = Uuid)]
    pub id: uuid::Uuid,
    /// Index of the ledger leaf of the write.
    pub leaf_index: u64,
}

/// What a unit holds, counted by duty kind (履职类型): the one tally behind the holdings
/// answer's `by_duty` and the home page's columns.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DutyTally {
    /// Items in all.
    pub items: usize,
    /// 基本履职.
    pub own: usize,
    /// 配合履职.
    pub cooperate: usize,
    /// 上级部门收回.
    pub reclaimed: usize,
}

impl DutyTally {
    /// Counts duty kinds.
    pub fn of(duties: impl IntoIterator<Item = quanze_core::DutyKind>) -> DutyTally {
        let mut t = DutyTally::default();
        for duty in duties {
            t.items += 1;
            match duty {
                quanze_core::DutyKind::Own => t.own += 1,
                quanze_core::DutyKind::Cooperate { .. } => t.cooperate += 1,
                quanze_core::DutyKind::Reclaimed { .. } => t.reclaimed += 1,
            }
        }
        t
    }

    /// The non-zero counts by duty code (`own`, `cooperate`, `reclaimed`).
    pub fn by_code(&self) -> std::collections::BTreeMap<String, usize> {
        [("own", self.own), ("cooperate", self.cooperate), ("reclaimed", self.reclaimed)]
            .into_iter()
            .filter(|(_, n)| *n > 0)
            .map(|(code, n)| (code.to_owned(), n))
            .collect()
    }
}

/// Defines a page type of a collection: `total`, `offset`, `limit` and `items`.
macro_rules! page {
    ($(#[$doc:meta])* $name:ident of $item:ty) => {
        $(#[$doc])*
        #[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
        pub struct $name {
            /// How many match in all.
            pub total: usize,
            /// Offset of the first item.
            pub offset: usize,
            /// Page size.
            pub limit: usize,
            /// The page.
            pub items: Vec<$item>,
        }

        impl $name {
            /// Cuts a page out of all results.
            pub fn of(all: Vec<$item>, offset: usize, limit: usize) -> $name {
                $crate::lists::Page::of(all, offset, limit).into()
            }
        }

        impl $name {
            /// Cuts a page out of all matches and builds the answers of the page's rows only
            /// (building every row's answer to keep fifty was most of a page's cost).
            pub fn of_mapped<S>(
                all: Vec<S>,
                offset: usize,
                limit: usize,
                answer: impl FnMut(S) -> $item,
            ) -> $name {
                $crate::lists::Page::of_mapped(all, offset, limit, answer).into()
            }
        }

        impl From<$crate::lists::Page<$item>> for $name {
            fn from(p: $crate::lists::Page<$item>) -> $name {
                $name { total: p.total, offset: p.offset, limit: p.limit, items: p.items }
            }
        }
    };
}
pub(crate) use page;

#[cfg(test)]
mod tests {
    use quanze_core::{DutyKind, UnitId};

    use super::*;

    #[test]
    fn a_tally_counts_each_duty_kind_and_names_only_the_present_ones() {
        let lead = UnitId::from_uuid(uuid::Uuid::nil());
        let t = DutyTally::of([
            DutyKind::Own,
            DutyKind::Own,
            DutyKind::Cooperate { lead },
            DutyKind::Own,
        ]);
        assert_eq!(t, DutyTally { items: 4, own: 3, cooperate: 1, reclaimed: 0 });
        let by_code: Vec<(String, usize)> = t.by_code().into_iter().collect();
        assert_eq!(by_code, vec![("cooperate".to_owned(), 1), ("own".to_owned(), 3)]);
        assert!(DutyTally::of([]).by_code().is_empty());
        // The keys are the duty kinds' own codes, the ones the `duty=` filter takes.
        let kinds =
            [DutyKind::Own, DutyKind::Cooperate { lead }, DutyKind::Reclaimed { receiver: lead }];
        let keys: Vec<String> = DutyTally::of(kinds).by_code().into_keys().collect();
        let mut codes: Vec<String> = kinds.iter().map(|k| k.code().to_owned()).collect();
        codes.sort();
        assert_eq!(keys, codes);
    }

    #[test]
    fn a_page_keeps_the_total_and_cuts_the_window() {
        let cut = |offset, limit| {
            let page = crate::lists::Page::of((0..10).collect::<Vec<i32>>(), offset, limit);
            (page.total, page.items)
        };
        assert_eq!(cut(8, 5), (10, vec![8, 9]));
        assert_eq!(cut(20, 5), (10, Vec::<i32>::new()));
        let page = LawPage::of(Vec::new(), 0, 50);
        assert_eq!((page.total, page.offset, page.limit), (0, 0, 50));
    }

    #[test]
    fn receipts_serialise_as_the_api_answers() {
        let r = serde_json::to_value(Receipt { leaf_index: 7 }).expect("plain data");
        assert_eq!(r, serde_json::json!({ "leaf_index": 7 }));
        let c = Created { id: uuid::Uuid::nil(), leaf_index: 7 };
        assert_eq!(
            serde_json::to_value(c).expect("plain data"),
            serde_json::json!({ "id": "00000000-0000-0000-0000-000000000000", "leaf_index": 7 })
        );
    }
}
