//! Multi-line cell texts: numbering, 责任事项 by stage, 追责情形, per-section legal bases,
//! parties and materials. Each parser has a formatter that writes what it reads back.

use quanze_core::{LegalRef, Material, Responsibility};

/// Splits a leading list number off a line: `1.` `1、` `1．` `1）` `(1)` `（一）` `一、` `①`.
/// Returns the number (when it has one) and the rest, or `None` when the line is not numbered.
pub(crate) fn split_numbering(line: &str) -> Option<(u32, &str)> {
    let trimmed = line.trim_start();
    let mut chars = trimmed.char_indices();
    let (_, first) = chars.next()?;
    if let Some(n) = circled(first) {
        return Some((n, trimmed[first.len_utf8()..].trim_start()));
    }
    if matches!(first, '(' | '（') {
        let body = &trimmed[first.len_utf8()..];
        let end = body.find([')', '）'])?;
        let n = numeral(&body[..end])?;
        let close = body[end..].chars().next().map_or(0, char::len_utf8);
        return Some((n, body[end + close..].trim_start()));
    }
    let digits_end = trimmed
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_digit() || ('０'..='９').contains(c) || is_cn_digit(*c)))
        .map_or(trimmed.len(), |(i, _)| i);
    if digits_end == 0 {
        return None;
    }
    let n = numeral(&trimmed[..digits_end])?;
    let rest = &trimmed[digits_end..];
    let sep = rest.chars().next()?;
    let cn = trimmed[..digits_end].chars().all(is_cn_digit);
    let ok = if cn { sep == '、' } else { matches!(sep, '.' | '、' | '．' | ')' | '）') };
    // 1.5倍 is a number, not a list item.
    let after = &rest[sep.len_utf8()..];
    if !ok || (sep == '.' && after.starts_with(|c: char| c.is_ascii_digit())) {
        return None;
    }
    Some((n, after.trim_start()))
}

fn is_cn_digit(c: char) -> bool {
    "零一二三四五六七八九十百".contains(c)
}

fn circled(c: char) -> Option<u32> {
    let n = c as u32;
    (0x2460..=0x2473).contains(&n).then(|| n - 0x2460 + 1)
}

fn numeral(text: &str) -> Option<u32> {
    let n = quanze_core::numerals::parse_chinese(text)?;
    (n > 0).then_some(n)
}

/// Lines of a cell, trimmed, without empty ones. Cells written on Windows carry `\r\n`.
fn lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines().map(str::trim).filter(|l| !l.is_empty())
}

/// A section header inside a basis or parties cell: `1.受理责任：…` or `2.追责情形：…`.
/// Returns the number (if any), the label without its 责任 suffix, and the rest of the line.
fn section_header(line: &str) -> Option<(Option<u32>, &str, &str)> {
    let (number, rest) = match split_numbering(line) {
        Some((n, rest)) => (Some(n), rest),
        None => (None, line.trim()),
    };
    let colon = rest.find(['：', ':'])?;
    let label = rest[..colon].trim();
    if label.starts_with('《') || label.chars().count() > 16 {
        return None;
    }
    let after = rest[colon..].chars().next().map_or(0, char::len_utf8);
    let body = rest[colon + after..].trim();
    if let Some(stage) = label.strip_suffix("责任") {
        return Some((number, stage, body));
    }
    if label.ends_with("情形") {
        return Some((number, label, body));
    }
    None
}

/// A cell split into numbered sections, or a single blob that applies to every entry.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Sections<'a> {
    /// No section headers: the whole text.
    Blob(String),
    /// (number, label, text) per section, in order.
    Numbered(Vec<(Option<u32>, &'a str, String)>),
}

/// Splits a cell into sections by [`section_header`] lines.
pub(crate) fn sections(text: &str) -> Sections<'_> {
    let mut out: Vec<(Option<u32>, &str, String)> = Vec::new();
    let mut before = String::new();
    for line in lines(text) {
        if let Some((n, label, body)) = section_header(line) {
            out.push((n, label, body.to_owned()));
        } else if let Some((_, _, acc)) = out.last_mut() {
            if !acc.is_empty() {
                acc.push('\n');
            }
            acc.push_str(line);
        } else {
            if !before.is_empty() {
                before.push('\n');
            }
            before.push_str(line);
        }
    }
    if out.is_empty() {
        return Sections::Blob(before);
    }
    if !before.is_empty() {
        // Text above the first header applies to the first section.
        let first = &mut out[0].2;
        *first = if first.is_empty() { before } else { format!("{before}\n{first}") };
    }
    Sections::Numbered(out)
}

/// Parses a 责任事项 cell: `1.受理责任：…` per stage; an unnumbered line continues the previous
/// stage's text.
pub(crate) fn parse_responsibilities(text: &str) -> Vec<Responsibility> {
    let mut out: Vec<Responsibility> = Vec::new();
    for line in lines(text) {
        let numbered = split_numbering(line);
        let rest = numbered.map_or(line, |(_, rest)| rest);
        let labelled = rest.find(['：', ':']).and_then(|colon| {
            let label = rest[..colon].trim();
            let after = rest[colon..].chars().next().map_or(0, char::len_utf8);
            let body = rest[colon + after..].trim();
            let short =
                label.chars().count() <= 12 && !label.starts_with('《') && !label.contains('。');
            (short && (numbered.is_some() || label.ends_with("责任"))).then_some((label, body))
        });
        let labelled = labelled.or_else(|| numbered.and(stage_without_colon(rest)));
        if let Some((label, body)) = labelled {
            let stage = label.strip_suffix("责任").unwrap_or(label);
            out.push(Responsibility {
                stage: stage.to_owned(),
                content: body.to_owned(),
                basis: Vec::new(),
            });
        } else if numbered.is_some() || out.is_empty() {
            out.push(Responsibility {
                stage: String::new(),
                content: rest.to_owned(),
                basis: Vec::new(),
            });
        } else if let Some(last) = out.last_mut() {
            if !last.content.is_empty() {
                last.content.push('\n');
            }
            last.content.push_str(line);
        }
    }
    out
}

/// A numbered responsibility written without a colon, `受理责任。依法受理` or `受理责任`: the
/// short label before 责任 is the stage when 责任 ends the line or is followed by 。 or a space.
fn stage_without_colon(rest: &str) -> Option<(&str, &str)> {
    let idx = rest.find("责任")?;
    let label = rest[..idx].trim();
    let short = (1..=8).contains(&label.chars().count());
    if !short
        || label.contains(|c: char| c.is_ascii_punctuation() || "，。、；《》（）".contains(c))
    {
        return None;
    }
    let after = &rest[idx + "责任".len()..];
    let body = match after.chars().next() {
        None => "",
        Some(c @ ('。' | '.' | '．' | ' ' | '\u{3000}')) => after[c.len_utf8()..].trim(),
        Some(_) => return None,
    };
    Some((&rest[..idx + "责任".len()], body))
}

/// Writes responsibilities the way [`parse_responsibilities`] reads them.
pub(crate) fn format_responsibilities(items: &[Responsibility]) -> String {
    items
        .iter()
        .enumerate()
        .map(|(i, r)| format!("{}.{}责任：{}", i + 1, r.stage, r.content))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Parses a 追责情形 cell: numbered situations, continuation lines appended; a cell without
/// any numbering holds one situation per line. An unnumbered line ending in a colon
/// (`…有下列情形的，…应承担相应责任：`) introduces the list and is not itself a situation.
pub(crate) fn parse_situations(text: &str) -> Vec<String> {
    let any_numbered = lines(text).any(|l| split_numbering(l).is_some());
    let n_lines = lines(text).count();
    let mut out: Vec<String> = Vec::new();
    for (i, line) in lines(text).enumerate() {
        let numbered = split_numbering(line);
        if numbered.is_none() && out.is_empty() && i + 1 < n_lines && is_lead_in(line) {
            continue;
        }
        match numbered {
            Some((_, rest)) => out.push(rest.to_owned()),
            None if !any_numbered => out.push(line.to_owned()),
            None => match out.last_mut() {
                Some(last) => {
                    last.push('\n');
                    last.push_str(line);
                }
                None => out.push(line.to_owned()),
            },
        }
    }
    out
}

/// The lead-in of a list: a line ending in a colon.
fn is_lead_in(line: &str) -> bool {
    line.trim_end().ends_with(['：', ':'])
}

/// Writes situations numbered `1.` `2.`.
pub(crate) fn format_situations(items: &[String]) -> String {
    items.iter().enumerate().map(|(i, s)| format!("{}.{s}", i + 1)).collect::<Vec<_>>().join("\n")
}

/// Splits 追责对象范围: 法定代表人、分管负责人，承办机构负责人.
pub(crate) fn parse_parties(text: &str) -> Vec<String> {
    text.split(['、', '，', ',', '；', ';', '\n', '\r'])
        .map(|p| p.trim().trim_end_matches(['。', '等']).trim())
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Joins parties with 、.
pub(crate) fn format_parties(parties: &[String]) -> String {
    parties.join("、")
}

/// Writes one value per entry: the plain value when every entry has the same one, otherwise one
/// `N.label：` section per entry that has a non-empty value.
pub(crate) fn format_per_entry(values: &[String], labels: &[String]) -> String {
    if values.iter().all(|v| v.is_empty()) {
        return String::new();
    }
    if values.len() == 1 || values.iter().all(|v| *v == values[0]) {
        return values[0].clone();
    }
    let mut out = Vec::new();
    for (i, (value, label)) in values.iter().zip(labels).enumerate() {
        if !value.is_empty() {
            out.push(format!("{}.{label}：{value}", i + 1));
        }
    }
    out.join("\n")
}

/// Parses 申请材料: one material per line, `名称【纸质，2份，非必要，共享获取】`.
pub(crate) fn parse_materials(text: &str) -> Vec<Material> {
    lines(text)
        .map(|line| {
            let line = split_numbering(line).map_or(line, |(_, rest)| rest);
            let mut material = Material {
                name: line.to_owned(),
                form: None,
                copies: None,
                required: true,
                shared: false,
            };
            if let Some(body) = line.strip_suffix('】')
                && let Some(open) = body.rfind('【')
            {
                material.name = body[..open].trim().to_owned();
                for part in body[open + '【'.len_utf8()..].split(['，', ',']) {
                    let part = part.trim();
                    if let Some(n) = part.strip_suffix('份') {
                        material.copies = quanze_core::numerals::parse_chinese(n);
                    } else if matches!(part, "非必要" | "选填" | "非必须" | "容缺") {
                        material.required = false;
                    } else if matches!(part, "必要" | "必须" | "必填") {
                        material.required = true;
                    } else if matches!(part, "共享获取" | "免提交" | "免交") {
                        material.shared = true;
                    } else if !part.is_empty() {
                        material.form = Some(part.to_owned());
                    }
                }
            }
            material
        })
        .collect()
}

/// Writes materials the way [`parse_materials`] reads them.
pub(crate) fn format_materials(materials: &[Material]) -> String {
    materials
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let mut tags = Vec::new();
            if let Some(form) = &m.form {
                tags.push(form.clone());
            }
            if let Some(n) = m.copies {
                tags.push(format!("{n}份"));
            }
            if !m.required {
                tags.push("非必要".to_owned());
            }
            if m.shared {
                tags.push("共享获取".to_owned());
            }
            if tags.is_empty() {
                format!("{}.{}", i + 1, m.name)
            } else {
                format!("{}.{}【{}】", i + 1, m.name, tags.join("，"))
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Parses a legal basis cell.
pub(crate) fn parse_refs(text: &str) -> Vec<LegalRef> {
    LegalRef::parse_many(text)
}

#[cfg(test)]
mod tests;
