//! Renewal never spins, whatever Graph grants: the README's loop (`renewal_sleep` then
//! `renew_due`) against a Graph whose renewal answers carry an expiry in the past, or a grant
//! far shorter than the renewal margin. Exact, wrong answers: so a scripted server.

use graph_presence_client::{Clock, SubscriptionAction, SubscriptionError};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use tests::{FakeClock, user_ids};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// How Graph answers a renewal, given the expiry the client asked for (now + 60 minutes).
#[derive(Clone, Copy)]
enum Grant {
    /// A fixed expiry long past.
    Past,
    /// This long from now, whatever was asked.
    Short(jiff::SignedDuration),
}

/// A Graph that creates subscriptions for the asked hour and answers renewals as `Grant`
/// says, recording when (by the client's clock) each renewal was sent.
#[derive(Clone)]
struct Scripted {
    grant: Grant,
    renewals: Arc<Mutex<Vec<jiff::Timestamp>>>,
}

const ASKED: jiff::SignedDuration = jiff::SignedDuration::from_mins(60);

impl Respond for Scripted {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
        let asked: jiff::Timestamp = body["expirationDateTime"]
            .as_str()
            .and_then(|t| t.parse().ok())
            .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
        if request.method.as_str() == "POST" {
            let mut created = body.clone();
            created["id"] = json!("sub-1");
            return ResponseTemplate::new(201).set_body_json(created);
        }
        let mut answer = json!({
            "id": "sub-1",
            "changeType": "updated",
            "notificationUrl": "https://example.com/n",
            "resource": "/communications/presences?$filter=id in ('…')",
        });
        let now = asked - ASKED;
        self.renewals.lock().expect("not poisoned").push(now);
        answer["expirationDateTime"] = match self.grant {
            Grant::Past => json!("2020-01-01T00:00:00Z"),
            Grant::Short(grant) => json!((now + grant).to_string()),
        };
        ResponseTemplate::new(200).set_body_json(answer)
    }
}

/// Runs the README's renewal loop for `minutes` of the fake clock (the loop is cut after
/// 1,000 turns, which only a spinning loop reaches) and returns when each renewal was sent.
async fn renewals_over(grant: Grant, minutes: i64) -> (Vec<jiff::Timestamp>, jiff::Timestamp) {
    let server = MockServer::start().await;
    let graph = Scripted {
        grant,
        renewals: Arc::default(),
    };
    Mock::given(wiremock::matchers::any())
        .respond_with(graph.clone())
        .mount(&server)
        .await;
    let clock = FakeClock::new();
    let client = tests::local_client(&server.uri(), &clock);
    let (mut subscriptions, report) = client
        .presence_subscriptions(user_ids(3), "https://example.com/n", "state")
        .create()
        .await;
    assert!(report.is_complete(), "{report:?}");
    let start = clock.now();
    let end = start + jiff::SignedDuration::from_mins(minutes);
    let mut turns = 0;
    while clock.now() < end && turns < 1_000 {
        subscriptions.renewal_sleep().await;
        let report = subscriptions.renew_due().await;
        if let Grant::Past = grant {
            for failure in &report.failures {
                assert_eq!(failure.action, SubscriptionAction::Renew);
                assert!(
                    matches!(failure.error, SubscriptionError::ExpiryNotAhead { .. }),
                    "{}",
                    failure.error
                );
                assert!(failure.error.to_string().contains("not after now"));
            }
        }
        turns += 1;
    }
    assert!(turns < 1_000, "the renewal loop spun: {turns} turns");
    let renewals = graph.renewals.lock().expect("not poisoned").clone();
    (renewals, start)
}

fn gaps(times: &[jiff::Timestamp]) -> Vec<jiff::SignedDuration> {
    times
        .windows(2)
        .map(|w| w[1].duration_since(w[0]))
        .collect()
}

#[tokio::test]
async fn an_expiry_in_the_past_is_a_failed_renewal_tried_again_a_minute_later() {
    // Before, the first such answer made the subscription due at once, for ever: the
    // README's loop sent thousands of PATCHes in a few seconds.
    let (renewals, start) = renewals_over(Grant::Past, 65).await;
    assert_eq!(renewals[0], start + jiff::SignedDuration::from_mins(50));
    assert_eq!(renewals.len(), 16, "+50, then once a minute until +65");
    assert!(
        gaps(&renewals)
            .iter()
            .all(|gap| *gap == jiff::SignedDuration::from_mins(1))
    );
}

#[tokio::test]
async fn a_short_grant_is_renewed_half_way_through_it() {
    // A two-minute grant against a ten-minute margin: renewed after one minute each time.
    let (renewals, start) =
        renewals_over(Grant::Short(jiff::SignedDuration::from_mins(2)), 60).await;
    assert_eq!(renewals[0], start + jiff::SignedDuration::from_mins(50));
    assert!(
        gaps(&renewals)
            .iter()
            .all(|gap| *gap == jiff::SignedDuration::from_mins(1)),
        "{:?}",
        gaps(&renewals)
    );
    assert_eq!(renewals.len(), 11);
}

#[tokio::test]
async fn renewals_of_one_subscription_are_never_closer_than_the_floor() {
    // A ten-second grant would be renewed every five seconds; the floor says thirty.
    let (renewals, _) = renewals_over(Grant::Short(jiff::SignedDuration::from_secs(10)), 60).await;
    let gaps = gaps(&renewals);
    assert!(!gaps.is_empty());
    assert!(
        gaps.iter()
            .all(|gap| *gap == jiff::SignedDuration::from_secs(30)),
        "{gaps:?}"
    );
}
