//! parindex-reports: the file formats of parindex. Readers turn uploaded files into rows with
//! per-row errors (never a half-read file); writers produce templates and exports.

pub mod apology;
pub mod charts;
#[doc(hidden)]
pub mod crafted;
pub mod csv_out;
pub mod document;
pub mod docx;
pub mod evidence;
pub mod feed_values;
pub mod framework;
pub mod framework_xlsx;
pub mod grid;
pub mod inspection;
pub mod onestop;
pub mod plan_tasks;
pub mod report_form;
pub mod responses;
pub mod self_scores;
pub mod stream;
pub mod survey;
pub mod table;
pub mod units;
pub mod workbook;
pub mod xls_guard;
pub mod xlsform;
mod yaml_file;
