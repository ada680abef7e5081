//! Reading one citation as counties write it: `《title》（edition）第N条第M款第（K）项：quote`, where
//! the position may name several provisions — an enumeration (`第三十条、第三十二条`,
//! `第三十条第一款、第二款`) or a range (`第十条至第十二条`). Each provision becomes its own
//! [`LegalRef`]; the quote, which speaks for them together, goes with the last.

use super::LegalRef;
use crate::numerals::parse_chinese;

/// The most provisions one range may stand for. A wider "range" is more likely a slip (第十条至
/// 第一千条) than a citation, and is kept as its two ends.
const MAX_RANGE: u32 = 200;

/// Separators of an enumeration of provisions.
const AND: [&str; 6] = ["、", "，", ",", "以及", "和", "及"];
/// Separators of a range of provisions.
const THROUGH: [&str; 6] = ["至", "到", "—", "－", "-", "～"];

/// A position inside a law: 条, 款, 项; `None` where the citation does not go that deep.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Position {
    article: Option<u32>,
    paragraph: Option<u32>,
    point: Option<u32>,
}

impl Position {
    fn is_empty(&self) -> bool {
        *self == Position::default()
    }

    /// The highest level this position names: 0 条, 1 款, 2 项.
    fn top(&self) -> Option<usize> {
        [self.article, self.paragraph, self.point].iter().position(Option::is_some)
    }

    fn get(&self, level: usize) -> Option<u32> {
        [self.article, self.paragraph, self.point][level]
    }

    fn set(&mut self, level: usize, value: u32) {
        match level {
            0 => self.article = Some(value),
            1 => self.paragraph = Some(value),
            _ => self.point = Some(value),
        }
    }

    /// A continuation written from a lower level (`、第二款` after `第三十条第一款`) takes the
    /// levels above it from the provision before.
    fn inherit(mut self, previous: &Position) -> Position {
        let top = self.top().unwrap_or(0);
        if top >= 1 {
            self.article = previous.article;
        }
        if top >= 2 {
            self.paragraph = previous.paragraph;
        }
        self
    }
}

/// Parses `第N条第M款第（K）项` (each level optional, in that order) at the start of `text`.
/// With `bare`, the first level may leave out its `第` (`、三十二条`). Returns the position and
/// the rest; an empty position when nothing was read.
fn position(text: &str, mut bare: bool) -> (Position, &str) {
    let mut pos = Position::default();
    let mut rest = text;
    loop {
        let after = match rest.strip_prefix('第') {
            Some(after) => after,
            None if bare => rest,
            None => break,
        };
        bare = false;
        let after = after.trim_start_matches(['（', '(']);
        let Some(end) = after.find(['条', '款', '项', '）', ')']) else { break };
        let Some(n) = parse_chinese(&after[..end]) else { break };
        let tail = after[end..].trim_start_matches(['）', ')']);
        let Some(kind) = tail.chars().next() else { break };
        let level = match kind {
            '条' => 0,
            '款' => 1,
            '项' => 2,
            _ => break,
        };
        // Levels come in order, each once.
        if (level..3).any(|l| pos.get(l).is_some()) {
            break;
        }
        pos.set(level, n);
        rest = &tail[kind.len_utf8()..];
    }
    (pos, rest)
}

/// One citation (a part starting with `《`) as one reference per provision it names.
pub(super) fn parse_one(part: &str) -> Vec<LegalRef> {
    let body = part.trim_start_matches('《');
    let (law, rest) = match body.find('》') {
        Some(end) => (&body[..end], &body[end + '》'.len_utf8()..]),
        None => (body, ""),
    };
    let mut edition = None;
    let mut rest = rest.trim_start();
    if let Some(inner) = rest.strip_prefix('（').or_else(|| rest.strip_prefix('('))
        && let Some(end) = inner.find(['）', ')'])
    {
        edition = Some(inner[..end].to_owned());
        let close = inner[end..].chars().next().map_or(0, char::len_utf8);
        rest = inner[end + close..].trim_start();
    }
    let (first, after) = position(rest, false);
    rest = after;
    let mut positions = vec![first];
    if !first.is_empty() {
        while let Some((range, next, after)) = continuation(rest) {
            let previous = *positions.last().expect("one position at least");
            // The level the continuation is written from, before it takes the ones above.
            let level = next.top().unwrap_or(0);
            let next = next.inherit(&previous);
            if range {
                positions.extend(expand(&previous, &next, level));
            } else {
                positions.push(next);
            }
            rest = after;
        }
    }
    let rest = rest.trim();
    let quote = rest.strip_prefix(['：', ':', '，', ',']).unwrap_or(rest).trim();
    let last = positions.len() - 1;
    positions
        .into_iter()
        .enumerate()
        .map(|(i, p)| LegalRef {
            law: law.trim().to_owned(),
            edition: edition.clone(),
            article: p.article,
            paragraph: p.paragraph,
            point: p.point,
            quote: (i == last && !quote.is_empty()).then(|| quote.to_owned()),
        })
        .collect()
}

/// A further provision after a separator: (whether it closes a range, its position, the rest).
/// `None` when what follows the separator is not a provision (`第三十条，行政机关应当…`): that
/// text stays for the quote.
fn continuation(text: &str) -> Option<(bool, Position, &str)> {
    let text = text.trim_start();
    let (range, after) =
        THROUGH.iter().find_map(|sep| text.strip_prefix(*sep).map(|after| (true, after))).or_else(
            || AND.iter().find_map(|sep| text.strip_prefix(*sep).map(|after| (false, after))),
        )?;
    let (next, rest) = position(after.trim_start(), true);
    (!next.is_empty()).then_some((range, next, rest))
}

/// The provisions after `from` up to and including `to`, counted at `level`, the level `to`
/// is written from (`第十条至第十二条`: 第十一条, 第十二条). A range that does not rise, or spans
/// more than [`MAX_RANGE`], is kept as its end alone.
fn expand(from: &Position, to: &Position, level: usize) -> Vec<Position> {
    let (Some(start), Some(end)) = (from.get(level), to.get(level)) else { return vec![*to] };
    if end <= start || end - start > MAX_RANGE {
        return vec![*to];
    }
    let mut out: Vec<Position> = (start + 1..end)
        .map(|n| {
            let mut p = Position { article: None, paragraph: None, point: None };
            for l in 0..level {
                if let Some(v) = to.get(l) {
                    p.set(l, v);
                }
            }
            p.set(level, n);
            p
        })
        .collect();
    out.push(*to);
    out
}

/// Strips a leading list number: `1.` `1、` `1）` `(1)` `（一）`.
pub(super) fn strip_numbering(line: &str) -> &str {
    let trimmed = line.trim_start();
    let bytes: Vec<char> = trimmed.chars().collect();
    let mut i = 0;
    let paren = matches!(bytes.first(), Some('(') | Some('（'));
    if paren {
        i += 1;
    }
    let start = i;
    while i < bytes.len()
        && (bytes[i].is_ascii_digit() || "一二三四五六七八九十".contains(bytes[i]))
    {
        i += 1;
    }
    if i == start || i >= bytes.len() {
        return trimmed;
    }
    let ok = if paren {
        matches!(bytes[i], ')' | '）')
    } else {
        matches!(bytes[i], '.' | '、' | '．' | ')' | '）')
    };
    if !ok {
        return trimmed;
    }
    let skip: usize = bytes[..=i].iter().map(|c| c.len_utf8()).sum();
    trimmed[skip..].trim_start()
}

/// Splits a line holding several citations separated by `；《`.
pub(super) fn split_refs(line: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    for (idx, _) in line.match_indices("；《") {
        parts.push(&line[start..idx]);
        start = idx + "；".len();
    }
    parts.push(&line[start..]);
    parts
}
