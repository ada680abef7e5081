//! Chinese numerals as used in article references (第三十二条, 第（三）项).
//!
//! Written by hand: the crates that exist convert money amounts or whole sentences; article
//! numbers need only 0..=9999 in the 十/百/千 form, both ways.

const DIGITS: [char; 10] = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];

/// Formats `n` (1..=9999) as a Chinese numeral: 12 → 十二, 105 → 一百零五.
pub fn to_chinese(n: u32) -> String {
    if n == 0 {
        return "零".to_owned();
    }
    if n >= 10_000 {
        return n.to_string();
    }
    let units = [(1000, '千'), (100, '百'), (10, '十')];
    let mut out = String::new();
    let mut rest = n;
    let mut pending_zero = false;
    for (value, unit) in units {
        let d = rest / value;
        rest %= value;
        if d > 0 {
            if pending_zero {
                out.push('零');
                pending_zero = false;
            }
            // 十二, not 一十二, when the number starts with the tens.
            if !(value == 10 && d == 1 && out.is_empty()) {
                out.push(DIGITS[d as usize]);
            }
            out.push(unit);
        } else if !out.is_empty() {
            pending_zero = true;
        }
    }
    if rest > 0 {
        if pending_zero {
            out.push('零');
        }
        out.push(DIGITS[rest as usize]);
    }
    out
}

/// Parses a Chinese or Arabic numeral (三十二, 一百零五, 32, 两) into a number.
pub fn parse_chinese(s: &str) -> Option<u32> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if s.chars().all(|c| c.is_ascii_digit()) {
        return s.parse().ok();
    }
    if s.chars().all(|c| c.is_ascii_digit() || ('０'..='９').contains(&c)) {
        let ascii: String = s
            .chars()
            .map(|c| {
                if c.is_ascii_digit() {
                    c
                } else {
                    (b'0' + (c as u32 - '０' as u32) as u8) as char
                }
            })
            .collect();
        return ascii.parse().ok();
    }
    let mut total = 0u32;
    let mut digit: Option<u32> = None;
    for c in s.chars() {
        let d = match c {
            '零' | '〇' => Some(0),
            '一' | '壹' => Some(1),
            '二' | '两' | '贰' => Some(2),
            '三' | '叁' => Some(3),
            '四' | '肆' => Some(4),
            '五' | '伍' => Some(5),
            '六' | '陆' => Some(6),
            '七' | '柒' => Some(7),
            '八' | '捌' => Some(8),
            '九' | '玖' => Some(9),
            _ => None,
        };
        if let Some(d) = d {
            digit = Some(d);
            continue;
        }
        let unit = match c {
            '十' | '拾' => 10,
            '百' | '佰' => 100,
            '千' | '仟' => 1000,
            _ => return None,
        };
        total += digit.take().unwrap_or(1) * unit;
    }
    total += digit.unwrap_or(0);
    Some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_article_numbers() {
        assert_eq!(to_chinese(1), "一");
        assert_eq!(to_chinese(10), "十");
        assert_eq!(to_chinese(12), "十二");
        assert_eq!(to_chinese(20), "二十");
        assert_eq!(to_chinese(105), "一百零五");
        assert_eq!(to_chinese(110), "一百一十");
        assert_eq!(to_chinese(1001), "一千零一");
        assert_eq!(to_chinese(1260), "一千二百六十");
    }

    #[test]
    fn parses_both_ways_for_every_article_number() {
        for n in 1..=2000 {
            assert_eq!(parse_chinese(&to_chinese(n)), Some(n), "{n}");
        }
        assert_eq!(parse_chinese("两"), Some(2));
        assert_eq!(parse_chinese("32"), Some(32));
        assert_eq!(parse_chinese("３２"), Some(32));
        assert_eq!(parse_chinese("条"), None);
        assert_eq!(parse_chinese(""), None);
    }
}
