//! Integration tests of the binary, one test binary: the command line as a user runs it, and
//! the layout rules of the workspace and the code map in ARCHITECTURE.md.

mod architecture;
mod cli;
mod killed;
mod tidy;
