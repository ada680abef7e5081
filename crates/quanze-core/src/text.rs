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
}
