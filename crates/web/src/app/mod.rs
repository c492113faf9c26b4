//! Use cases shared by the pages, the JSON API and the command line (issue #16). Nothing here
//! renders a page: a use case takes the state and the actor's context and returns data or an
//! `AppError`; `pages::*` and `api::*` turn it into HTML or JSON, `parindex` into output. The
//! rule it keeps: no file under `api/` and nothing in the CLI imports `pages::`.

pub mod analysis;
pub mod apology;
pub mod appraisal;
pub mod audit;
pub mod exports;
pub mod feeds;
pub mod leaves;
pub mod mail;
pub mod onestop;
pub mod plans;
pub mod reporting;
pub mod survey_data;
pub mod surveys;
pub mod units;
