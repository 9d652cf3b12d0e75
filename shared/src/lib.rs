//! Everything the Lambda functions share: the domain, its storage in DynamoDB, the queues between
//! steps, LinkedIn's API, webhook signatures, customer secrets, configuration and telemetry.
//!
//! Each function crate is a thin adapter: it builds these pieces once in `main.rs` and hands
//! events to a handler that calls into this crate.

pub mod activity;
pub mod aws;
pub mod batch;
pub mod budget;
pub mod cache;
pub mod clock;
pub mod compliance;
pub mod config;
pub mod contracts;
pub mod domain;
pub mod error;
pub mod events;
pub mod exports;
pub mod fan_out;
pub mod http;
pub mod ids;
pub mod keys;
pub mod lambda;
pub mod linkedin;
pub mod messages;
pub mod metrics;
pub mod onboarding;
pub mod outbound;
pub mod queue;
pub mod seats;
pub mod secrets;
pub mod store;
pub mod telemetry;
pub mod upkeep;
pub mod webhook;

pub use error::{Error, Result};
