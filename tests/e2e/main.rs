//! End-to-end tests: the functions in the local stack, against moto and the LinkedIn simulator.
//! One test binary with modules keeps the link step (and CI time) small.

mod harness;

mod activity;
mod admin;
mod budget;
mod compliance;
mod contracts;
mod corpus;
mod dialect;
mod events;
mod exports;
mod metrics;
mod onboarding;
mod outbound;
mod privacy;
mod records;
mod scenario;
mod seats;
mod upkeep;
mod webhook;
mod whole_record;
