//! What the poll reads of a seat's activity: InMails, notes and shared contact details, and the
//! contract's seats.

use serde::Deserialize;

use crate::domain::Direction;
use crate::ids;
use crate::linkedin::wire::AnyId;

/// One element of `conversationEvents?q=criteria`: an InMail the viewer seat sent or received.
/// The doc guarantees an author, a creation time and the mail's content; everything else here
/// (`id`, `conversation`, `recipient`, `direction`, and the content's field names) is
/// (unverified) and optional except the id, without which a record cannot be kept exactly once.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InMailElement {
    pub id: AnyId,
    #[serde(default)]
    pub conversation: Option<String>,
    pub author: String,
    #[serde(default)]
    pub recipient: Option<String>,
    #[serde(default)]
    pub direction: Option<String>,
    #[serde(default)]
    pub subject: Option<String>,
    #[serde(default)]
    pub body: Option<String>,
    #[serde(alias = "created")]
    pub created_at: i64,
}

/// Who an InMail is about, or why that cannot be told.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Attribution {
    Member(String, Direction),
    Unattributed(String),
}

/// What the import knows when it attributes an InMail: the viewing seat, the member who holds
/// it (when the seat list named one), and the member of each conversation seen so far.
pub struct Viewer<'a> {
    pub seat: &'a str,
    pub holder: Option<&'a str>,
    pub conversations: &'a std::collections::HashMap<String, String>,
}

impl InMailElement {
    /// The member on the other side. A message whose author is the viewing seat or its holder
    /// was sent, to the recipient (when LinkedIn names one) or to the member of its
    /// conversation; any other member author is the member who wrote to the seat.
    pub fn attribute(&self, viewer: &Viewer<'_>) -> Attribution {
        fn member(urn: Option<&str>) -> Option<&str> {
            urn.filter(|u| ids::check_member_urn(u).is_ok())
        }
        let recipient = member(self.recipient.as_deref());
        let by_viewer = self.author == viewer.seat || Some(self.author.as_str()) == viewer.holder;
        let hinted = self.direction.as_deref();
        let sent_to = |reason: &str| {
            recipient
                .filter(|r| Some(*r) != viewer.holder)
                .map(str::to_owned)
                .or_else(|| {
                    self.conversation
                        .as_ref()
                        .and_then(|c| viewer.conversations.get(c).cloned())
                })
                .map(|m| Attribution::Member(m, Direction::Sent))
                .unwrap_or_else(|| Attribution::Unattributed(reason.to_owned()))
        };
        if by_viewer || (viewer.holder.is_none() && hinted == Some("SENT")) {
            return sent_to(
                "sent by the seat, and neither a recipient nor the conversation's member is known",
            );
        }
        let Some(author) = member(Some(&self.author)) else {
            return Attribution::Unattributed(
                "its author is neither the viewing seat nor a member".to_owned(),
            );
        };
        let received = viewer.holder.is_some()
            || hinted == Some("RECEIVED")
            || recipient.is_none() && self.recipient.as_deref() == Some(viewer.seat);
        if received {
            return Attribution::Member(author.to_owned(), Direction::Received);
        }
        if let Some(to) = recipient {
            // A member wrote to another member from this seat's mailbox: the author is the
            // holder, whom the seat list has not named yet.
            return Attribution::Member(to.to_owned(), Direction::Sent);
        }
        Attribution::Unattributed(
            "written by a member while the seat's holder is not known, so sent and received \
             cannot be told apart"
                .to_owned(),
        )
    }
}

/// One element of `prospectNotes?q=criteria`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NoteElement {
    pub id: AnyId,
    pub member: String,
    #[serde(default)]
    pub owner: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
    pub active: bool,
    pub created: i64,
    pub last_modified: i64,
}

/// `emailAddress` is a string today and was an array before March 2024: both are accepted.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub fn into_vec(self) -> Vec<String> {
        let all = match self {
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
        };
        all.into_iter()
            .map(|e| e.trim().to_owned())
            .filter(|e| !e.is_empty())
            .collect()
    }
}

#[derive(Debug, Deserialize)]
pub struct PhoneElement {
    pub number: String,
    #[serde(default)]
    pub extension: Option<String>,
}

/// One element of `mailStubs?q=contract`: contact details a member chose to share. Only the
/// contact details are read; the stub's names and headline are not needed.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StubElement {
    pub id: AnyId,
    pub member: String,
    #[serde(default)]
    pub email_address: Option<OneOrMany>,
    #[serde(default)]
    pub phone_numbers: Vec<PhoneElement>,
    pub created: i64,
}

/// One element of `seatsV2?q=attributes`: a Recruiter seat of a contract. Seat holders are
/// matched to ATS users by member URN or email only; the name is kept for the integration page.
#[derive(Debug, Deserialize)]
pub struct SeatElement {
    pub id: AnyId,
    #[serde(default, rename = "firstName")]
    pub first_name: Option<String>,
    #[serde(default, rename = "lastName")]
    pub last_name: Option<String>,
    #[serde(default)]
    pub member: Option<String>,
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_as_string_or_array() {
        let a: StubElement = serde_json::from_value(serde_json::json!({"id": "1", "member": "urn:li:person:x", "emailAddress": "a@x.io", "created": 1})).unwrap();
        let b: StubElement = serde_json::from_value(serde_json::json!({"id": 2, "member": "urn:li:person:x", "emailAddress": ["b@x.io", " "], "created": 1, "phoneNumbers": [{"number": "+1"}]})).unwrap();
        assert_eq!(a.email_address.unwrap().into_vec(), ["a@x.io"]);
        assert_eq!(b.email_address.unwrap().into_vec(), ["b@x.io"]);
        assert_eq!(b.id.to_string_lossy(), "2");
    }

    fn viewer<'a>(
        holder: Option<&'a str>,
        conversations: &'a std::collections::HashMap<String, String>,
    ) -> Viewer<'a> {
        Viewer {
            seat: "urn:li:seat:1",
            holder,
            conversations,
        }
    }

    #[test]
    fn documented_inmails_are_attributed_from_the_author() {
        let none = std::collections::HashMap::new();
        // Only what the doc guarantees: author, time, content.
        let received: InMailElement = serde_json::from_value(serde_json::json!({"id": "m", "author": "urn:li:person:p", "createdAt": 5, "subject": "s", "body": "b"})).unwrap();
        assert_eq!(
            received.attribute(&viewer(Some("urn:li:person:holder"), &none)),
            Attribution::Member("urn:li:person:p".into(), Direction::Received)
        );
        // Without the holder, a member author may be the holder: not guessed.
        assert!(matches!(
            received.attribute(&viewer(None, &none)),
            Attribution::Unattributed(_)
        ));
        let sent: InMailElement = serde_json::from_value(serde_json::json!({"id": "m", "author": "urn:li:seat:1", "conversation": "c", "created": 5})).unwrap();
        assert!(matches!(
            sent.attribute(&viewer(Some("urn:li:person:holder"), &none)),
            Attribution::Unattributed(_)
        ));
        let known =
            std::collections::HashMap::from([("c".to_owned(), "urn:li:person:p".to_owned())]);
        assert_eq!(
            sent.attribute(&viewer(None, &known)),
            Attribution::Member("urn:li:person:p".into(), Direction::Sent)
        );
        let by_holder: InMailElement = serde_json::from_value(serde_json::json!({"id": "m", "author": "urn:li:person:holder", "recipient": "urn:li:person:p", "createdAt": 5})).unwrap();
        assert_eq!(
            by_holder.attribute(&viewer(Some("urn:li:person:holder"), &none)),
            Attribution::Member("urn:li:person:p".into(), Direction::Sent)
        );
        assert_eq!(
            by_holder.attribute(&viewer(None, &none)),
            Attribution::Member("urn:li:person:p".into(), Direction::Sent)
        );
        let odd: InMailElement = serde_json::from_value(serde_json::json!({"id": "m", "author": "urn:li:seat:2", "recipient": "urn:li:seat:1", "createdAt": 5})).unwrap();
        assert!(matches!(
            odd.attribute(&viewer(None, &none)),
            Attribution::Unattributed(_)
        ));
    }
}
