//! What the activity and seat finders share: the finder name, time windows and paging.

use crate::api::{ApiErr, bad};
use crate::restli::{Query, required, single};

/// The longest activity window LinkedIn accepts per call: 12 hours, in ms (doc).
pub const MAX_WINDOW_MS: i64 = 43_200_000;
/// The largest `count` the activity and seat finders accept (the collection asks for 50 and 100).
pub const MAX_PAGE_COUNT: usize = 100;

/// The finder `q` must be `name`.
pub(crate) fn finder(query: &Query, name: &str) -> Result<(), ApiErr> {
    match single(query, "q")? {
        Some(found) if found == name => Ok(()),
        Some(other) => Err(bad(format!("Unsupported finder q={other}"))),
        None => Err(bad("Missing query parameter q")),
    }
}

pub(super) fn required_ms(query: &Query, name: &str) -> Result<i64, ApiErr> {
    let raw = required(query, name)?;
    raw.parse().map_err(|_| {
        bad(format!(
            "Query parameter {name} must be epoch ms, got {raw:?}"
        ))
    })
}

/// `lower < upper` and `upper - lower <= 12 h`.
pub(super) fn check_window(
    lower_name: &str,
    lower: i64,
    upper_name: &str,
    upper: i64,
) -> Result<(), ApiErr> {
    if upper <= lower {
        return Err(bad(format!("{upper_name} must be after {lower_name}")));
    }
    if i128::from(upper) - i128::from(lower) > i128::from(MAX_WINDOW_MS) {
        return Err(bad(format!(
            "The window {lower_name}..{upper_name} exceeds 12 hours ({MAX_WINDOW_MS} ms)"
        )));
    }
    Ok(())
}

/// `start` (default 0, or mandatory) and `count` (default 10, at most [`MAX_PAGE_COUNT`]).
pub(crate) fn paging(query: &Query, start_required: bool) -> Result<(usize, usize), ApiErr> {
    let start = match single(query, "start")? {
        Some(s) => s
            .trim()
            .parse()
            .map_err(|_| bad(format!("Invalid start {s:?}")))?,
        None if start_required => return Err(bad("Missing query parameter start")),
        None => 0,
    };
    let count = match single(query, "count")? {
        Some(c) => c
            .trim()
            .parse()
            .map_err(|_| bad(format!("Invalid count {c:?}")))?,
        None => 10,
    };
    if count > MAX_PAGE_COUNT {
        return Err(bad(format!(
            "count {count} exceeds the maximum of {MAX_PAGE_COUNT}"
        )));
    }
    Ok((start, count))
}

/// One page of several sorted sources, merged by `cmp`, and how many there are in all.
pub(super) fn merged_page<'a, T>(
    mut sources: Vec<Box<dyn Iterator<Item = &'a T> + 'a>>,
    cmp: impl Fn(&T, &T) -> std::cmp::Ordering,
    start: usize,
    count: usize,
) -> (Vec<&'a T>, usize) {
    let mut all: Vec<&T> = if sources.len() == 1 {
        sources.remove(0).collect()
    } else {
        sources.into_iter().flatten().collect()
    };
    all.sort_by(|a, b| cmp(a, b));
    let total = all.len();
    (all.into_iter().skip(start).take(count).collect(), total)
}
