//! Repositories: the only code that reads and writes tables. Grouped by subject.

pub mod adjustments;
pub mod apology;
pub mod appraisal;
pub mod audit;
pub mod evidence;
pub mod feeds;
pub mod frameworks;
pub mod improvements;
pub mod inspections;
pub mod jobs;
pub mod notifications;
pub mod onestop;
pub mod periods;
pub mod plans;
pub mod publications;
pub mod reporting;
pub mod results;
pub mod scores;
pub mod settings;
pub mod survey_data;
pub mod survey_feedback;
pub mod survey_points;
pub mod surveys;
pub mod unit_reports;
pub mod units;
pub mod users;
