//! Parses and evaluates BPX function expressions: Python syntax in one variable `x` with
//! numbers, `+ - * / **`, parentheses and `exp`, `tanh`, `cosh` (what PyBaMM's BPX reader runs).

use std::fmt;

/// A parsed expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Num(f64),
    X,
    Neg(Box<Expr>),
    Bin(Op, Box<Expr>, Box<Expr>),
    Call(Func, Box<Expr>),
}

/// A binary operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Add,
    Sub,
    Mul,
    Div,
    Pow,
}

/// The functions PyBaMM makes available to BPX expressions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Func {
    Exp,
    Tanh,
    Cosh,
}

/// Why an expression does not parse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// Byte offset of the problem.
    pub at: usize,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at character {}", self.message, self.at + 1)
    }
}

impl Expr {
    /// Parses `text` as a BPX function of `x`.
    pub fn parse(text: &str) -> Result<Expr, ParseError> {
        let mut p = Parser {
            s: text.as_bytes(),
            i: 0,
        };
        let e = p.expr()?;
        p.skip_ws();
        if p.i < p.s.len() {
            return Err(p.err(format!("unexpected {:?}", p.s[p.i] as char)));
        }
        Ok(e)
    }

    /// The expression's value at `x`.
    pub fn eval(&self, x: f64) -> f64 {
        match self {
            Expr::Num(v) => *v,
            Expr::X => x,
            Expr::Neg(e) => -e.eval(x),
            Expr::Bin(op, a, b) => {
                let (a, b) = (a.eval(x), b.eval(x));
                match op {
                    Op::Add => a + b,
                    Op::Sub => a - b,
                    Op::Mul => a * b,
                    Op::Div => a / b,
                    Op::Pow => a.powf(b),
                }
            }
            Expr::Call(f, e) => {
                let v = e.eval(x);
                match f {
                    Func::Exp => v.exp(),
                    Func::Tanh => v.tanh(),
                    Func::Cosh => v.cosh(),
                }
            }
        }
    }
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn err(&self, message: String) -> ParseError {
        ParseError {
            at: self.i,
            message,
        }
    }

    fn skip_ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.skip_ws();
        self.s.get(self.i).copied()
    }

    fn eat(&mut self, tok: &str) -> bool {
        self.skip_ws();
        if self.s[self.i..].starts_with(tok.as_bytes()) {
            self.i += tok.len();
            true
        } else {
            false
        }
    }

    // expr := term (('+' | '-') term)*
    fn expr(&mut self) -> Result<Expr, ParseError> {
        let mut e = self.term()?;
        loop {
            let op = match self.peek() {
                Some(b'+') => Op::Add,
                Some(b'-') => Op::Sub,
                _ => return Ok(e),
            };
            self.i += 1;
            e = Expr::Bin(op, Box::new(e), Box::new(self.term()?));
        }
    }

    // term := unary (('*' | '/') unary)*   ('**' is a power, not a product)
    fn term(&mut self) -> Result<Expr, ParseError> {
        let mut e = self.unary()?;
        loop {
            let op = match self.peek() {
                Some(b'*') if self.s.get(self.i + 1) != Some(&b'*') => Op::Mul,
                Some(b'/') => Op::Div,
                _ => return Ok(e),
            };
            self.i += 1;
            e = Expr::Bin(op, Box::new(e), Box::new(self.unary()?));
        }
    }

    // unary := ('-' | '+') unary | power   (Python: -x**2 == -(x**2))
    fn unary(&mut self) -> Result<Expr, ParseError> {
        match self.peek() {
            Some(b'-') => {
                self.i += 1;
                Ok(Expr::Neg(Box::new(self.unary()?)))
            }
            Some(b'+') => {
                self.i += 1;
                self.unary()
            }
            _ => self.power(),
        }
    }

    // power := atom ['**' unary]   (right-associative; 2**-1 is allowed)
    fn power(&mut self) -> Result<Expr, ParseError> {
        let base = self.atom()?;
        if self.eat("**") {
            let exp = self.unary()?;
            return Ok(Expr::Bin(Op::Pow, Box::new(base), Box::new(exp)));
        }
        Ok(base)
    }

    fn atom(&mut self) -> Result<Expr, ParseError> {
        match self.peek() {
            None => Err(self.err("unexpected end of expression".into())),
            Some(b'(') => {
                self.i += 1;
                let e = self.expr()?;
                if !self.eat(")") {
                    return Err(self.err("expected ')'".into()));
                }
                Ok(e)
            }
            Some(c) if c.is_ascii_digit() || c == b'.' => self.number(),
            Some(c) if c.is_ascii_alphabetic() => {
                let start = self.i;
                while self.i < self.s.len()
                    && (self.s[self.i].is_ascii_alphanumeric() || self.s[self.i] == b'_')
                {
                    self.i += 1;
                }
                let name = std::str::from_utf8(&self.s[start..self.i]).unwrap_or("");
                if name == "x" {
                    return Ok(Expr::X);
                }
                let f = match name {
                    "exp" => Func::Exp,
                    "tanh" => Func::Tanh,
                    "cosh" => Func::Cosh,
                    _ => {
                        return Err(ParseError {
                            at: start,
                            message: format!("unknown name {name:?} (allowed: x, exp, tanh, cosh)"),
                        })
                    }
                };
                if !self.eat("(") {
                    return Err(self.err(format!("expected '(' after {name}")));
                }
                let arg = self.expr()?;
                if !self.eat(")") {
                    return Err(self.err(format!("expected ')' closing {name}(")));
                }
                Ok(Expr::Call(f, Box::new(arg)))
            }
            Some(c) => Err(self.err(format!("unexpected {:?}", c as char))),
        }
    }

    fn number(&mut self) -> Result<Expr, ParseError> {
        let start = self.i;
        let digits = |p: &mut Self| {
            let s = p.i;
            while p.i < p.s.len() && p.s[p.i].is_ascii_digit() {
                p.i += 1;
            }
            p.i > s
        };
        let int = digits(self);
        let mut frac = false;
        if self.s.get(self.i) == Some(&b'.') {
            self.i += 1;
            frac = digits(self);
        }
        if !int && !frac {
            return Err(ParseError {
                at: start,
                message: "malformed number".into(),
            });
        }
        if matches!(self.s.get(self.i), Some(b'e' | b'E')) {
            let save = self.i;
            self.i += 1;
            if matches!(self.s.get(self.i), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if !digits(self) {
                self.i = save;
                return Err(self.err("malformed exponent".into()));
            }
        }
        let text = std::str::from_utf8(&self.s[start..self.i]).unwrap_or("");
        text.parse::<f64>().map(Expr::Num).map_err(|_| ParseError {
            at: start,
            message: format!("malformed number {text:?}"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(s: &str, x: f64) -> f64 {
        Expr::parse(s).unwrap().eval(x)
    }

    #[test]
    fn follows_python_precedence() {
        assert_eq!(ev("-x**2", 3.0), -9.0);
        assert_eq!(ev("2**3**2", 0.0), 512.0);
        assert_eq!(ev("2**-1", 0.0), 0.5);
        assert_eq!(ev("1 - 2 - 3", 0.0), -4.0);
        assert_eq!(ev("8 / 4 / 2", 0.0), 1.0);
        assert_eq!(ev("-(x - 1) ** 2 / 4", 3.0), -1.0);
        assert_eq!(ev("1.5e-3 * x + .5 + 2.", 1000.0), 4.0);
        assert_eq!(ev("exp(0) + tanh(0) + cosh(0)", 0.0), 2.0);
    }

    #[test]
    fn errors_point_at_the_problem() {
        let e = Expr::parse("1 + log(x)").unwrap_err();
        assert!(e.message.contains("log"), "{e}");
        assert_eq!(e.at, 4);
        assert!(Expr::parse("(x + 1").is_err());
        assert!(Expr::parse("x +").is_err());
        assert!(Expr::parse("2 x").is_err());
        assert!(Expr::parse("1e").is_err());
    }
}
