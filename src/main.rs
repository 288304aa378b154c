//! The `battbot` command line: parses arguments and calls into the library.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = battbot::cli::Cli::parse();
    battbot::cli::init_tracing(&cli);
    match battbot::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let (code, line) = battbot::cli::describe_error(&e);
            eprintln!("error: {line}");
            ExitCode::from(code)
        }
    }
}
