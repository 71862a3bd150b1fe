//! The one comparison of a notification's `clientState` with the app's secret, shared by the
//! webhook receiver and the subscription helper's lifecycle handling.

use crate::ChangeNotification;

impl ChangeNotification {
    /// Whether the notification carries `expected` as its `clientState`, compared in time that
    /// depends on the lengths only (the secret is not guessed byte by byte from response
    /// times). A notification without one never matches.
    pub fn has_client_state(&self, expected: &str) -> bool {
        self.client_state
            .as_option()
            .is_some_and(|sent| same_secret(sent.as_bytes(), expected.as_bytes()))
    }
}

/// Whether two secrets are equal, in time that depends on their length only.
fn same_secret(sent: &[u8], ours: &[u8]) -> bool {
    if sent.len() != ours.len() {
        return false;
    }
    let difference = sent
        .iter()
        .zip(ours)
        .fold(0u8, |acc, (a, b)| std::hint::black_box(acc | (a ^ b)));
    difference == 0
}

#[cfg(test)]
mod tests {
    use super::same_secret;
    use crate::ChangeNotification;

    #[test]
    fn secrets_are_equal_only_when_every_byte_is() {
        assert!(same_secret(b"s3cret", b"s3cret"));
        assert!(!same_secret(b"s3cret", b"s3creT"));
        assert!(!same_secret(b"s3cret", b"s3cre"));
        assert!(!same_secret(b"", b"s"));
    }

    #[test]
    fn a_notification_without_client_state_never_matches() {
        let notification = ChangeNotification::new(crate::required::ChangeNotification {
            subscription_id: "sub".into(),
            tenant_id: "tenant".into(),
        });
        assert!(!notification.has_client_state(""));
        let notification = notification.client_state("s3cret");
        assert!(notification.has_client_state("s3cret"));
        assert!(!notification.has_client_state("s3creT"));
    }
}
