//! The value of a PyBaMM model option in a spec's `options` (DESIGN §4): a string, or a
//! 2-list `[negative, positive]` as PyBaMM's tuples (`{"SEI": ["reaction limited", "none"]}`).

use serde::{Deserialize, Serialize};

/// A model option's value: one for both electrodes, or one per electrode.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(untagged)]
pub enum OptionValue {
    One(String),
    /// `[negative, positive]`.
    Pair([String; 2]),
}

impl OptionValue {
    /// The value of the negative electrode (the value itself when not per electrode).
    pub fn negative(&self) -> &str {
        match self {
            OptionValue::One(s) => s,
            OptionValue::Pair([n, _]) => n,
        }
    }

    /// The value of the positive electrode (the value itself when not per electrode).
    pub fn positive(&self) -> &str {
        match self {
            OptionValue::One(s) => s,
            OptionValue::Pair([_, p]) => p,
        }
    }

    /// The single value, or `None` for a per-electrode pair.
    pub fn as_one(&self) -> Option<&str> {
        match self {
            OptionValue::One(s) => Some(s),
            OptionValue::Pair(_) => None,
        }
    }
}

impl std::fmt::Display for OptionValue {
    /// As PyBaMM prints it: `reaction limited` or `("reaction limited", "none")`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OptionValue::One(s) => write!(f, "{s}"),
            OptionValue::Pair([n, p]) => write!(f, "({n:?}, {p:?})"),
        }
    }
}

impl From<&str> for OptionValue {
    fn from(s: &str) -> OptionValue {
        OptionValue::One(s.to_string())
    }
}

impl From<String> for OptionValue {
    fn from(s: String) -> OptionValue {
        OptionValue::One(s)
    }
}

impl PartialEq<&str> for OptionValue {
    fn eq(&self, other: &&str) -> bool {
        self.as_one() == Some(*other)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_and_two_lists_round_trip() {
        let v: OptionValue = serde_json::from_str(r#""reaction limited""#).unwrap();
        assert_eq!(v, "reaction limited");
        let v: OptionValue =
            serde_json::from_str(r#"["swelling and cracking", "swelling only"]"#).unwrap();
        assert_eq!(v.negative(), "swelling and cracking");
        assert_eq!(v.positive(), "swelling only");
        assert_eq!(
            serde_json::to_string(&v).unwrap(),
            r#"["swelling and cracking","swelling only"]"#
        );
        assert_eq!(
            v.to_string(),
            r#"("swelling and cracking", "swelling only")"#
        );
    }

    #[test]
    fn three_lists_numbers_and_objects_are_refused() {
        for bad in [
            r#"["a", "b", "c"]"#,
            r#"["a"]"#,
            "3",
            r#"{"a": "b"}"#,
            r#"[1, 2]"#,
        ] {
            assert!(serde_json::from_str::<OptionValue>(bad).is_err(), "{bad}");
        }
    }
}
