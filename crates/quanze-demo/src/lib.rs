//! Deterministic demo data for Quanze: a county with its departments, towns and
//! subdistricts, their power lists (权责清单) with versions, the township template with
//! overrides, and a province-sized catalogue for benchmarks.
//!
//! Everything is built from quanze-core values only; this crate does no I/O and knows no
//! storage. All randomness comes from a ChaCha stream seeded by the caller, so the same seed
//! gives the same county, id for id.
//!
//! Names of departments and laws are real; the county (清源县, 341128) is not, so demo data
//! cannot be taken for a real county's published list.
#![deny(missing_docs)]

pub mod data;
pub mod parties;

mod content;
mod county;
mod province;
mod seeded;

pub use county::{
    COUNTY_LEVEL_DIGIT, DemoCounty, demo_county, duty_counts, first_publication, revision_date,
};
pub use province::{
    CatalogueItem, CountyBatch, FLOOD_EXTRAS, Holding, ITEMS_PER_COUNTY, ProvinceCatalogue,
    SUBDISTRICTS_PER_COUNTY, TEMPLATE_SIZE, TOWNS_PER_COUNTY, province_catalogue,
};
