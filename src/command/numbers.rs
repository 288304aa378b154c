//! Numbers as users type them in requests: a sign (`-`, `−`), digits, a decimal point and an
//! exponent (`2e1`, `1e-5`), split from the unit that follows; too large is an error, never
//! a silent infinity.

/// Splits `word` into its leading number and the rest ("2e1C" → ("2e1", "C"), "25oC" →
/// ("25", "oC")); `None` when it does not start with a number.
pub(crate) fn split_number(word: &str) -> Option<(&str, &str)> {
    let b = word.as_bytes();
    let mut i = 0;
    if word.starts_with('−') {
        i = '−'.len_utf8();
    } else if matches!(b.first(), Some(b'-' | b'+')) {
        i = 1;
    }
    let digits_from = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let int_digits = i - digits_from;
    let mut frac_digits = 0;
    if i < b.len() && b[i] == b'.' {
        let mut j = i + 1;
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        frac_digits = j - i - 1;
        if int_digits + frac_digits > 0 {
            i = j;
        }
    }
    if int_digits + frac_digits == 0 {
        return None;
    }
    // An exponent only when digits follow: "2e1C" is 20 C, "2eC" is 2 and "eC".
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        let mut j = i + 1;
        if j < b.len() && (b[j] == b'-' || b[j] == b'+') {
            j += 1;
        }
        let exp_from = j;
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        if j > exp_from {
            i = j;
        }
    }
    Some((&word[..i], &word[i..]))
}

/// What a typed number is.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Num {
    Finite(f64),
    /// Written as a number but beyond f64 (`1e400`).
    TooLarge,
}

/// The value of a whole word that is a number ("0.4", "-5", "1e-5", "−3"); never inf or NaN.
pub(crate) fn read_number(word: &str) -> Option<Num> {
    let (num, rest) = split_number(word)?;
    if !rest.is_empty() {
        return None;
    }
    let v: f64 = num.replace('−', "-").parse().ok()?;
    Some(if v.is_finite() {
        Num::Finite(v)
    } else {
        Num::TooLarge
    })
}

/// A plain finite number.
pub(crate) fn number(word: &str) -> Option<f64> {
    match read_number(word)? {
        Num::Finite(v) => Some(v),
        Num::TooLarge => None,
    }
}

/// Whether `word` starts with a number too large for f64 or, all digits, too large for a count.
pub(crate) fn overflows(word: &str) -> bool {
    let word = word.trim_start_matches(['x', '×']);
    let Some((num, _)) = split_number(word) else {
        return false;
    };
    let too_big_float = num
        .replace('−', "-")
        .parse::<f64>()
        .is_ok_and(|v| !v.is_finite());
    let too_big_count =
        !num.is_empty() && num.chars().all(|c| c.is_ascii_digit()) && num.parse::<u32>().is_err();
    too_big_float || too_big_count
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_exponents_and_units() {
        assert_eq!(split_number("2e1C"), Some(("2e1", "C")));
        assert_eq!(split_number("5e2"), Some(("5e2", "")));
        assert_eq!(split_number("1e-5"), Some(("1e-5", "")));
        assert_eq!(split_number("2eC"), Some(("2", "eC")));
        assert_eq!(split_number("25oC"), Some(("25", "oC")));
        assert_eq!(split_number("−10°C"), Some(("−10", "°C")));
        assert_eq!(split_number(".5C"), Some((".5", "C")));
        assert_eq!(split_number("C/10"), None);
        assert_eq!(split_number("-"), None);
        assert_eq!(split_number("."), None);
    }

    #[test]
    fn too_large_is_not_infinity() {
        assert_eq!(read_number("1e400"), Some(Num::TooLarge));
        assert_eq!(number("1e400"), None);
        assert!(overflows("1e400K"));
        assert!(overflows("x18446744073709551617"));
        assert!(overflows("18446744073709551617"));
        assert!(!overflows("x3"));
        assert!(!overflows("2e1C"));
        assert_eq!(number("−3"), Some(-3.0));
        assert_eq!(number("inf"), None);
        assert_eq!(number("NaN"), None);
    }
}
