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
use num_traits::{Signed, ToPrimitive, Zero};

/// Fractions are not reduced after every operation (a gcd per addition would cost more than
/// the addition): equal denominators add directly, and a fraction is reduced only when its
/// denominator grows past these bounds, before it is shown, hashed or tested for divisibility.
const SMALL_REDUCE_AT: i128 = 1 << 62;
const BIG_REDUCE_BITS: u64 = 2048;

#[derive(Clone, Debug)]
enum Repr {
    /// n / d with d > 0, not necessarily reduced.
    Small(i128, i128),
    /// n / d with d > 0, not necessarily reduced.
    Big(Box<(BigInt, BigInt)>),
}

/// An exact rational number.
#[derive(Clone, Debug)]
pub struct Exact(Repr);

fn gcd(a: i128, b: i128) -> i128 {
    a.gcd(&b)
}

/// gcd of big integers, Euclid's first step before num-bigint's binary gcd: the binary gcd
/// subtracts and shifts bit by bit, so for numbers of very different sizes (a sum's large
/// denominator and the next term's small one) one remainder first is far cheaper.
fn big_gcd(a: &BigInt, b: &BigInt) -> BigInt {
    let (a, b) = (a.abs(), b.abs());
    let (large, small) = if a.bits() >= b.bits() { (a, b) } else { (b, a) };
    if small.is_zero() {
        return large;
    }
    if large.bits() > small.bits() + 64 {
        let r = &large % &small;
        return small.gcd(&r);
    }
    large.gcd(&small)
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
        Self::small(n, d).unwrap_or_else(|| Self::big(n.into(), d.into()))
    }

    /// A small fraction with a positive denominator, reduced if the denominator is large.
    fn small(n: i128, d: i128) -> Option<Exact> {
        if d == 0 {
            return None;
        }
        let (mut n, mut d) = if d < 0 { (n.checked_neg()?, d.checked_neg()?) } else { (n, d) };
        if d >= SMALL_REDUCE_AT {
            let g = gcd(n, d);
            n /= g;
            d /= g;
        }
        Some(Exact(Repr::Small(n, d)))
    }

    fn big(n: BigInt, d: BigInt) -> Exact {
        Self::big_reducing(n, d, true)
    }

    /// `reduce`: reduce a large fraction by the gcd of its numerator and denominator. Sums
    /// skip it: they are formed over the least common denominator, which bounds their size
    /// already, and a sum's numerator rarely shares a factor with it — so the gcd of two large
    /// numbers at every addition would be paid for nothing.
    fn big_reducing(n: BigInt, d: BigInt, reduce: bool) -> Exact {
        let (mut n, mut d) = if d.is_negative() { (-n, -d) } else { (n, d) };
        if reduce && d.bits() > BIG_REDUCE_BITS {
            let g = big_gcd(&n, &d);
            n /= &g;
            d /= &g;
        }
        if let (Some(sn), Some(sd)) = (n.to_i128(), d.to_i128())
            && sd < SMALL_REDUCE_AT
        {
            return Exact(Repr::Small(sn, sd));
        }
        Exact(Repr::Big(Box::new((n, d))))
    }

    fn parts(&self) -> (BigInt, BigInt) {
        match &self.0 {
            Repr::Small(n, d) => (BigInt::from(*n), BigInt::from(*d)),
            Repr::Big(b) => (b.0.clone(), b.1.clone()),
        }
    }

    /// The reduced fraction (n, d), d > 0.
    fn reduced(&self) -> (BigInt, BigInt) {
        let (n, d) = self.parts();
        let g = big_gcd(&n, &d);
        if g.is_zero() { (n, d) } else { (n / &g, d / g) }
    }

    pub fn is_zero(&self) -> bool {
        match &self.0 {
            Repr::Small(n, _) => *n == 0,
            Repr::Big(b) => b.0.is_zero(),
        }
    }

    pub fn is_negative(&self) -> bool {
        match &self.0 {
            Repr::Small(n, _) => *n < 0,
            Repr::Big(b) => b.0.is_negative(),
        }
    }

    fn is_integer(&self) -> bool {
        match &self.0 {
            Repr::Small(n, d) => n % d == 0,
            Repr::Big(b) => (&b.0 % &b.1).is_zero(),
        }
    }

    /// Whether this is a whole multiple of `step` (e.g. 0.75 of 0.25).
    pub fn is_multiple_of(&self, step: &Exact) -> bool {
        !step.is_zero() && (self.clone() / step.clone()).is_integer()
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
    /// (documented in docs/framework-format.md). Returns the scaled integer.
    fn rounded_scaled(&self, decimals: u32) -> BigInt {
        let (n, d) = self.parts();
        let n = n * BigInt::from(10u32).pow(decimals);
        let two = BigInt::from(2);
        let mag = (n.abs() * &two + &d) / (d * &two);
        if n.is_negative() { -mag } else { mag }
    }

    /// The smallest whole number not below the value (a sample size: never round people down).
    pub fn ceil(&self) -> BigInt {
        let (n, d) = self.parts();
        n.div_ceil(&d)
    }

    /// The value rounded half away from zero to `decimals` places.
    pub fn round_half_up(&self, decimals: u32) -> Exact {
        Exact::big(self.rounded_scaled(decimals), BigInt::from(10u32).pow(decimals))
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
        if neg { format!("-{s}") } else { s }
    }

    /// Shortest exact decimal if the value has one with at most `max_decimals` places
    /// (trailing zeros trimmed), otherwise `None`.
    pub fn to_exact_decimal(&self, max_decimals: u32) -> Option<String> {
        let (n, d) = self.parts();
        if !((n * BigInt::from(10u32).pow(max_decimals)) % d).is_zero() {
            return None;
        }
        let mut text = self.to_decimal_string(max_decimals);
        if text.contains('.') {
            while text.ends_with('0') {
                text.pop();
            }
            if text.ends_with('.') {
                text.pop();
            }
        }
        if text == "-0" {
            text = "0".into();
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

    /// "n/d" in lowest terms (or "n" for integers): the exact value, for traces and exports.
    pub fn to_fraction_string(&self) -> String {
        let (n, d) = self.reduced();
        if d == BigInt::from(1) { n.to_string() } else { format!("{n}/{d}") }
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
            return Some(Exact::big(n, d));
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
        let digits: BigInt = format!("0{int}{frac}").parse().ok()?;
        let den = BigInt::from(10u32).pow(frac.len() as u32);
        let g = digits.gcd(&den);
        let (n, d) = if g.is_zero() { (digits, den) } else { (digits / &g, den / g) };
        Some(Exact::big(if neg { -n } else { n }, d))
    }

    /// An approximation for charts and statistics only — never for scores.
    pub fn to_f64(&self) -> f64 {
        match &self.0 {
            Repr::Small(n, d) => *n as f64 / *d as f64,
            Repr::Big(b) => {
                let (n, d) = self.reduced();
                let _ = b;
                n.to_f64().unwrap_or(f64::NAN) / d.to_f64().unwrap_or(f64::NAN)
            }
        }
    }
}

/// Many fractions brought to one common denominator, so that sums over a tree become integer
/// additions (no multiplications, no gcd per addition). Used by the scoring engine, where
/// proportional leaves give unrelated denominators whose pairwise sums would be slow.
pub struct Common {
    d: BigInt,
    small: Option<i128>,
    factors: Vec<(i128, BigInt)>,
}

impl Common {
    /// The least common multiple of the denominators of `terms`.
    pub fn of<'a>(terms: impl Iterator<Item = &'a Exact>) -> Common {
        let mut small: Option<i128> = Some(1);
        let mut big = BigInt::from(1);
        for t in terms {
            match (&t.0, small) {
                (Repr::Small(_, d), Some(l)) => {
                    if l % d != 0 {
                        let g = gcd(l, *d);
                        small = (l / g).checked_mul(*d);
                        if small.is_none() {
                            big = BigInt::from(l / g) * BigInt::from(*d);
                        }
                    }
                }
                _ => {
                    if let Some(l) = small.take() {
                        big = BigInt::from(l);
                    }
                    let (_, d) = t.parts();
                    let g = big.gcd(&d);
                    big = &big / g * d;
                }
            }
        }
        let d = match small {
            Some(l) => BigInt::from(l),
            None => big,
        };
        Common { small: d.to_i128(), d, factors: Vec::new() }
    }

    /// Whether every numerator, and every sum of them up to `bound` in absolute value, fits an
    /// i128 (the fast path).
    pub fn fits_i128(&self, bound: &Exact) -> bool {
        let (n, d) = bound.parts();
        match self.small {
            Some(_) => ((n.abs() / d + 1u32) * &self.d).bits() < 120,
            None => false,
        }
    }

    /// `x` as a numerator over the common denominator (fast path; see `fits_i128`).
    pub fn scaled_i128(&self, x: &Exact) -> i128 {
        let l = self.small.expect("checked by fits_i128");
        match &x.0 {
            Repr::Small(n, d) => n * (l / d),
            Repr::Big(b) => (&b.0 * (&self.d / &b.1)).to_i128().expect("checked by fits_i128"),
        }
    }

    /// `x` as a numerator over the common denominator. Factors D/d are remembered per
    /// denominator (a framework has few distinct ones), so each costs one big division.
    pub fn scaled(&mut self, x: &Exact) -> BigInt {
        match &x.0 {
            Repr::Small(n, d) => {
                let factor = match self.factors.iter().find(|(k, _)| k == d) {
                    Some((_, f)) => f,
                    None => {
                        let f = &self.d / BigInt::from(*d);
                        self.factors.push((*d, f));
                        &self.factors[self.factors.len() - 1].1
                    }
                };
                factor * *n
            }
            Repr::Big(b) => &b.0 * (&self.d / &b.1),
        }
    }

    pub fn value_i128(&self, n: i128) -> Exact {
        match self.small {
            Some(l) => Exact::small(n, l).unwrap_or_else(|| Exact::big(n.into(), self.d.clone())),
            None => Exact::big(n.into(), self.d.clone()),
        }
    }

    pub fn value(&self, n: BigInt) -> Exact {
        Exact::big(n, self.d.clone())
    }
}

impl std::ops::Add for Exact {
    type Output = Exact;
    fn add(self, o: Exact) -> Exact {
        if let (Repr::Small(an, ad), Repr::Small(bn, bd)) = (&self.0, &o.0) {
            let (an, ad, bn, bd) = (*an, *ad, *bn, *bd);
            if ad == bd {
                if let Some(n) = an.checked_add(bn) {
                    return Exact(Repr::Small(n, ad));
                }
            } else if bd % ad == 0 || ad % bd == 0 {
                // one denominator divides the other (quarters and halves, thousandths and units)
                let l = ad.max(bd);
                if let Some(v) = (|| Exact::small(an.checked_mul(l / ad)?.checked_add(bn.checked_mul(l / bd)?)?, l))() {
                    return v;
                }
            } else if let Some(v) = (|| {
                let g = gcd(ad, bd);
                let l = (ad / g).checked_mul(bd)?;
                Exact::small(an.checked_mul(l / ad)?.checked_add(bn.checked_mul(l / bd)?)?, l)
            })() {
                return v;
            }
        }
        let ((an, ad), (bn, bd)) = (self.parts(), o.parts());
        if ad == bd {
            return Exact::big_reducing(an + bn, ad, false);
        }
        // over the least common denominator: a running sum's denominator stays the lcm of its
        // terms' instead of their product (which then needs a costly reduction)
        let g = big_gcd(&ad, &bd);
        let (ag, bg) = (&ad / &g, &bd / &g);
        Exact::big_reducing(an * &bg + bn * &ag, ag * bd, false)
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
                None => Exact::big(-BigInt::from(n), d.into()),
            },
            Repr::Big(b) => Exact::big(-b.0, b.1),
        }
    }
}

impl std::ops::Mul for Exact {
    type Output = Exact;
    fn mul(self, o: Exact) -> Exact {
        if let (Repr::Small(an, ad), Repr::Small(bn, bd)) = (&self.0, &o.0) {
            let (an, ad, bn, bd) = (*an, *ad, *bn, *bd);
            if let Some(v) = (|| Exact::small(an.checked_mul(bn)?, ad.checked_mul(bd)?))() {
                return v;
            }
            // cross-reduce and try again before going big
            let g1 = gcd(an, bd).max(1);
            let g2 = gcd(bn, ad).max(1);
            if let Some(v) = (|| Exact::small((an / g1).checked_mul(bn / g2)?, (ad / g2).checked_mul(bd / g1)?))() {
                return v;
            }
        }
        let ((an, ad), (bn, bd)) = (self.parts(), o.parts());
        Exact::big(an * bn, ad * bd)
    }
}

impl std::ops::Div for Exact {
    type Output = Exact;
    /// Panics on division by zero: callers check denominators as input errors first.
    fn div(self, o: Exact) -> Exact {
        assert!(!o.is_zero(), "division by zero");
        let inv = match o.0 {
            Repr::Small(n, d) => Exact::small(d, n).unwrap_or_else(|| Exact::big(d.into(), n.into())),
            Repr::Big(b) => Exact::big(b.1, b.0),
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
            if ad == bd {
                return an.cmp(bn);
            }
            if let (Some(l), Some(r)) = (an.checked_mul(*bd), bn.checked_mul(*ad)) {
                return l.cmp(&r);
            }
        }
        let ((an, ad), (bn, bd)) = (self.parts(), o.parts());
        (an * bd).cmp(&(bn * ad))
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

/// In JSON an exact number is text: a decimal (`"52.75"`) or a fraction (`"475/9"`).
#[cfg(feature = "schema")]
impl utoipa::PartialSchema for Exact {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some("An exact number as text: a decimal (\"52.75\") or a fraction (\"475/9\")."))
            .examples(["52.75", "475/9"])
            .into()
    }
}

#[cfg(feature = "schema")]
impl utoipa::ToSchema for Exact {}

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

    #[test]
    fn big_sums_over_the_least_common_denominator_are_exact() {
        // the analysis' means: hundreds of terms whose denominators differ, far past i128
        let (mut n, mut d) = (BigInt::from(0), BigInt::from(1));
        let mut sum = Exact::ZERO;
        let terms: Vec<Exact> =
            (1..400i128).map(|k| Exact::ratio(k * 1_000_003 + 7, (k * 7919 + 13) * (k % 97 + 2) * 1_000_000_007)).collect();
        for (k, t) in (1..400i128).zip(&terms) {
            let dk = BigInt::from((k * 7919 + 13) * (k % 97 + 2) * 1_000_000_007);
            n = n * &dk + BigInt::from(k * 1_000_003 + 7) * &d;
            d *= dk;
            sum = sum + t.clone();
        }
        assert!(matches!(sum.0, Repr::Big(_)), "the sum left i128");
        assert_eq!(sum, Exact::big(n, d), "equal to the sum over the product of denominators");
        let back = terms.into_iter().fold(sum, |s, t| s - t);
        assert!(back.is_zero(), "and every term taken away leaves exactly zero");
        assert_eq!(big_gcd(&BigInt::from(12), &BigInt::from(-18)), BigInt::from(6));
        assert_eq!(big_gcd(&(BigInt::from(1) << 300u32), &BigInt::from(48)), BigInt::from(16));
        assert_eq!(big_gcd(&BigInt::from(0), &BigInt::from(5)), BigInt::from(5));
    }

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
        assert_eq!(sum.to_fraction_string().split('/').count(), 2);
        let mut back = sum.clone();
        for p in [1_000_003i128, 1_000_033, 1_000_037, 1_000_039, 1_000_081, 1_000_099, 1_000_117] {
            back = back - Exact::ratio(1, p);
        }
        assert_eq!(back, Exact::ZERO);
        assert_eq!(back.to_string(), "0");
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
