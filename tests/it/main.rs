//! battbot's integration tests: one binary (link time on 2 cores), one module per area.

mod bench;
mod bpx_params;
mod callback;
mod ci;
mod cli;
mod commands;
mod common;
mod demo;
mod e2e;
mod farm;
mod faults;
mod github;
mod gitlab;
mod gitlab_event;
mod lifecycle;
mod params;
mod render;
mod reports;
mod sim;
mod sim_alloc;
mod sim_api;
mod sim_degradation;
mod sim_robustness;
mod social;
mod support;
mod webhook;
