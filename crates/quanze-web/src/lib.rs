//! quanze-web
