//! docs/benchmarks.md is written by two benches, each owning some `## ` sections. A bench
//! replaces only its own sections, and keeps the `### ` subsections a person wrote into them
//! (any subsection heading the bench does not generate), each after the subsection it followed.

/// One `## ` section, or the text before the first (the preamble).
struct Section<'a> {
    heading: Option<&'a str>,
    text: &'a str,
}

/// Splits `doc` before each line that starts with `marker` (`"## "` or `"### "`).
fn split<'a>(doc: &'a str, marker: &str) -> Vec<Section<'a>> {
    let mut starts: Vec<usize> = doc
        .match_indices(marker)
        .map(|(i, _)| i)
        .filter(|&i| i == 0 || doc.as_bytes()[i - 1] == b'\n')
        .collect();
    if starts.first() != Some(&0) {
        starts.insert(0, 0);
    }
    starts
        .iter()
        .enumerate()
        .map(|(k, &start)| {
            let end = starts.get(k + 1).copied().unwrap_or(doc.len());
            let text = &doc[start..end];
            let heading = text
                .starts_with(marker)
                .then(|| text.lines().next().unwrap_or_default().trim_end());
            Section { heading, text }
        })
        .filter(|s| !s.text.is_empty())
        .collect()
}

fn with_blank_line(text: &str) -> String {
    format!("{}\n\n", text.trim_end())
}

/// The generated `section` (starting with its `## ` heading) with the subsections of `old`
/// (the same section as the document holds it) that `section` does not generate.
fn merge(old: &str, section: &str) -> String {
    let new_parts = split(section, "### ");
    let mut out: Vec<(Option<&str>, String)> = new_parts
        .iter()
        .map(|s| (s.heading, with_blank_line(s.text)))
        .collect();
    let mut previous: Option<&str> = None;
    for part in split(old, "### ") {
        let Some(heading) = part.heading else {
            continue;
        };
        if !out.iter().any(|(h, _)| *h == Some(heading)) {
            // After the subsection it followed, or else after the section's introduction.
            let at = previous
                .and_then(|p| out.iter().position(|(h, _)| *h == Some(p)))
                .map_or(1.min(out.len()), |i| i + 1);
            out.insert(at, (Some(heading), with_blank_line(part.text)));
        }
        previous = Some(heading);
    }
    out.into_iter().map(|(_, text)| text).collect()
}

/// `doc` with `section` (generated, starting with its `## ` heading) in place of the section
/// of the same heading, hand-written subsections kept; a section the document lacks goes
/// before the section headed `before` when there is one, else at the end.
pub fn replace_section(doc: &str, section: &str, before: Option<&str>) -> String {
    let section = section.trim_start();
    let heading = section.lines().next().unwrap_or_default().trim_end();
    let mut parts: Vec<String> = Vec::new();
    let mut placed = false;
    for part in split(doc, "## ") {
        if part.heading == Some(heading) {
            parts.push(merge(part.text, section));
            placed = true;
        } else {
            if !placed && before.is_some() && part.heading == before {
                parts.push(with_blank_line(section));
                placed = true;
            }
            parts.push(with_blank_line(part.text));
        }
    }
    if !placed {
        parts.push(with_blank_line(section));
    }
    let mut out: String = parts.concat();
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

/// `doc` with `preamble` in place of the text before its first `## ` section.
pub fn replace_preamble(doc: &str, preamble: &str) -> String {
    let rest = split(doc, "## ")
        .into_iter()
        .filter(|p| p.heading.is_some())
        .map(|p| with_blank_line(p.text))
        .collect::<String>();
    format!("{}{}", with_blank_line(preamble), rest.trim_end())
        .trim_end()
        .to_owned()
        + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "# Benchmarks\n\nMachine: old\n\n## A\n\nold a\n\n### Generated\n\nold g\n\n\
                       ### Notes by hand\n\nkept\n\n### Tail\n\nold t\n\n## B\n\nold b\n";

    #[test]
    fn a_section_is_replaced_and_hand_written_subsections_stay_where_they_were() {
        let out = replace_section(
            DOC,
            "## A\n\nnew a\n\n### Generated\n\nnew g\n\n### Tail\n\nnew t\n",
            None,
        );
        assert_eq!(
            out,
            "# Benchmarks\n\nMachine: old\n\n## A\n\nnew a\n\n### Generated\n\nnew g\n\n\
             ### Notes by hand\n\nkept\n\n### Tail\n\nnew t\n\n## B\n\nold b\n"
        );
    }

    #[test]
    fn a_missing_section_goes_before_the_named_one_or_at_the_end() {
        let before = replace_section(DOC, "## C\n\nc\n", Some("## B"));
        assert!(before.contains("old t\n\n## C\n\nc\n\n## B\n"), "{before}");
        let end = replace_section(DOC, "## C\n\nc\n", None);
        assert!(end.ends_with("## B\n\nold b\n\n## C\n\nc\n"), "{end}");
    }

    #[test]
    fn the_preamble_is_replaced_and_the_sections_kept() {
        let out = replace_preamble(DOC, "# Benchmarks\n\nMachine: new\n");
        assert!(out.starts_with("# Benchmarks\n\nMachine: new\n\n## A\n\nold a"));
        assert!(out.ends_with("## B\n\nold b\n"));
    }
}
