//! The emulated tenant's users: a built-in handful, a JSON file of them, or any number of
//! synthetic ones. Presence is addressed by a user's object id (a GUID, as Graph requires on
//! `/users/{id}/presence` and `/communications/presences/{id}`), compared without case.

use std::collections::HashMap;

/// A user of the emulated tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// The object id, a GUID (lowercase).
    pub id: String,
    /// The name people see.
    pub display_name: String,
    /// The sign-in name (`ada@contoso.example`).
    pub user_principal_name: String,
}

/// The users, in order, found by id in constant time.
#[derive(Debug, Clone, Default)]
pub struct Directory {
    users: Vec<User>,
    by_id: HashMap<String, usize>,
}

/// Why a directory file was refused.
#[derive(Debug, thiserror::Error)]
pub enum DirectoryError {
    /// Not the JSON the file must be.
    #[error(
        "the users file is not a JSON array of {{\"id\", \"displayName\", \"userPrincipalName\"}}: {0}"
    )]
    Json(String),
    /// A user whose id is not a GUID.
    #[error("user {index}: id `{id}` is not a GUID")]
    NotAGuid {
        /// The user's position in the file, from 0.
        index: usize,
        /// The id, cut short.
        id: String,
    },
    /// Two users with one id.
    #[error("user {index}: id `{id}` is already user {first}'s")]
    Duplicate {
        /// The second user's position, from 0.
        index: usize,
        /// The id.
        id: String,
        /// The first user's position.
        first: usize,
    },
}

/// The names of the built-in users (their ids are fixed, so tests and docs can name them).
const BUILT_IN: [(&str, &str); 6] = [
    ("Ada Okafor", "ada"),
    ("Bruno Lindqvist", "bruno"),
    ("Chiara Rossi", "chiara"),
    ("Dmitri Volkov", "dmitri"),
    ("Emeka Nwosu", "emeka"),
    ("Fatima Haddad", "fatima"),
];

/// The domain of every user principal name.
const DOMAIN: &str = "contoso.example";

impl Directory {
    /// Six named users with fixed ids (`00000000-0000-4000-8000-000000000001` and on).
    pub fn built_in() -> Directory {
        let users = BUILT_IN
            .iter()
            .enumerate()
            .map(|(i, (name, alias))| User {
                id: synthetic_id(i + 1),
                display_name: (*name).to_owned(),
                user_principal_name: format!("{alias}@{DOMAIN}"),
            })
            .collect();
        Directory::from_users(users)
    }

    /// `count` users with ids made from their number (`…-000000000001` up), named
    /// `User 1`, `User 2`… : what the benchmarks and large tests hold.
    pub fn synthetic(count: usize) -> Directory {
        let users = (1..=count)
            .map(|n| User {
                id: synthetic_id(n),
                display_name: format!("User {n}"),
                user_principal_name: format!("user{n}@{DOMAIN}"),
            })
            .collect();
        Directory::from_users(users)
    }

    /// Users from a JSON array of `{"id", "displayName", "userPrincipalName"}` (the last two
    /// optional), ids GUIDs and unique.
    pub fn from_json(text: &str) -> Result<Directory, DirectoryError> {
        #[derive(serde::Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Entry {
            id: String,
            display_name: Option<String>,
            user_principal_name: Option<String>,
        }
        let entries: Vec<Entry> = serde_json::from_str(text).map_err(|e| {
            DirectoryError::Json(openapi_models_runtime::excerpt(&e.to_string(), 200))
        })?;
        let mut users = Vec::with_capacity(entries.len());
        let mut seen: HashMap<String, usize> = HashMap::new();
        for (index, entry) in entries.into_iter().enumerate() {
            if !is_guid(&entry.id) {
                return Err(DirectoryError::NotAGuid {
                    index,
                    id: openapi_models_runtime::excerpt(&entry.id, 60),
                });
            }
            let id = entry.id.to_ascii_lowercase();
            if let Some(&first) = seen.get(&id) {
                return Err(DirectoryError::Duplicate { index, id, first });
            }
            seen.insert(id.clone(), index);
            users.push(User {
                display_name: entry
                    .display_name
                    .unwrap_or_else(|| format!("User {}", index + 1)),
                user_principal_name: entry
                    .user_principal_name
                    .unwrap_or_else(|| format!("user{}@{DOMAIN}", index + 1)),
                id,
            });
        }
        Ok(Directory::from_users(users))
    }

    fn from_users(users: Vec<User>) -> Directory {
        let by_id = users
            .iter()
            .enumerate()
            .map(|(i, u)| (u.id.clone(), i))
            .collect();
        Directory { users, by_id }
    }

    /// Every user, in order.
    pub fn users(&self) -> &[User] {
        &self.users
    }

    /// How many users there are.
    pub fn len(&self) -> usize {
        self.users.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.users.is_empty()
    }

    /// The index of the user with this object id (any letter case).
    pub fn index_of(&self, id: &str) -> Option<usize> {
        match self.by_id.get(id) {
            Some(&i) => Some(i),
            None if id.bytes().any(|b| b.is_ascii_uppercase()) => {
                self.by_id.get(&id.to_ascii_lowercase()).copied()
            }
            None => None,
        }
    }

    /// The user at `index`.
    pub fn user(&self, index: usize) -> Option<&User> {
        self.users.get(index)
    }
}

/// The id of synthetic or built-in user `n`: a valid version-4-shaped GUID.
fn synthetic_id(n: usize) -> String {
    format!("00000000-0000-4000-8000-{n:012x}")
}

/// `8-4-4-4-12` hexadecimal digits.
pub(crate) fn is_guid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, len)| g.len() == len && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::{Directory, DirectoryError, is_guid};

    #[test]
    fn users_are_found_by_id_in_any_case() {
        let directory = Directory::built_in();
        assert_eq!(directory.len(), 6);
        let ada = &directory.users()[0];
        assert_eq!(ada.id, "00000000-0000-4000-8000-000000000001");
        assert_eq!(ada.user_principal_name, "ada@contoso.example");
        assert_eq!(directory.index_of(&ada.id.to_uppercase()), Some(0));
        assert_eq!(
            directory.index_of("00000000-0000-4000-8000-000000000099"),
            None
        );
        let many = Directory::synthetic(100_000);
        assert_eq!(
            many.index_of("00000000-0000-4000-8000-0000000186a0"),
            Some(99_999)
        );
    }

    #[test]
    fn a_users_file_is_checked() {
        let directory = Directory::from_json(
            r#"[{"id": "6E5C1F0A-1111-4222-8333-444455556666", "displayName": "Zoe"}]"#,
        )
        .expect("a valid file");
        assert_eq!(
            directory.users()[0].id,
            "6e5c1f0a-1111-4222-8333-444455556666"
        );
        assert!(matches!(
            Directory::from_json(r#"[{"id": "zoe@contoso.example"}]"#),
            Err(DirectoryError::NotAGuid { index: 0, .. })
        ));
        let twice = r#"[{"id": "6e5c1f0a-1111-4222-8333-444455556666"}, {"id": "6E5C1F0A-1111-4222-8333-444455556666"}]"#;
        assert!(matches!(
            Directory::from_json(twice),
            Err(DirectoryError::Duplicate {
                index: 1,
                first: 0,
                ..
            })
        ));
        let error =
            Directory::from_json(&format!("[{}", "x".repeat(100_000))).expect_err("not JSON");
        assert!(error.to_string().len() < 400, "bounded: {error}");
        assert!(!is_guid("6e5c1f0a-1111-4222-8333-44445555666g"));
    }
}
