//! Integration tests of the service, one binary: login lockout, change sets, the demo loader,
//! devolution, governance, the incremental catalogue, the ledger's tamper tests and township
//! templates.

mod auth;
mod calendar;
mod cases;
mod changesets;
mod demo;
mod demo_cases;
mod devolution;
mod devolution_law;
mod governance;
mod helpers;
mod incremental;
mod lawful;
mod ledger;
mod ranks;
mod rotation;
mod search;
mod second_factor;
mod template;
mod town_holder;
