//! parindex-core: the pure domain of parindex. No I/O lives here: authorization decisions,
//! unit validation, passwords and tokens, Vietnamese text helpers (collation, dates), exact
//! numbers, and criteria frameworks with their scoring engine.
//! Every other crate asks this one what is allowed and what is valid.

pub mod access;
pub mod apology;
pub mod assessment;
pub mod evidence;
pub mod exact;
pub mod framework;
pub mod inspections;
pub mod lang;
pub mod msg;
pub mod onestop;
pub mod plans;
pub mod published;
pub mod reporting;
pub mod results;
pub mod secret;
pub mod sipas;
pub mod survey;
pub mod text;
pub mod unit;

pub use access::{Action, Actor, Resource, Role, UnitScope, can};
pub use exact::Exact;
pub use lang::Lang;
pub use msg::Msg;
