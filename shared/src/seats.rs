//! Seat sync: the seats LinkedIn lists for a contract are recorded with their state, and a seat
//! whose holder already has an ATS account (same member URN, or same email ignoring case) is
//! linked to it. No ATS user is ever created from LinkedIn data.

use std::collections::HashMap;

use serde::Serialize;

use crate::domain::AtsUser;
use crate::error::Result;
use crate::linkedin::{LinkedIn, Paging};
use crate::secrets::LinkedInCredentials;
use crate::store::Store;

/// What one contract's seat sync did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SeatSync {
    pub seats: usize,
    pub linked_automatically: usize,
    pub unlinked: usize,
    pub malformed: usize,
}

/// Finds the ATS user a seat holder is: by member URN first, then by email (case-insensitive).
pub fn match_user<'a>(
    users: &'a [AtsUser],
    member: Option<&str>,
    email: Option<&str>,
) -> Option<&'a AtsUser> {
    member
        .and_then(|m| users.iter().find(|u| u.member.as_deref() == Some(m)))
        .or_else(|| {
            let email = email?.trim();
            users
                .iter()
                .find(|u| !email.is_empty() && u.email.eq_ignore_ascii_case(email))
        })
}

/// "First Last" from LinkedIn's name fields, trimmed, at most 200 characters, without control
/// characters; `None` when both are empty.
fn holder_name(first: Option<&str>, last: Option<&str>) -> Option<String> {
    let joined = [first, last]
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let clean: String = joined
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect();
    (!clean.is_empty()).then_some(clean)
}

/// Reads every page of the contract's seats and records them; links the new matches.
pub async fn sync_contract_seats(
    store: &Store,
    linkedin: &LinkedIn,
    creds: &LinkedInCredentials,
    tenant_id: &str,
    contract_id: &str,
    now: i64,
) -> Result<SeatSync> {
    let users = store.all_users(tenant_id).await?;
    let contract_urn = format!("urn:li:contract:{contract_id}");
    let mut sync = SeatSync::default();
    let mut page = Some(Paging::first(Paging::LISTS));
    let mut seen: HashMap<String, ()> = HashMap::new();
    while let Some(p) = page {
        let got = linkedin.seats(creds, &contract_urn, p).await?;
        let next = p.next(&got);
        sync.malformed += got.malformed.len();
        for e in got.elements {
            let seat_id = e.id.to_string_lossy();
            if crate::ids::urn_number("seat", &seat_id).is_err()
                || seen.insert(seat_id.clone(), ()).is_some()
            {
                sync.malformed += 1;
                continue;
            }
            let member = e
                .member
                .as_deref()
                .filter(|m| crate::ids::check_member_urn(m).is_ok());
            let name = holder_name(e.first_name.as_deref(), e.last_name.as_deref());
            let listed = crate::store::ListedSeat {
                member,
                state: e.state.as_deref(),
                holder_name: name.as_deref(),
            };
            let seat = store
                .upsert_seat_from_linkedin(tenant_id, contract_id, &seat_id, listed, now)
                .await?;
            sync.seats += 1;
            if seat.user_id.is_some() {
                continue;
            }
            match match_user(&users, member, e.email.as_deref()) {
                Some(user) => {
                    // Just listed, so it is there to link.
                    if store
                        .link_seat(tenant_id, contract_id, &seat_id, &user.user_id, now)
                        .await?
                        .is_some()
                    {
                        sync.linked_automatically += 1;
                    }
                }
                None => sync.unlinked += 1,
            }
        }
        page = next;
    }
    Ok(sync)
}

/// A back-fill step that has not moved for this long is taken for lost (or paused) and queued
/// again; running steps save their progress every few seconds.
pub const BACKFILL_STALLED_AFTER_MS: i64 = 15 * 60_000;

/// For the linked seats of an active contract: starts the back-fill of any seat linked without
/// one (the hourly seat sync links seats too), and queues a step for back-fills that stalled or
/// were paused while the contract was inactive. Answers how many steps were queued.
pub async fn queue_due_backfills(
    store: &Store,
    backfills: &crate::queue::Queue,
    tenant_id: &str,
    contract_id: &str,
    horizon_days: u64,
    now: i64,
) -> Result<usize> {
    use crate::domain::{Backfill, BackfillState};
    let mut steps = Vec::new();
    for seat in store.all_seats(tenant_id).await? {
        if seat.contract_id != contract_id || seat.user_id.is_none() {
            continue;
        }
        let key = (tenant_id, contract_id, seat.seat_id.as_str());
        let due = match &seat.backfill {
            None => {
                let backfill = Backfill::for_link(seat.linked_at.unwrap_or(now), horizon_days, now);
                store.start_backfill(key, &backfill).await?
            }
            Some(b) => {
                matches!(b.state, BackfillState::Queued | BackfillState::Running)
                    && now - b.updated_at > BACKFILL_STALLED_AFTER_MS
            }
        };
        if due {
            steps.push(crate::messages::BackfillStep {
                tenant_id: tenant_id.to_owned(),
                contract_id: contract_id.to_owned(),
                seat_id: seat.seat_id.clone(),
            });
        }
    }
    backfills.send_batch(&steps).await?;
    Ok(steps.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holder_names_are_joined_trimmed_and_cleaned() {
        assert_eq!(
            holder_name(Some(" Nia "), Some("Okafor")).as_deref(),
            Some("Nia Okafor")
        );
        assert_eq!(holder_name(Some("Nia"), None).as_deref(), Some("Nia"));
        assert_eq!(holder_name(None, Some("  ")), None);
        assert_eq!(holder_name(Some("A\u{7}b"), None).as_deref(), Some("Ab"));
        let long = "x".repeat(500);
        assert_eq!(holder_name(Some(&long), None).unwrap().chars().count(), 200);
    }

    fn user(id: &str, email: &str, member: Option<&str>) -> AtsUser {
        AtsUser {
            tenant_id: "t".into(),
            user_id: id.into(),
            email: email.into(),
            first_name: "F".into(),
            last_name: "L".into(),
            member: member.map(str::to_owned),
            created_at: 0,
            updated_at: 0,
        }
    }

    #[test]
    fn matches_by_member_then_email_ignoring_case() {
        let users = [
            user("a", "ann@acme.example", Some("urn:li:person:ann")),
            user("b", "Bob@Acme.example", None),
        ];
        assert_eq!(
            match_user(&users, Some("urn:li:person:ann"), None)
                .unwrap()
                .user_id,
            "a"
        );
        assert_eq!(
            match_user(&users, Some("urn:li:person:zzz"), Some("bob@ACME.example"))
                .unwrap()
                .user_id,
            "b"
        );
        assert!(match_user(&users, None, Some("carol@acme.example")).is_none());
        assert!(match_user(&users, None, Some(" ")).is_none());
    }
}
