//! Integration tests of the web layer, one binary: the real router on a real listener.

mod api;
mod audit;
mod calendar;
mod cases;
mod casework;
mod grants;
mod helpers;
mod item_editor;
mod laws_pages;
mod materials;
mod matrix;
mod openapi;
mod portal;
mod rate;
mod revisions;
mod second_factor;
mod staff;
