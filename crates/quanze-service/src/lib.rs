//! quanze-service
