//! Integration tests of the demo county generator, one binary.

mod demo;
