//! battbot: a stateless battery-simulation bot orchestrated by CI. The library holds
//! every part; `main.rs` only parses the command line.

pub mod cli;
pub mod command;
pub mod config;
pub mod demo;
pub mod demo_social;
pub mod error;
pub mod export;
pub mod fakes;
pub mod fakes_fediverse;
pub mod farm;
pub mod forge;
pub mod job;
pub mod outbound;
pub mod pybamm_script;
pub mod render;
pub mod reply;
pub mod report;
pub mod runner;
pub mod scheduled;
pub mod server;
pub mod sim;
pub mod social;
