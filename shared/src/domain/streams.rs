//! The three activity streams LinkedIn serves per seat, and the read positions in them.

use serde::{Deserialize, Serialize};

/// LinkedIn asks for windows of at most 12 hours per call.
pub const MAX_WINDOW_MS: i64 = 12 * 3600 * 1000;

/// Which read positions a run uses: live polling's or the history back-fill's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CursorSet {
    Live,
    Backfill,
}

/// The three activity streams LinkedIn serves per seat.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ActivityStream {
    #[serde(rename = "inmails")]
    InMails,
    Notes,
    Stubs,
}

impl ActivityStream {
    pub const ALL: [ActivityStream; 3] = [
        ActivityStream::InMails,
        ActivityStream::Notes,
        ActivityStream::Stubs,
    ];

    /// The seat attribute holding this stream's cursor of `set`.
    pub fn field(self, set: CursorSet) -> &'static str {
        match (set, self) {
            (CursorSet::Live, s) => s.cursor_field(),
            (CursorSet::Backfill, ActivityStream::InMails) => "backfillInmails",
            (CursorSet::Backfill, ActivityStream::Notes) => "backfillNotes",
            (CursorSet::Backfill, ActivityStream::Stubs) => "backfillStubs",
        }
    }

    /// The seat attribute holding this stream's live cursor.
    pub fn cursor_field(self) -> &'static str {
        match self {
            ActivityStream::InMails => "cursorInmails",
            ActivityStream::Notes => "cursorNotes",
            ActivityStream::Stubs => "cursorStubs",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            ActivityStream::InMails => "inmails",
            ActivityStream::Notes => "notes",
            ActivityStream::Stubs => "stubs",
        }
    }

    pub fn cursor(self, c: &ActivityCursors) -> Option<i64> {
        match self {
            ActivityStream::InMails => c.inmails,
            ActivityStream::Notes => c.notes,
            ActivityStream::Stubs => c.stubs,
        }
    }
}

/// Read positions of a seat's three activity streams. `None` means "from the link time".
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityCursors {
    #[serde(
        rename = "cursorInmails",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub inmails: Option<i64>,
    #[serde(
        rename = "cursorNotes",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub notes: Option<i64>,
    #[serde(
        rename = "cursorStubs",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub stubs: Option<i64>,
}

/// Back-fill read positions, as `ActivityCursors` but stored apart from the live ones.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackfillCursors {
    #[serde(
        rename = "backfillInmails",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub inmails: Option<i64>,
    #[serde(
        rename = "backfillNotes",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub notes: Option<i64>,
    #[serde(
        rename = "backfillStubs",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub stubs: Option<i64>,
}

impl BackfillCursors {
    pub fn as_cursors(&self) -> ActivityCursors {
        ActivityCursors {
            inmails: self.inmails,
            notes: self.notes,
            stubs: self.stubs,
        }
    }
}

/// A stream's cursor as stored when the run began, and how far its records are now written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CursorMove {
    pub stream: ActivityStream,
    /// The seat attribute the move is stored in (live or back-fill cursor).
    pub field: &'static str,
    pub stored: i64,
    pub reached: i64,
}
