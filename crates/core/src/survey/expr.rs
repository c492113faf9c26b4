//! Skip logic and constraints of questionnaires: the small expression language XLSForm uses
//! (`${q} = 'co'`, `${tuoi} >= 18 and ${tuoi} < 60`, `selected(${kenh}, 'web')`,
//! `count-selected(.) <= 3`, `not(…)`), parsed once and evaluated on the server — the public
//! survey page works without JavaScript, so the server decides what is shown and accepted.
//!
//! Values are text, numbers (exact decimals) or lists of selected keys; an unanswered question
//! is empty. Comparisons with an empty value are false (as in ODK), so a question shown only
//! "if ${q} = 'co'" stays hidden until q is answered.

use std::collections::BTreeMap;

use crate::Exact;

/// An answer as expressions see it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Empty,
    Text(String),
    Number(Exact),
    /// Keys of a multiple choice, in the order chosen.
    Selected(Vec<String>),
}

impl Value {
    fn number(&self) -> Option<Exact> {
        match self {
            Value::Number(n) => Some(n.clone()),
            Value::Text(t) => t.trim().parse().ok(),
            _ => None,
        }
    }

    fn text(&self) -> String {
        match self {
            Value::Empty => String::new(),
            Value::Text(t) => t.clone(),
            Value::Number(n) => n.to_string(),
            Value::Selected(v) => v.join(" "),
        }
    }

    fn truthy(&self) -> bool {
        match self {
            Value::Empty => false,
            Value::Text(t) => !t.is_empty() && t != "false",
            Value::Number(n) => !n.is_zero(),
            Value::Selected(v) => !v.is_empty(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
    Add,
    Sub,
    Mul,
    Div,
}

/// A parsed expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// `${name}`
    Ref(String),
    /// `.` — the question's own answer (in constraints)
    Current,
    Text(String),
    Number(Exact),
    Bool(bool),
    Not(Box<Expr>),
    Neg(Box<Expr>),
    Binary(Op, Box<Expr>, Box<Expr>),
    /// `selected(x, 'key')`
    Selected(Box<Expr>, Box<Expr>),
    /// `count-selected(x)`
    CountSelected(Box<Expr>),
    /// `string-length(x)`
    StringLength(Box<Expr>),
}

/// Why an expression cannot be read: where (character offset) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExprError {
    pub at: usize,
    pub vi: String,
    pub en: String,
}

impl std::fmt::Display for ExprError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (ký tự {}) / {} (character {})", self.vi, self.at + 1, self.en, self.at + 1)
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ref(String),
    Dot,
    Text(String),
    Number(Exact),
    Ident(String),
    Op(Op),
    LParen,
    RParen,
    Comma,
}

fn err(at: usize, vi: impl Into<String>, en: impl Into<String>) -> ExprError {
    ExprError { at, vi: vi.into(), en: en.into() }
}

fn lex(src: &str) -> Result<Vec<(usize, Tok)>, ExprError> {
    let chars: Vec<(usize, char)> = src.char_indices().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let (at, c) = chars[i];
        match c {
            ' ' | '\t' | '\n' | '\r' => i += 1,
            '$' => {
                if chars.get(i + 1).map(|x| x.1) != Some('{') {
                    return Err(err(at, "Sau “$” phải là “{tên}”.", "“$” must be followed by “{name}”."));
                }
                let close = chars[i..].iter().position(|x| x.1 == '}').ok_or_else(|| err(at, "Thiếu “}”.", "Missing “}”."))?;
                let name: String = chars[i + 2..i + close].iter().map(|x| x.1).collect();
                if name.trim().is_empty() {
                    return Err(err(at, "Tên câu hỏi trống trong ${…}.", "Empty question name in ${…}."));
                }
                out.push((at, Tok::Ref(name.trim().to_string())));
                i += close + 1;
            }
            '\'' | '"' => {
                let close =
                    chars[i + 1..].iter().position(|x| x.1 == c).ok_or_else(|| err(at, "Chuỗi chưa đóng dấu nháy.", "Unclosed quote."))?;
                out.push((at, Tok::Text(chars[i + 1..i + 1 + close].iter().map(|x| x.1).collect())));
                i += close + 2;
            }
            '‘' | '’' | '“' | '”' => {
                return Err(err(
                    at,
                    "Dấu nháy kiểu chữ (‘ ’ “ ”) không dùng được trong biểu thức; hãy gõ dấu nháy thẳng ' hoặc \".",
                    "Typographic quotes (‘ ’ “ ”) are not valid in an expression; type a straight ' or \".",
                ));
            }
            '(' => {
                out.push((at, Tok::LParen));
                i += 1;
            }
            ')' => {
                out.push((at, Tok::RParen));
                i += 1;
            }
            ',' => {
                out.push((at, Tok::Comma));
                i += 1;
            }
            '=' => {
                out.push((at, Tok::Op(Op::Eq)));
                i += 1;
            }
            '!' if chars.get(i + 1).map(|x| x.1) == Some('=') => {
                out.push((at, Tok::Op(Op::Ne)));
                i += 2;
            }
            '<' | '>' => {
                let eq = chars.get(i + 1).map(|x| x.1) == Some('=');
                let op = match (c, eq) {
                    ('<', false) => Op::Lt,
                    ('<', true) => Op::Le,
                    ('>', false) => Op::Gt,
                    _ => Op::Ge,
                };
                out.push((at, Tok::Op(op)));
                i += 1 + usize::from(eq);
            }
            '+' => {
                out.push((at, Tok::Op(Op::Add)));
                i += 1;
            }
            '-' => {
                out.push((at, Tok::Op(Op::Sub)));
                i += 1;
            }
            '*' => {
                out.push((at, Tok::Op(Op::Mul)));
                i += 1;
            }
            '.' if !chars.get(i + 1).is_some_and(|x| x.1.is_ascii_digit()) => {
                out.push((at, Tok::Dot));
                i += 1;
            }
            c if c.is_ascii_digit() || c == '.' => {
                let end = chars[i..].iter().position(|x| !(x.1.is_ascii_digit() || x.1 == '.')).map_or(chars.len(), |p| i + p);
                let text: String = chars[i..end].iter().map(|x| x.1).collect();
                let n = text.parse().map_err(|_| err(at, format!("Số không hợp lệ: {text}."), format!("Not a number: {text}.")))?;
                out.push((at, Tok::Number(n)));
                i = end;
            }
            c if c.is_alphabetic() || c == '_' => {
                let end =
                    chars[i..].iter().position(|x| !(x.1.is_alphanumeric() || x.1 == '_' || x.1 == '-')).map_or(chars.len(), |p| i + p);
                let word: String = chars[i..end].iter().map(|x| x.1).collect();
                let tok = match word.as_str() {
                    "and" => Tok::Op(Op::And),
                    "or" => Tok::Op(Op::Or),
                    "div" => Tok::Op(Op::Div),
                    _ => Tok::Ident(word),
                };
                out.push((at, tok));
                i = end;
            }
            _ => return Err(err(at, format!("Ký tự không dùng được: “{c}”."), format!("Unexpected character: “{c}”."))),
        }
    }
    Ok(out)
}

/// Longest expression accepted, in characters (real forms' longest are a few hundred).
pub const MAX_EXPR_CHARS: usize = 4_000;
/// Deepest nesting of parentheses, functions and signs accepted.
pub const MAX_EXPR_NESTING: usize = 48;
/// Most operators in one expression: with the nesting limit it bounds the tree's depth, so
/// parsing, evaluating and dropping an expression never run out of stack.
pub const MAX_EXPR_OPERATORS: usize = 1_000;

struct Parser {
    toks: Vec<(usize, Tok)>,
    pos: usize,
    len: usize,
    nesting: usize,
    operators: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|t| &t.1)
    }

    fn at(&self) -> usize {
        self.toks.get(self.pos).map_or(self.len, |t| t.0)
    }

    fn expect(&mut self, want: Tok, vi: &str, en: &str) -> Result<(), ExprError> {
        if self.peek() == Some(&want) {
            self.pos += 1;
            Ok(())
        } else {
            Err(err(self.at(), vi, en))
        }
    }

    fn binary(&mut self, level: usize) -> Result<Expr, ExprError> {
        const LEVELS: &[&[Op]] =
            &[&[Op::Or], &[Op::And], &[Op::Eq, Op::Ne], &[Op::Lt, Op::Le, Op::Gt, Op::Ge], &[Op::Add, Op::Sub], &[Op::Mul, Op::Div]];
        if level == LEVELS.len() {
            return self.unary();
        }
        let mut left = self.binary(level + 1)?;
        while let Some(Tok::Op(op)) = self.peek() {
            let op = *op;
            if !LEVELS[level].contains(&op) {
                break;
            }
            self.operators += 1;
            if self.operators > MAX_EXPR_OPERATORS {
                return Err(err(
                    self.at(),
                    format!(
                        "Biểu thức có quá nhiều phép toán (tối đa {MAX_EXPR_OPERATORS}); hãy tách thành các câu hỏi tính toán nhỏ hơn."
                    ),
                    format!("Too many operators in one expression (at most {MAX_EXPR_OPERATORS}); split it into smaller calculations."),
                ));
            }
            self.pos += 1;
            let right = self.binary(level + 1)?;
            left = Expr::Binary(op, Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, ExprError> {
        self.nesting += 1;
        let e = self.unary_nested();
        self.nesting -= 1;
        e
    }

    fn unary_nested(&mut self) -> Result<Expr, ExprError> {
        let at = self.at();
        if self.nesting > MAX_EXPR_NESTING {
            return Err(err(
                at,
                format!("Biểu thức lồng quá sâu (tối đa {MAX_EXPR_NESTING} tầng ngoặc, hàm hoặc dấu)."),
                format!("The expression is nested too deeply (at most {MAX_EXPR_NESTING} levels of parentheses, functions or signs)."),
            ));
        }
        let Some(tok) = self.peek().cloned() else {
            return Err(err(at, "Biểu thức kết thúc giữa chừng.", "The expression ends too early."));
        };
        self.pos += 1;
        Ok(match tok {
            Tok::Ref(name) => Expr::Ref(name),
            Tok::Dot => Expr::Current,
            Tok::Text(t) => Expr::Text(t),
            Tok::Number(n) => Expr::Number(n),
            Tok::Op(Op::Sub) => Expr::Neg(Box::new(self.unary()?)),
            Tok::LParen => {
                let e = self.binary(0)?;
                self.expect(Tok::RParen, "Thiếu “)”.", "Missing “)”.")?;
                e
            }
            Tok::Ident(f) => {
                self.expect(Tok::LParen, &format!("Sau “{f}” phải có “(”."), &format!("“{f}” must be followed by “(”."))?;
                let mut args = Vec::new();
                if self.peek() != Some(&Tok::RParen) {
                    loop {
                        args.push(self.binary(0)?);
                        if self.peek() == Some(&Tok::Comma) {
                            self.pos += 1;
                        } else {
                            break;
                        }
                    }
                }
                self.expect(Tok::RParen, "Thiếu “)”.", "Missing “)”.")?;
                let arity = |n: usize| -> Result<(), ExprError> {
                    if args.len() == n {
                        Ok(())
                    } else {
                        Err(err(at, format!("Hàm {f} cần {n} tham số."), format!("Function {f} takes {n} arguments.")))
                    }
                };
                let mut it = args.clone().into_iter().map(Box::new);
                match f.as_str() {
                    "true" => arity(0).map(|_| Expr::Bool(true))?,
                    "false" => arity(0).map(|_| Expr::Bool(false))?,
                    "not" => arity(1).map(|_| Expr::Not(it.next().expect("one")))?,
                    "selected" => arity(2).map(|_| Expr::Selected(it.next().expect("two"), it.next().expect("two")))?,
                    "count-selected" => arity(1).map(|_| Expr::CountSelected(it.next().expect("one")))?,
                    "string-length" => arity(1).map(|_| Expr::StringLength(it.next().expect("one")))?,
                    _ => {
                        return Err(err(
                            at,
                            format!("Hàm “{f}” chưa được hỗ trợ (dùng được: selected, count-selected, string-length, not, true, false)."),
                            format!(
                                "Function “{f}” is not supported (available: selected, count-selected, string-length, not, true, false)."
                            ),
                        ));
                    }
                }
            }
            Tok::Op(_) | Tok::RParen | Tok::Comma => {
                return Err(err(at, "Thiếu giá trị trước dấu này.", "A value is missing before this."));
            }
        })
    }
}

/// Parse an expression; every error names the character where it is.
pub fn parse(src: &str) -> Result<Expr, ExprError> {
    let chars = src.chars().count();
    if chars > MAX_EXPR_CHARS {
        return Err(err(
            0,
            format!("Biểu thức dài {chars} ký tự, quá giới hạn {MAX_EXPR_CHARS}; hãy rút gọn hoặc tách thành nhiều câu hỏi."),
            format!("The expression has {chars} characters, more than the limit of {MAX_EXPR_CHARS}; shorten or split it."),
        ));
    }
    let toks = lex(src)?;
    if toks.is_empty() {
        return Err(err(0, "Biểu thức trống.", "Empty expression."));
    }
    let mut p = Parser { toks, pos: 0, len: src.len(), nesting: 0, operators: 0 };
    let e = p.binary(0)?;
    if p.pos < p.toks.len() {
        return Err(err(p.at(), "Thừa phần sau biểu thức.", "Unexpected text after the expression."));
    }
    Ok(e)
}

impl Expr {
    /// The question names the expression reads (`${…}`), in order of appearance.
    pub fn refs(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.walk(&mut |e| {
            if let Expr::Ref(n) = e {
                out.push(n.as_str());
            }
        });
        out
    }

    fn walk<'a>(&'a self, f: &mut impl FnMut(&'a Expr)) {
        f(self);
        match self {
            Expr::Not(a) | Expr::Neg(a) | Expr::CountSelected(a) | Expr::StringLength(a) => a.walk(f),
            Expr::Binary(_, a, b) | Expr::Selected(a, b) => {
                a.walk(f);
                b.walk(f);
            }
            _ => {}
        }
    }

    /// Evaluate against the answers given so far (`current` is `.`).
    pub fn eval(&self, answers: &BTreeMap<String, Value>, current: &Value) -> Value {
        match self {
            Expr::Ref(n) => answers.get(n).cloned().unwrap_or(Value::Empty),
            Expr::Current => current.clone(),
            Expr::Text(t) => Value::Text(t.clone()),
            Expr::Number(n) => Value::Number(n.clone()),
            Expr::Bool(b) => bool_value(*b),
            Expr::Not(a) => bool_value(!a.eval(answers, current).truthy()),
            Expr::Neg(a) => a.eval(answers, current).number().map_or(Value::Empty, |n| Value::Number(Exact::ZERO - n)),
            Expr::Selected(a, k) => {
                let key = k.eval(answers, current).text();
                bool_value(match a.eval(answers, current) {
                    Value::Selected(v) => v.contains(&key),
                    Value::Text(t) => t.split_whitespace().any(|x| x == key),
                    _ => false,
                })
            }
            Expr::CountSelected(a) => Value::Number(Exact::int(match a.eval(answers, current) {
                Value::Selected(v) => v.len() as i64,
                Value::Text(t) => t.split_whitespace().count() as i64,
                _ => 0,
            })),
            Expr::StringLength(a) => Value::Number(Exact::int(a.eval(answers, current).text().chars().count() as i64)),
            Expr::Binary(op, a, b) => {
                let (x, y) = (a.eval(answers, current), b.eval(answers, current));
                match op {
                    Op::And => bool_value(x.truthy() && y.truthy()),
                    Op::Or => bool_value(x.truthy() || y.truthy()),
                    Op::Add | Op::Sub | Op::Mul | Op::Div => match (x.number(), y.number()) {
                        (Some(p), Some(q)) => match op {
                            Op::Add => Value::Number(p + q),
                            Op::Sub => Value::Number(p - q),
                            Op::Mul => Value::Number(p * q),
                            _ if q.is_zero() => Value::Empty,
                            _ => Value::Number(p / q),
                        },
                        _ => Value::Empty,
                    },
                    _ => {
                        if x == Value::Empty || y == Value::Empty {
                            return bool_value(false);
                        }
                        let ord = match (x.number(), y.number()) {
                            (Some(p), Some(q)) => p.cmp(&q),
                            _ => x.text().cmp(&y.text()),
                        };
                        bool_value(match op {
                            Op::Eq => ord.is_eq(),
                            Op::Ne => ord.is_ne(),
                            Op::Lt => ord.is_lt(),
                            Op::Le => ord.is_le(),
                            Op::Gt => ord.is_gt(),
                            _ => ord.is_ge(),
                        })
                    }
                }
            }
        }
    }

    /// Whether the expression holds (a relevance or a constraint).
    pub fn holds(&self, answers: &BTreeMap<String, Value>, current: &Value) -> bool {
        self.eval(answers, current).truthy()
    }
}

fn bool_value(b: bool) -> Value {
    if b { Value::Number(Exact::int(1)) } else { Value::Number(Exact::ZERO) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answers(pairs: &[(&str, Value)]) -> BTreeMap<String, Value> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
    }

    #[test]
    fn skip_logic_of_the_corpus_forms() {
        let e = parse("${lam_mot_cua} = 'co'").unwrap();
        assert_eq!(e.refs(), vec!["lam_mot_cua"]);
        assert!(e.holds(&answers(&[("lam_mot_cua", Value::Text("co".into()))]), &Value::Empty));
        assert!(!e.holds(&answers(&[("lam_mot_cua", Value::Text("khong".into()))]), &Value::Empty));
        assert!(!e.holds(&answers(&[]), &Value::Empty), "hidden until answered");
        let age = parse("${age} >= 18 and ${age} < 60").unwrap();
        let a = |n: i64| answers(&[("age", Value::Text(n.to_string()))]);
        assert!(age.holds(&a(18), &Value::Empty) && !age.holds(&a(17), &Value::Empty) && !age.holds(&a(60), &Value::Empty));
        // numbers compare as numbers, not text ("9" < "10")
        assert!(parse("${x} < 10").unwrap().holds(&answers(&[("x", Value::Text("9".into()))]), &Value::Empty));
        let c = parse("count-selected(.) <= 3").unwrap();
        let sel = |n: usize| Value::Selected((0..n).map(|i| format!("k{i}")).collect());
        assert!(c.holds(&answers(&[]), &sel(3)) && !c.holds(&answers(&[]), &sel(4)));
        let s = parse("selected(${kenh}, 'web') or not(${da_dao_tao} != 'co')").unwrap();
        assert!(s.holds(&answers(&[("kenh", Value::Selected(vec!["qr".into(), "web".into()]))]), &Value::Empty));
        assert!(s.holds(&answers(&[("da_dao_tao", Value::Text("co".into()))]), &Value::Empty));
        assert!(parse(". >= 0 and . <= 100").unwrap().holds(&answers(&[]), &Value::Text("82.5".into())));
        assert!(parse("string-length(.) <= 5").unwrap().holds(&answers(&[]), &Value::Text("Sơn La".chars().take(5).collect())));
        assert_eq!(parse("(1 + 2) * 3 div 2").unwrap().eval(&answers(&[]), &Value::Empty), Value::Number(Exact::ratio(9, 2)));
        assert!(parse("true()").unwrap().holds(&answers(&[]), &Value::Empty));
    }

    #[test]
    fn errors_name_the_place() {
        let e = parse("${other} = ‘other’").unwrap_err();
        assert_eq!(e.at, 11);
        assert!(e.vi.contains("nháy"));
        assert_eq!(parse("${a} = ").unwrap_err().at, 7);
        assert!(parse("${a} = 'x").unwrap_err().en.contains("Unclosed"));
        assert!(parse("now()").unwrap_err().vi.contains("chưa được hỗ trợ"));
        assert!(parse("selected(${a})").unwrap_err().en.contains("2 arguments"));
        assert!(parse("${a} = 1)").is_err());
        assert!(parse("").is_err());
        assert!(parse("${}").is_err());
    }

    #[test]
    fn hostile_expressions_are_refused_not_overflowed() {
        // Each of these once recursed without bound (a fuzz crash): refused with a message.
        let deep = format!("{}1{}", "(".repeat(10_000), ")".repeat(10_000));
        assert!(parse(&deep).unwrap_err().en.contains("more than the limit"), "too long first");
        let nested = format!("{}1{}", "(".repeat(200), ")".repeat(200));
        assert!(parse(&nested).unwrap_err().en.contains("nested too deeply"));
        assert!(parse(&format!("{}1", "-".repeat(500))).unwrap_err().en.contains("nested"));
        assert!(parse(&format!("{}1{}", "not(".repeat(100), ")".repeat(100))).unwrap_err().en.contains("nested"));
        let chain = vec!["1"; 2_000].join("+");
        assert!(parse(&chain).unwrap_err().en.contains("operators"));
        // what real forms write stays well inside
        let ok = format!("{}1{}", "(".repeat(40), ")".repeat(40));
        assert!(parse(&ok).is_ok());
        let long = vec!["${a} = 'x'"; 200].join(" or ");
        assert_eq!(parse(&long).err().map(|e| e.en), None);
    }
}
