//! The mirror against the emulator, which keeps Graph's rules (one presence subscription per
//! user per app, 650 ids, 60 minutes, throttling) on a manual clock: one test binary.

mod following;
mod instances;
mod lifecycle;
mod losses;
mod restarts;
mod shared;
mod support;
