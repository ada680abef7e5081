//! Integration tests of the binary, one test binary: the command line as a user runs it.

mod cli;
