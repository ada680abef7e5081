//! 文本检查 — what free text typed by staff or the public may hold: a bounded length, no
//! control characters (tabs and line breaks only where the field has lines), and no bidi
//! controls, which can make a text read differently from what it stores (CVE-2021-42574,
//! "Trojan Source").

/// Why a text is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    /// Longer than the field allows.
    #[error("the text is longer than {max} characters")]
    TooLong {
        /// The most characters.
        max: usize,
    },
    /// A control character (or a line break in a one-line field).
    #[error("the text holds a control character at position {pos}")]
    Control {
        /// 1-based character position.
        pos: usize,
    },
    /// A bidirectional control character.
    #[error("the text holds a bidirectional control character at position {pos}")]
    Bidi {
        /// 1-based character position.
        pos: usize,
    },
}

impl TextError {
    /// The message for users.
    pub fn zh(&self) -> String {
        match self {
            TextError::TooLong { max } => format!("内容不能超过{max}个字"),
            TextError::Control { pos } => format!("第{pos}个字符是不可见的控制字符，请删除"),
            TextError::Bidi { pos } => format!("第{pos}个字符是改变文字方向的控制字符，请删除"),
        }
    }
}

/// Whether `c` changes the direction text is shown in (Unicode bidi controls).
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Checks a free text of at most `max` characters; `lines` allows line breaks and tabs.
pub fn check_text(text: &str, max: usize, lines: bool) -> Result<(), TextError> {
    let mut count = 0;
    for (i, c) in text.chars().enumerate() {
        count += 1;
        if count > max {
            return Err(TextError::TooLong { max });
        }
        let allowed_space = lines && matches!(c, '\n' | '\r' | '\t');
        if c.is_control() && !allowed_space {
            return Err(TextError::Control { pos: i + 1 });
        }
        if is_bidi_control(c) {
            return Err(TextError::Bidi { pos: i + 1 });
        }
    }
    Ok(())
}

/// The earliest date a record of this system can hold: the founding of the People's Republic
/// (a law in force, a list's effective date).
pub const EARLIEST_DATE: (i32, u32, u32) = (1949, 10, 1);

/// Refuses a date no record can hold: before [`EARLIEST_DATE`] or more than ten years after
/// `today` (a typo such as 0001-01-01 or 2207-01-01, which would also make every working-day
/// count walk millennia).
pub fn check_plausible_date(
    field: &'static str,
    date: chrono::NaiveDate,
    today: chrono::NaiveDate,
) -> Result<(), crate::error::ValidationError> {
    let (y, m, d) = EARLIEST_DATE;
    let earliest = chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap_or(chrono::NaiveDate::MIN);
    let latest = today.checked_add_months(chrono::Months::new(120)).unwrap_or(today);
    if date < earliest || date > latest {
        return Err(crate::error::ValidationError::Invalid {
            field,
            reason: "must lie between 1949-10-01 and ten years from today",
            reason_zh: "应在1949年10月1日至十年后之间",
            value: date.to_string(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_bounded_visible_and_one_directional() {
        assert_eq!(check_text("建议增加夜间办理时段。\n谢谢！", 20, true), Ok(()));
        assert_eq!(check_text(&"字".repeat(21), 20, true), Err(TextError::TooLong { max: 20 }));
        assert_eq!(check_text("a\u{7}b", 20, true), Err(TextError::Control { pos: 2 }));
        assert_eq!(check_text("a\nb", 20, false), Err(TextError::Control { pos: 2 }));
        assert_eq!(check_text("a\u{202E}cba", 20, true), Err(TextError::Bidi { pos: 2 }));
        assert_eq!(check_text("\u{2067}x", 20, false), Err(TextError::Bidi { pos: 1 }));
    }

    #[test]
    fn dates_lie_between_the_founding_and_ten_years_on() {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        let d = |y, m, dd| chrono::NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        assert!(check_plausible_date("in_force_from", d(1949, 10, 1), today).is_ok());
        assert!(check_plausible_date("in_force_from", d(2036, 12, 7), today).is_ok());
        for bad in [d(1, 1, 1), d(1949, 9, 30), d(2036, 12, 8), d(9999, 12, 31)] {
            assert!(check_plausible_date("in_force_from", bad, today).is_err(), "{bad}");
        }
    }
}
