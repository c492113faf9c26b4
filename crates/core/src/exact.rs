//! Exact numbers for scores: rationals that stay exact through every rule (including
//! proportional ones such as 2 × 95/97) and every sum. Rounding happens once, when a number is
//! shown (`round_half_up`, `to_decimal_string`). Small values live in an i128 fraction; any
//! operation that would overflow moves to an arbitrary-precision fraction, so no result is ever
//! wrong, only slower.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use num_bigint::BigInt;
use num_integer::Integer;
use num_rational::BigRational;
use num_traits::{Signed, ToPrimitive, Zero};

#[derive(Clone, Debug)]
enum Repr {
    /// n / d with d > 0 and gcd(n, d) = 1.
    Small(i128, i128),
    Big(Box<BigRational>),
}

/// An exact rational number.
#[derive(Clone, Debug)]
pub struct Exact(Repr);

fn gcd(a: i128, b: i128) -> i128 {
    a.gcd(&b)
}

impl Exact {
    pub const ZERO: Exact = Exact(Repr::Small(0, 1));
    pub const ONE: Exact = Exact(Repr::Small(1, 1));
    pub const HUNDRED: Exact = Exact(Repr::Small(100, 1));

    pub fn int(n: i64) -> Exact {
        Exact(Repr::Small(n as i128, 1))
    }

    /// n / d; panics when d is zero (callers check denominators as input errors first).
    pub fn ratio(n: i128, d: i128) -> Exact {
        assert!(d != 0, "zero denominator");
        Self::small(n, d).unwrap_or_else(|| Self::big(BigRational::new(n.into(), d.into())))
    }

    fn small(n: i128, d: i128) -> Option<Exact> {
        if d == 0 {
            return None;
        }
        let g = gcd(n, d);
        let (mut n, mut d) = (n / g, d / g);
        if d < 0 {
            n = n.checked_neg()?;
            d = d.checked_neg()?;
        }
        Some(Exact(Repr::Small(n, d)))
    }

    fn big(r: BigRational) -> Exact {
        // come back to the fast form when the value fits again
        if let (Some(n), Some(d)) = (r.numer().to_i128(), r.denom().to_i128()) {
            return Exact(Repr::Small(n, d));
        }
        Exact(Repr::Big(Box::new(r)))
    }

    fn to_big(&self) -> BigRational {
        match &self.0 {
            Repr::Small(n, d) => BigRational::new_raw(BigInt::from(*n), BigInt::from(*d)),
            Repr::Big(b) => (**b).clone(),
        }
    }

    pub fn is_zero(&self) -> bool {
        match &self.0 {
            Repr::Small(n, _) => *n == 0,
            Repr::Big(b) => b.is_zero(),
        }
    }

    pub fn is_negative(&self) -> bool {
        match &self.0 {
            Repr::Small(n, _) => *n < 0,
            Repr::Big(b) => b.is_negative(),
        }
    }

    /// Whether this is a whole multiple of `step` (e.g. 0.75 of 0.25).
    pub fn is_multiple_of(&self, step: &Exact) -> bool {
        if step.is_zero() {
            return false;
        }
        let q = self.clone() / step.clone();
        match &q.0 {
            Repr::Small(_, d) => *d == 1,
            Repr::Big(b) => b.is_integer(),
        }
    }

    pub fn min(self, other: Exact) -> Exact {
        if self <= other { self } else { other }
    }

    pub fn max(self, other: Exact) -> Exact {
        if self >= other { self } else { other }
    }

    /// Clamp into `lo..=hi`.
    pub fn clamp(self, lo: &Exact, hi: &Exact) -> Exact {
        if &self < lo {
            lo.clone()
        } else if &self > hi {
            hi.clone()
        } else {
            self
        }
    }

    /// Round half away from zero to `decimals` places: the one rounding of the product
    /// (documented in docs/scoring.md). Returns the rounded value as (scaled integer, decimals).
    fn rounded_scaled(&self, decimals: u32) -> BigInt {
        let scale = BigInt::from(10u32).pow(decimals);
        let r = self.to_big();
        let scaled = r * BigRational::from_integer(scale);
        let (n, d) = (scaled.numer().clone(), scaled.denom().clone());
        let two = BigInt::from(2);
        // |n|/d rounded half up, then sign restored
        let mag = (n.abs() * &two + &d) / (d * &two);
        if n.is_negative() { -mag } else { mag }
    }

    /// The value rounded half away from zero to `decimals` places.
    pub fn round_half_up(&self, decimals: u32) -> Exact {
        let scaled = self.rounded_scaled(decimals);
        Exact::big(BigRational::new(scaled, BigInt::from(10u32).pow(decimals)))
    }

    /// A decimal string rounded to `decimals` places with `.` as separator ("87.45").
    pub fn to_decimal_string(&self, decimals: u32) -> String {
        let scaled = self.rounded_scaled(decimals);
        let neg = scaled.is_negative();
        let digits = scaled.abs().to_string();
        let s = if decimals == 0 {
            digits
        } else {
            let d = decimals as usize;
            let padded = format!("{digits:0>width$}", width = d + 1);
            let (int, frac) = padded.split_at(padded.len() - d);
            format!("{int}.{frac}")
        };
        if neg && scaled != BigInt::zero() { format!("-{s}") } else { s }
    }

    /// Shortest exact decimal if the value has one with at most `max_decimals` places
    /// (trailing zeros trimmed), otherwise `None`.
    pub fn to_exact_decimal(&self, max_decimals: u32) -> Option<String> {
        let r = self.to_big();
        let scale = BigInt::from(10u32).pow(max_decimals);
        let scaled = r * BigRational::from_integer(scale);
        if !scaled.is_integer() {
            return None;
        }
        let s = Exact::big(scaled / BigRational::from_integer(BigInt::from(10u32).pow(max_decimals)));
        let mut text = s.to_decimal_string(max_decimals);
        if text.contains('.') {
            while text.ends_with('0') {
                text.pop();
            }
            if text.ends_with('.') {
                text.pop();
            }
        }
        Some(text)
    }

    /// Vietnamese display: comma as decimal separator, dot for thousands ("1.234,50").
    pub fn to_vi(&self, decimals: u32) -> String {
        let s = self.to_decimal_string(decimals);
        let (sign, s) = s.strip_prefix('-').map(|r| ("-", r)).unwrap_or(("", s.as_str()));
        let (int, frac) = s.split_once('.').unwrap_or((s, ""));
        let mut grouped = String::new();
        for (i, ch) in int.chars().enumerate() {
            if i > 0 && (int.len() - i) % 3 == 0 {
                grouped.push('.');
            }
            grouped.push(ch);
        }
        if frac.is_empty() { format!("{sign}{grouped}") } else { format!("{sign}{grouped},{frac}") }
    }

    /// "n/d" (or "n" for integers): the exact value, for traces and exports.
    pub fn to_fraction_string(&self) -> String {
        match &self.0 {
            Repr::Small(n, 1) => n.to_string(),
            Repr::Small(n, d) => format!("{n}/{d}"),
            Repr::Big(b) if b.is_integer() => b.numer().to_string(),
            Repr::Big(b) => format!("{}/{}", b.numer(), b.denom()),
        }
    }

    /// Parse "12", "1.25", "1,25" (Vietnamese comma), "-0.5" or "3/7".
    pub fn parse(s: &str) -> Option<Exact> {
        let t = s.trim();
        if t.is_empty() {
            return None;
        }
        if let Some((n, d)) = t.split_once('/') {
            let n: BigInt = n.trim().parse().ok()?;
            let d: BigInt = d.trim().parse().ok()?;
            if d.is_zero() {
                return None;
            }
            return Some(Exact::big(BigRational::new(n, d)));
        }
        let t = t.replace(',', ".");
        let (neg, body) = match t.strip_prefix('-') {
            Some(b) => (true, b.to_string()),
            None => (false, t.trim_start_matches('+').to_string()),
        };
        let (int, frac) = body.split_once('.').unwrap_or((body.as_str(), ""));
        if int.is_empty() && frac.is_empty() {
            return None;
        }
        if !int.chars().all(|c| c.is_ascii_digit()) || !frac.chars().all(|c| c.is_ascii_digit()) || frac.len() > 30 {
            return None;
        }
        let digits: BigInt = format!("{int}{frac}").trim_start_matches('0').parse().unwrap_or_else(|_| BigInt::zero());
        let den = BigInt::from(10u32).pow(frac.len() as u32);
        let v = Exact::big(BigRational::new(if neg { -digits } else { digits }, den));
        Some(v)
    }

    /// An approximation for charts and statistics only — never for scores.
    pub fn to_f64(&self) -> f64 {
        match &self.0 {
            Repr::Small(n, d) => *n as f64 / *d as f64,
            Repr::Big(b) => b.to_f64().unwrap_or(f64::NAN),
        }
    }
}

macro_rules! small_or_big {
    ($a:expr, $b:expr, |$an:ident, $ad:ident, $bn:ident, $bd:ident| $small:expr, |$x:ident, $y:ident| $big:expr) => {
        match (&$a.0, &$b.0) {
            (Repr::Small($an, $ad), Repr::Small($bn, $bd)) => {
                let ($an, $ad, $bn, $bd) = (*$an, *$ad, *$bn, *$bd);
                match $small {
                    Some(v) => v,
                    None => {
                        let ($x, $y) = ($a.to_big(), $b.to_big());
                        Exact::big($big)
                    }
                }
            }
            _ => {
                let ($x, $y) = ($a.to_big(), $b.to_big());
                Exact::big($big)
            }
        }
    };
}

impl std::ops::Add for Exact {
    type Output = Exact;
    fn add(self, o: Exact) -> Exact {
        small_or_big!(self, o, |an, ad, bn, bd| {
            if ad == bd {
                an.checked_add(bn).and_then(|n| Exact::small(n, ad))
            } else {
                let g = gcd(ad, bd);
                (|| {
                    let l = (ad / g).checked_mul(bd)?;
                    let n = an.checked_mul(l / ad)?.checked_add(bn.checked_mul(l / bd)?)?;
                    Exact::small(n, l)
                })()
            }
        }, |x, y| x + y)
    }
}

impl std::ops::Sub for Exact {
    type Output = Exact;
    fn sub(self, o: Exact) -> Exact {
        self + (-o)
    }
}

impl std::ops::Neg for Exact {
    type Output = Exact;
    fn neg(self) -> Exact {
        match self.0 {
            Repr::Small(n, d) => match n.checked_neg() {
                Some(m) => Exact(Repr::Small(m, d)),
                None => Exact::big(-BigRational::new_raw(n.into(), d.into())),
            },
            Repr::Big(b) => Exact::big(-*b),
        }
    }
}

impl std::ops::Mul for Exact {
    type Output = Exact;
    fn mul(self, o: Exact) -> Exact {
        small_or_big!(self, o, |an, ad, bn, bd| {
            // cross-reduce first to keep numbers small
            let g1 = gcd(an, bd).max(1);
            let g2 = gcd(bn, ad).max(1);
            (|| Exact::small((an / g1).checked_mul(bn / g2)?, (ad / g2).checked_mul(bd / g1)?))()
        }, |x, y| x * y)
    }
}

impl std::ops::Div for Exact {
    type Output = Exact;
    /// Panics on division by zero: callers check denominators as input errors first.
    fn div(self, o: Exact) -> Exact {
        assert!(!o.is_zero(), "division by zero");
        let inv = match o.0 {
            Repr::Small(n, d) => Exact::small(d, n).unwrap_or_else(|| Exact::big(BigRational::new(d.into(), n.into()))),
            Repr::Big(b) => Exact::big(b.recip()),
        };
        self * inv
    }
}

impl std::iter::Sum for Exact {
    fn sum<I: Iterator<Item = Exact>>(iter: I) -> Exact {
        iter.fold(Exact::ZERO, |a, b| a + b)
    }
}

impl PartialEq for Exact {
    fn eq(&self, o: &Exact) -> bool {
        self.cmp(o) == Ordering::Equal
    }
}
impl Eq for Exact {}

impl PartialOrd for Exact {
    fn partial_cmp(&self, o: &Exact) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}

impl Ord for Exact {
    fn cmp(&self, o: &Exact) -> Ordering {
        if let (Repr::Small(an, ad), Repr::Small(bn, bd)) = (&self.0, &o.0) {
            if let (Some(l), Some(r)) = (an.checked_mul(*bd), bn.checked_mul(*ad)) {
                return l.cmp(&r);
            }
        }
        self.to_big().cmp(&o.to_big())
    }
}

impl std::hash::Hash for Exact {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.to_fraction_string().hash(h)
    }
}

impl fmt::Display for Exact {
    /// The exact value: a finite decimal when there is one (up to 12 places), else "n/d".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.to_exact_decimal(12) {
            Some(s) => f.write_str(&s),
            None => f.write_str(&self.to_fraction_string()),
        }
    }
}

impl FromStr for Exact {
    type Err = String;
    fn from_str(s: &str) -> Result<Exact, String> {
        Exact::parse(s).ok_or_else(|| format!("“{s}” is not a number"))
    }
}

impl serde::Serialize for Exact {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> serde::Deserialize<'de> for Exact {
    /// Accepts numbers and strings ("1.25", "1,25", "3/7"). A float is read through its
    /// shortest decimal form, so 0.1 in a file is exactly one tenth.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Exact, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Exact;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number such as 1.25 or \"1,25\"")
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Exact, E> {
                Ok(Exact::int(v))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Exact, E> {
                Ok(Exact::ratio(v as i128, 1))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Exact, E> {
                if !v.is_finite() {
                    return Err(E::custom("not a finite number"));
                }
                Exact::parse(&format!("{v}")).ok_or_else(|| E::custom(format!("{v} is not a number")))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Exact, E> {
                Exact::parse(v).ok_or_else(|| E::custom(format!("“{v}” is not a number")))
            }
        }
        d.deserialize_any(V)
    }
}

impl Default for Exact {
    fn default() -> Exact {
        Exact::ZERO
    }
}

impl From<i64> for Exact {
    fn from(n: i64) -> Exact {
        Exact::int(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(s: &str) -> Exact {
        Exact::parse(s).unwrap()
    }

    #[test]
    fn parse_and_show() {
        assert_eq!(e("1,25"), Exact::ratio(5, 4));
        assert_eq!(e("-0.5").to_string(), "-0.5");
        assert_eq!(e("3/6").to_string(), "0.5");
        assert_eq!(e("1/3").to_string(), "1/3");
        assert_eq!(e("007.100").to_string(), "7.1");
        assert!(Exact::parse("1.2.3").is_none() && Exact::parse("abc").is_none() && Exact::parse("1/0").is_none());
    }

    #[test]
    fn rounding_is_half_away_from_zero_and_only_for_display() {
        assert_eq!(e("0.125").to_decimal_string(2), "0.13");
        assert_eq!(e("-0.125").to_decimal_string(2), "-0.13");
        assert_eq!(e("2/3").to_decimal_string(2), "0.67");
        assert_eq!(e("0.004").to_decimal_string(2), "0.00");
        assert_eq!(e("87.454999").to_decimal_string(2), "87.45");
        assert_eq!(e("1234.5").to_vi(2), "1.234,50");
        assert_eq!(e("87.45").to_vi(2), "87,45");
        // three thirds are exactly one: no rounding in the middle
        let third = Exact::ratio(1, 3);
        assert_eq!(third.clone() + third.clone() + third, Exact::ONE);
    }

    #[test]
    fn overflow_moves_to_big_and_back() {
        let mut sum = Exact::ZERO;
        // denominators whose LCM overflows i128
        for p in [1_000_003i128, 1_000_033, 1_000_037, 1_000_039, 1_000_081, 1_000_099, 1_000_117] {
            sum = sum + Exact::ratio(1, p);
        }
        assert!(matches!(sum.0, Repr::Big(_)));
        let mut back = sum.clone();
        for p in [1_000_003i128, 1_000_033, 1_000_037, 1_000_039, 1_000_081, 1_000_099, 1_000_117] {
            back = back - Exact::ratio(1, p);
        }
        assert_eq!(back, Exact::ZERO);
        assert!(matches!(back.0, Repr::Small(0, 1)));
        assert!(sum > Exact::ZERO && sum < Exact::ONE);
    }

    #[test]
    fn serde_reads_floats_through_their_decimal() {
        let v: Exact = serde_json::from_str("0.1").unwrap();
        assert_eq!(v, Exact::ratio(1, 10));
        let v: Exact = serde_json::from_str("\"1,5\"").unwrap();
        assert_eq!(v, Exact::ratio(3, 2));
        assert_eq!(serde_json::to_string(&Exact::ratio(1, 3)).unwrap(), "\"1/3\"");
    }

    #[test]
    fn multiples() {
        assert!(e("0.75").is_multiple_of(&e("0.25")));
        assert!(!e("0.8").is_multiple_of(&e("0.25")));
    }
}
