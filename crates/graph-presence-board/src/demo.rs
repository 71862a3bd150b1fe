//! The emulated users' day: every so often a few of them, drawn from a seed, sign in, start or
//! end a call, go idle, sign out or turn out of office on or off, through the emulator's Teams
//! hooks (as a Teams client would, without a Graph call).

use graph_presence_emulator::Emulator;
use std::sync::Arc;
use std::time::Duration;

/// At most this many users change at each step (fewer in a small tenant).
const CHANGES_PER_STEP: usize = 3;

/// Changes some users' presence every `every`, forever (abort the task to stop).
pub async fn run(emulator: Arc<Emulator>, users: Vec<String>, seed: u64, every: Duration) {
    if users.is_empty() {
        return;
    }
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut timer = tokio::time::interval(every);
    timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // Most people are at work when the board opens.
    for user in &users {
        if rng.u8(..10) < 7 {
            act(&emulator, user, 0);
        }
    }
    loop {
        timer.tick().await;
        for _ in 0..CHANGES_PER_STEP.min(users.len()) {
            let user = &users[rng.usize(..users.len())];
            act(&emulator, user, rng.u8(..20));
        }
    }
}

/// One Teams action, chosen by `roll` (0..20): calls and sign-ins most often.
fn act(emulator: &Emulator, user: &str, roll: u8) {
    let Some(teams) = emulator.teams(user) else {
        return;
    };
    match roll {
        0..=5 => teams.sign_in(),
        6..=10 => teams.start_call(),
        11..=14 => teams.end_call(),
        15..=16 => teams.go_idle(),
        17 => teams.sign_out(),
        18 => teams.out_of_office(true, Some("Back soon")),
        _ => teams.out_of_office(false, None),
    }
}
