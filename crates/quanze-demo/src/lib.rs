//! quanze-demo
