//! The log budget of one plugin call: how many lines a call may log, how
//! long one line may be and how many bytes all its lines may hold together.
//!
//! A plugin's `log` calls reach the host's log; without a bound on bytes, one
//! call could write its whole memory (megabytes) per line, a hundred times.
//! The budget cuts a long line, and drops every line once the call has used
//! its lines or its bytes; the first dropped line is replaced by one notice.

/// The log budget of every plugin call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogLimits {
    /// Lines a call may log.
    pub lines: usize,
    /// Bytes of one line (its message and its fields); a longer line is cut
    /// there, marked as cut.
    pub line_bytes: usize,
    /// Bytes of all the lines of one call; a line that does not fit whole in
    /// what is left is dropped.
    pub call_bytes: usize,
}

impl Default for LogLimits {
    /// 100 lines, 4 KiB per line, 64 KiB per call.
    fn default() -> Self {
        Self {
            lines: 100,
            line_bytes: 4 << 10,
            call_bytes: 64 << 10,
        }
    }
}

/// The mark ending a line cut at [`LogLimits::line_bytes`]; counted in the
/// line's bytes.
pub(super) const CUT_MARK: &str = "…[cut]";

/// What becomes of one `log` call.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Verdict {
    /// Log this line: the message and the fields (`key=value`, space
    /// separated), cut to the budget.
    Log { message: String, fields: String },
    /// Drop the line and log, once per call, that the budget is spent.
    DropWithNotice,
    /// Drop the line silently (the notice was logged).
    Drop,
}

/// What is left of one call's budget.
#[derive(Debug)]
pub(super) struct LogBudget {
    limits: LogLimits,
    lines_left: usize,
    bytes_left: usize,
    noticed: bool,
}

impl LogBudget {
    /// The whole budget of one call.
    pub(super) fn new(limits: LogLimits) -> Self {
        Self {
            limits,
            lines_left: limits.lines,
            bytes_left: limits.call_bytes,
            noticed: false,
        }
    }

    /// Spends the budget on one line of `message` and `fields`.
    ///
    /// The line's bytes are the message's plus its fields text; a line
    /// longer than [`LogLimits::line_bytes`] is cut there (at a character
    /// boundary, ending in [`CUT_MARK`]), the message first. A line is
    /// dropped when no line is left or its (cut) bytes exceed what the call
    /// has left. Formats no more than it keeps: a huge field is never copied
    /// whole.
    pub(super) fn admit(&mut self, message: &str, fields: &[(String, String)]) -> Verdict {
        let full = message.len() + fields_len(fields);
        let size = full.min(self.limits.line_bytes.max(CUT_MARK.len()));
        if self.lines_left == 0 || size > self.bytes_left {
            self.lines_left = 0;
            return if std::mem::replace(&mut self.noticed, true) {
                Verdict::Drop
            } else {
                Verdict::DropWithNotice
            };
        }
        self.lines_left -= 1;
        self.bytes_left -= size;
        if full <= size {
            return Verdict::Log {
                message: message.to_owned(),
                fields: fields_text(fields, usize::MAX),
            };
        }
        let room = size - CUT_MARK.len();
        let kept = prefix(message, room);
        let mut message = kept.to_owned();
        let fields = fields_text(fields, room - kept.len());
        if fields.is_empty() {
            message.push_str(CUT_MARK);
            Verdict::Log { message, fields }
        } else {
            Verdict::Log {
                message,
                fields: fields + CUT_MARK,
            }
        }
    }
}

/// The bytes of the fields' text: `key=value` pairs, one space between.
fn fields_len(fields: &[(String, String)]) -> usize {
    let pairs: usize = fields
        .iter()
        .map(|(key, value)| key.len() + 1 + value.len())
        .sum();
    pairs + fields.len().saturating_sub(1)
}

/// The fields' text, at most `room` bytes of it.
fn fields_text(fields: &[(String, String)], room: usize) -> String {
    let mut text = String::new();
    for (index, (key, value)) in fields.iter().enumerate() {
        let separator = if index == 0 { "" } else { " " };
        for part in [separator, key, "=", value] {
            let kept = prefix(part, room - text.len());
            text.push_str(kept);
            if kept.len() < part.len() {
                return text;
            }
        }
    }
    text
}

/// The longest prefix of `text` of at most `room` bytes ending at a
/// character boundary.
fn prefix(text: &str, room: usize) -> &str {
    if text.len() <= room {
        return text;
    }
    let mut end = room;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(lines: usize, line_bytes: usize, call_bytes: usize) -> LogLimits {
        LogLimits {
            lines,
            line_bytes,
            call_bytes,
        }
    }

    fn logged(verdict: Verdict) -> (String, String) {
        match verdict {
            Verdict::Log { message, fields } => (message, fields),
            other => panic!("dropped: {other:?}"),
        }
    }

    fn field(key: &str, value: &str) -> (String, String) {
        (key.to_owned(), value.to_owned())
    }

    #[test]
    fn lines_within_budget_pass_whole() {
        let mut budget = LogBudget::new(LogLimits::default());
        let (message, fields) = logged(budget.admit(
            "translated",
            &[field("route", "default/a"), field("rules", "2")],
        ));
        assert_eq!(message, "translated");
        assert_eq!(fields, "route=default/a rules=2");
    }

    #[test]
    fn the_line_count_is_bounded_with_one_notice() {
        let mut budget = LogBudget::new(limits(3, 100, 1000));
        for _ in 0..3 {
            logged(budget.admit("line", &[]));
        }
        assert_eq!(budget.admit("line", &[]), Verdict::DropWithNotice);
        for _ in 0..1000 {
            assert_eq!(budget.admit("line", &[]), Verdict::Drop);
        }
    }

    #[test]
    fn a_long_line_is_cut_at_a_character_boundary_and_marked() {
        let mut budget = LogBudget::new(limits(10, 16, 1000));
        let (message, fields) = logged(budget.admit(&"é".repeat(1000), &[]));
        assert!(message.ends_with(CUT_MARK), "{message}");
        assert!(message.len() <= 16, "{}", message.len());
        assert!(message.starts_with("éé"));
        assert_eq!(fields, "");
    }

    #[test]
    fn a_long_field_is_cut_and_never_copied_whole() {
        let mut budget = LogBudget::new(limits(10, 32, 1000));
        let (message, fields) = logged(budget.admit(
            "m",
            &[field("key", &"v".repeat(1 << 20)), field("next", "x")],
        ));
        assert_eq!(message, "m");
        assert!(fields.starts_with("key=vvv") && fields.ends_with(CUT_MARK));
        assert!(message.len() + fields.len() <= 32, "{fields}");
        assert!(!fields.contains("next"));
    }

    #[test]
    fn the_bytes_of_a_call_are_bounded_with_one_notice() {
        let mut budget = LogBudget::new(limits(1000, 100, 250));
        let line = "x".repeat(1 << 20);
        let mut total = 0;
        let mut notices = 0;
        for _ in 0..100 {
            match budget.admit(&line, &[field("k", &line)]) {
                Verdict::Log { message, fields } => total += message.len() + fields.len(),
                Verdict::DropWithNotice => notices += 1,
                Verdict::Drop => {}
            }
        }
        assert_eq!(total, 200, "two cut lines of 100 bytes fit in 250");
        assert_eq!(notices, 1);
    }

    #[test]
    fn a_short_line_fitting_what_is_left_is_dropped_after_the_notice_too() {
        let mut budget = LogBudget::new(limits(1000, 100, 150));
        logged(budget.admit(&"x".repeat(100), &[]));
        assert_eq!(budget.admit(&"x".repeat(100), &[]), Verdict::DropWithNotice);
        // Once spent, the budget stays spent: no line after the notice.
        assert_eq!(budget.admit("short", &[]), Verdict::Drop);
    }
}
