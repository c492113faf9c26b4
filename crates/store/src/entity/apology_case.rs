use sea_orm::entity::prelude::*;

/// A case of the public-apology register (issue #18): the file, what went wrong, the apology's
/// deadline and, once sent, the letter. `applicant` and `contact` are personal data: shown to
/// the unit and the office only, never on public pages or in counts.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "apology_cases")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub unit_id: i64,
    pub file_code: String,
    pub procedure: String,
    pub applicant: Option<String>,
    pub contact: Option<String>,
    /// `late`, `wrong`, `lost`, `extra_papers`.
    pub kind: String,
    pub received_on: Date,
    pub due_on: Date,
    pub returned_on: Option<Date>,
    pub apology_due: Date,
    pub letter_number: Option<String>,
    pub letter_date: Option<Date>,
    /// `post`, `email`, `in_person`, `portal`.
    pub sent_how: Option<String>,
    /// The letter in the unit's evidence library.
    pub letter_file_id: Option<i64>,
    pub new_due_on: Option<Date>,
    /// `import`, `form` or `api`.
    pub origin: String,
    pub created_by: String,
    pub created_at: DateTimeUtc,
    pub updated_by: String,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
