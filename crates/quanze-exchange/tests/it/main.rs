//! Integration tests: real xlsx files built with rust_xlsxwriter in the layouts counties publish,
//! bad files, round trips and fuzzing.

mod bad_files;
mod form;
mod helpers;
mod layouts;
mod progress;
mod real_lists;
mod report;
mod round_trip;
