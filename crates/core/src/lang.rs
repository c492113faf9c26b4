//! The reader's language and the one way numbers are written for them (issue #16: formatting
//! was written a dozen times). Vietnamese writes decimals with a comma and groups thousands
//! with a dot (`1.234,5`); English with a point and no grouping (`1234.5`).

use crate::Exact;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    Vi,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    pub fn parse(s: &str) -> Option<Lang> {
        match s.trim() {
            "vi" => Some(Lang::Vi),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The Vietnamese or the English text.
    pub fn pick<'a>(self, vi: &'a str, en: &'a str) -> &'a str {
        if self == Lang::En { en } else { vi }
    }

    /// A number rounded to `decimals` places (half away from zero), as the reader writes it.
    pub fn num(self, x: &Exact, decimals: u32) -> String {
        if self == Lang::En { x.to_decimal_string(decimals) } else { x.to_vi(decimals) }
    }

    /// A number as it is, without rounding (a finite decimal, or a fraction).
    pub fn exact(self, x: &Exact) -> String {
        self.decimal(&x.to_string())
    }

    /// A number already written with a decimal point (`"87.45"`, `"12.5"`) in the reader's way.
    pub fn decimal(self, s: &str) -> String {
        if self == Lang::En { s.to_string() } else { s.replace('.', ",") }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_number_two_ways() {
        let x = Exact::parse("1234.567").unwrap();
        assert_eq!(Lang::Vi.num(&x, 2), "1.234,57");
        assert_eq!(Lang::En.num(&x, 2), "1234.57");
        assert_eq!(Lang::Vi.exact(&x), "1234,567");
        assert_eq!(Lang::Vi.decimal("87.5"), "87,5");
        assert_eq!(Lang::parse(" en "), Some(Lang::En));
    }
}
