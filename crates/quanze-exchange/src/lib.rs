//! quanze-exchange
