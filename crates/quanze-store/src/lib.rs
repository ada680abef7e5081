//! quanze-store
