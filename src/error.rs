//! The error of bad input (exit code 2), shared by the command line and the server's boot, so
//! that neither imports the other.

/// Bad input: exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BadInput(pub String);

/// An error that is the user's input, not a failure: exit code 2.
pub fn bad_input(msg: impl Into<String>) -> anyhow::Error {
    BadInput(msg.into()).into()
}
