//! Units (đơn vị): the agencies, communes and wards being scored. Validation of a unit's
//! fields lives here so that the form, the API and the importers refuse the same things
//! with the same words.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::Msg;
use crate::text::clean;

/// The editable fields of a unit, before validation. Dates are already parsed by the caller.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitInput {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub parent_code: Option<String>,
    pub area: Option<String>,
    pub active_from: Option<NaiveDate>,
    pub active_to: Option<NaiveDate>,
    /// Who to call (issue #17): `None` leaves the unit's contact as it is (the XLSX import of
    /// units has no contact columns and must not erase what the form set).
    #[serde(default)]
    pub contact: Option<Contact>,
}

/// A person or desk to call: a unit's focal officer, the reform office's hotline (issue #17).
/// Every field is optional; a given phone and e-mail must look like one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    /// The focal person (đầu mối) or desk.
    pub person: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

impl Contact {
    pub fn is_empty(&self) -> bool {
        self.person.is_none() && self.phone.is_none() && self.email.is_none()
    }

    /// Trimmed, empties dropped, checked; problems are reported on `contact_person`,
    /// `contact_phone`, `contact_email`.
    pub fn validate(self) -> Result<Contact, Vec<FieldError>> {
        let mut errors = Vec::new();
        let person = self.person.as_deref().map(clean).filter(|p| !p.is_empty());
        if person.as_ref().is_some_and(|p| p.chars().count() > 200) {
            errors.push(FieldError {
                field: "contact_person",
                message: Msg::new("Tên người liên hệ dài tối đa 200 ký tự.", "The contact's name has 200 characters at most."),
            });
        }
        let phone = self.phone.as_deref().map(clean).filter(|p| !p.is_empty());
        if let Some(p) = &phone
            && let Err(m) = check_phone(p)
        {
            errors.push(FieldError { field: "contact_phone", message: m });
        }
        let email = self.email.as_deref().map(str::trim).filter(|e| !e.is_empty()).map(str::to_string);
        if let Some(e) = &email
            && let Err(m) = check_email(e)
        {
            errors.push(FieldError { field: "contact_email", message: m });
        }
        if errors.is_empty() { Ok(Contact { person, phone, email }) } else { Err(errors) }
    }
}

/// A telephone number as people write it: digits with spaces, dots, dashes, parentheses, a
/// leading `+`, and an optional extension after a comma or "máy lẻ"; 6 to 15 digits.
pub fn check_phone(p: &str) -> Result<(), Msg> {
    let main = p.split([',', ';']).next().unwrap_or(p);
    let digits = main.chars().filter(char::is_ascii_digit).count();
    let shape =
        main.chars().enumerate().all(|(i, c)| c.is_ascii_digit() || matches!(c, ' ' | '.' | '-' | '(' | ')') || (c == '+' && i == 0));
    if !shape || !(6..=15).contains(&digits) || p.chars().count() > 40 {
        return Err(Msg::new(
            format!(
                "Số điện thoại “{p}” không hợp lệ: viết các chữ số (6–15 số), có thể có dấu cách, dấu chấm hoặc gạch nối, ví dụ 0236 3822 123."
            ),
            format!(
                "The phone number “{p}” is not valid: write its digits (6–15), with spaces, dots or dashes if you like, e.g. 0236 3822 123."
            ),
        ));
    }
    Ok(())
}

/// An e-mail address: one `@` with a name before it and a domain with a dot after it, no
/// spaces, at most 254 characters.
pub fn check_email(e: &str) -> Result<(), Msg> {
    let ok = e.len() <= 254
        && !e.chars().any(|c| c.is_whitespace() || c == '<' || c == '>' || c == '"')
        && e.split_once('@').is_some_and(|(name, domain)| {
            !name.is_empty() && !domain.contains('@') && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.')
        });
    if ok {
        Ok(())
    } else {
        Err(Msg::new(
            format!("Địa chỉ thư điện tử “{e}” không hợp lệ, ví dụ đúng: cchc@snv.example.gov.vn."),
            format!("The e-mail address “{e}” is not valid; a valid one looks like cchc@snv.example.gov.vn."),
        ))
    }
}

/// One problem with one field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: &'static str,
    pub message: Msg,
}

/// A unit code: 1–32 characters of `A–Z 0–9 . _ -`, stored upper-case.
pub fn normalize_code(raw: &str) -> Result<String, Msg> {
    let code = raw.trim().to_uppercase();
    if code.is_empty() {
        return Err(Msg::new("Mã đơn vị không được để trống.", "The unit code is required."));
    }
    if code.chars().count() > 32 {
        return Err(Msg::new("Mã đơn vị dài tối đa 32 ký tự.", "The unit code has 32 characters at most."));
    }
    if !code.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')) {
        return Err(Msg::new(
            format!("Mã đơn vị “{}” chỉ được gồm chữ không dấu, số và . _ -", raw.trim()),
            format!("The unit code “{}” may only contain letters A–Z, digits and . _ -", raw.trim()),
        ));
    }
    Ok(code)
}

impl UnitInput {
    /// Normalise and check every field; returns the cleaned input or all problems at once.
    /// Whether `kind` and `parent_code` exist is checked by the store, which knows the data.
    pub fn validate(mut self) -> Result<UnitInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        match normalize_code(&self.code) {
            Ok(c) => self.code = c,
            Err(m) => errors.push(FieldError { field: "code", message: m }),
        }
        self.name = clean(&self.name);
        if self.name.is_empty() {
            errors.push(FieldError {
                field: "name", message: Msg::new("Tên đơn vị không được để trống.", "The unit name is required.")
            });
        } else if self.name.chars().count() > 200 {
            errors.push(FieldError {
                field: "name",
                message: Msg::new("Tên đơn vị dài tối đa 200 ký tự.", "The unit name has 200 characters at most."),
            });
        }
        self.kind = self.kind.trim().to_lowercase();
        if self.kind.is_empty() {
            errors.push(FieldError { field: "kind", message: Msg::new("Chọn loại đơn vị.", "Choose the kind of unit.") });
        }
        self.parent_code = match self.parent_code.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(p) => match normalize_code(p) {
                Ok(c) if c == self.code => {
                    errors.push(FieldError {
                        field: "parent_code",
                        message: Msg::new("Đơn vị không thể là đơn vị cha của chính nó.", "A unit cannot be its own parent."),
                    });
                    None
                }
                Ok(c) => Some(c),
                Err(m) => {
                    errors.push(FieldError { field: "parent_code", message: m });
                    None
                }
            },
        };
        self.area = self.area.as_deref().map(clean).filter(|a| !a.is_empty());
        if let (Some(from), Some(to)) = (self.active_from, self.active_to)
            && to < from
        {
            errors.push(FieldError {
                field: "active_to",
                message: Msg::new("Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực.", "The end date must not be before the start date."),
            });
        }
        if let Some(c) = self.contact.take() {
            match c.validate() {
                Ok(c) => self.contact = Some(c),
                Err(e) => errors.extend(e),
            }
        }
        if errors.is_empty() { Ok(self) } else { Err(errors) }
    }
}

/// How one unit descends from another across a reorganisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LineageKind {
    /// The predecessor was merged into the successor (sáp nhập).
    MergedInto,
    /// The successor was split from the predecessor (chia tách).
    SplitFrom,
}

impl LineageKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LineageKind::MergedInto => "merged_into",
            LineageKind::SplitFrom => "split_from",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "merged_into" => Some(LineageKind::MergedInto),
            "split_from" => Some(LineageKind::SplitFrom),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> UnitInput {
        UnitInput { code: " snv ".into(), name: " Sở  Nội vụ ".into(), kind: "Agency".into(), ..Default::default() }
    }

    #[test]
    fn contacts_are_cleaned_and_checked() {
        let c = Contact {
            person: Some("  Lê  Văn An ".into()),
            phone: Some(" 0236 3822 123, máy lẻ 12".into()),
            email: Some(" an@snv.vn ".into()),
        };
        let c = c.validate().unwrap();
        assert_eq!(c.person.as_deref(), Some("Lê Văn An"));
        assert_eq!(c.phone.as_deref(), Some("0236 3822 123, máy lẻ 12"));
        assert_eq!(c.email.as_deref(), Some("an@snv.vn"));
        assert!(Contact { person: Some(" ".into()), ..Default::default() }.validate().unwrap().is_empty());
        for bad in ["12345", "0236 38x2 123", "1234567890123456", "++84 236"] {
            assert!(check_phone(bad).is_err(), "{bad}");
        }
        for good in ["+84 236 3822 123", "(0236) 3.822.123", "1022"] {
            assert_eq!(check_phone(good).is_ok(), good != "1022", "{good}");
        }
        for bad in ["an", "an@", "@snv.vn", "an@snv", "an @snv.vn", "a@b@c.vn", "an@.vn"] {
            assert!(check_email(bad).is_err(), "{bad}");
        }
        let errs = Contact { person: None, phone: Some("abc".into()), email: Some("x".into()) }.validate().unwrap_err();
        let fields: Vec<_> = errs.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["contact_phone", "contact_email"]);
        // a unit's input carries its contact's problems
        let errs =
            UnitInput { contact: Some(Contact { email: Some("x".into()), ..Default::default() }), ..input() }.validate().unwrap_err();
        assert_eq!(errs[0].field, "contact_email");
    }

    #[test]
    fn valid_input_is_normalised() {
        let u = input().validate().unwrap();
        assert_eq!(u.code, "SNV");
        assert_eq!(u.name, "Sở Nội vụ");
        assert_eq!(u.kind, "agency");
    }

    #[test]
    fn every_problem_is_reported() {
        let bad = UnitInput {
            code: "SỞ NV".into(),
            name: "".into(),
            kind: "".into(),
            parent_code: Some("x y".into()),
            area: None,
            active_from: NaiveDate::from_ymd_opt(2025, 7, 1),
            active_to: NaiveDate::from_ymd_opt(2025, 1, 1),
            contact: None,
        };
        let errs = bad.validate().unwrap_err();
        let fields: Vec<_> = errs.iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["code", "name", "kind", "parent_code", "active_to"]);
    }

    #[test]
    fn own_parent_refused() {
        let mut u = input();
        u.parent_code = Some("snv".into());
        assert_eq!(u.validate().unwrap_err()[0].field, "parent_code");
    }
}

/// One row of a unit import file, parsed but not yet checked against the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitImportRow {
    /// Row number as the user sees it in the file (the header is row 1).
    pub row: usize,
    pub input: UnitInput,
    /// Codes of units merged into this one.
    pub merged_from: Vec<String>,
    /// Code of the unit this one was split from.
    pub split_from: Option<String>,
}

/// A problem with one row (and field) of an import file. Row 0 means the file as a whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    pub row: usize,
    pub field: String,
    pub message: Msg,
}
