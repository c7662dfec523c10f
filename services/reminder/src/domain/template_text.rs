//! The text of a template, parsed once when it is stored: literal text and placeholders in the
//! two styles the billing system writes, `${TRADE_MARK}` and `%PLAN_NAME%`. Parsing is strict
//! so that a typo is refused when the template is saved, not found in a customer's SMS: every
//! `%` opens a placeholder unless doubled (`%%` is a literal percent sign), every `${` must be
//! closed, and names are upper-case. Positions in refusals count characters from 1.

use vipcare_domain::Invalid;

/// Longest placeholder (and variable) name.
pub const MAX_NAME_CHARS: usize = 64;

/// How a placeholder was written; both are filled from the same variables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlaceholderStyle {
    /// `${NAME}`
    Dollar,
    /// `%NAME%`
    Percent,
}

/// A run of literal text or one placeholder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Text(String),
    Placeholder {
        name: String,
        style: PlaceholderStyle,
    },
}

/// A parsed template text. Keeps its source, so it is stored and shown as it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateText {
    source: String,
    pieces: Vec<Piece>,
}

/// Whether `name` is a placeholder name: A-Z, 0-9 and _, starting with a letter.
pub fn is_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_uppercase())
        && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        && name.len() <= MAX_NAME_CHARS
}

impl TemplateText {
    pub fn parse(source: &str) -> Result<TemplateText, Invalid> {
        let chars: Vec<char> = source.chars().collect();
        let mut pieces = Vec::new();
        let mut text = String::new();
        let mut i = 0;
        while let Some(&c) = chars.get(i) {
            let next = chars.get(i + 1).copied();
            let (name, style, end) = match (c, next) {
                ('%', Some('%')) | ('$', Some('$')) => {
                    text.push(c);
                    i += 2;
                    continue;
                }
                ('$', Some('{')) => {
                    let (name, end) = closed_by(&chars, i + 2, '}').ok_or_else(|| {
                        Invalid::new(format!(
                            "unbalanced placeholder: `${{` at character {} is never closed with `}}`",
                            i + 1
                        ))
                    })?;
                    (name, PlaceholderStyle::Dollar, end)
                }
                ('%', _) => {
                    let (name, end) = closed_by(&chars, i + 1, '%').ok_or_else(|| {
                        Invalid::new(format!(
                            "unbalanced placeholder: `%` at character {} is never closed with `%` \
                             (write a literal percent sign as `%%`)",
                            i + 1
                        ))
                    })?;
                    (name, PlaceholderStyle::Percent, end)
                }
                ('{', _) => {
                    // `{PLAN_NAME}` is a `${PLAN_NAME}` that lost its dollar sign.
                    if let Some((name, _)) =
                        closed_by(&chars, i + 1, '}').filter(|(n, _)| is_name(n))
                    {
                        return Err(Invalid::new(format!(
                            "malformed placeholder: `{{{name}}}` at character {} lacks its `$`",
                            i + 1
                        )));
                    }
                    text.push(c);
                    i += 1;
                    continue;
                }
                _ => {
                    text.push(c);
                    i += 1;
                    continue;
                }
            };
            if !is_name(&name) {
                return Err(malformed(&chars[i..=end], i + 1, style));
            }
            if !text.is_empty() {
                pieces.push(Piece::Text(std::mem::take(&mut text)));
            }
            pieces.push(Piece::Placeholder { name, style });
            i = end + 1;
        }
        if !text.is_empty() {
            pieces.push(Piece::Text(text));
        }
        Ok(TemplateText {
            source: source.to_owned(),
            pieces,
        })
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    pub fn pieces(&self) -> &[Piece] {
        &self.pieces
    }

    /// Placeholder names in order of first appearance, each once.
    pub fn placeholders(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for piece in &self.pieces {
            if let Piece::Placeholder { name, .. } = piece
                && !names.contains(&name.as_str())
            {
                names.push(name);
            }
        }
        names
    }
}

/// The characters from `start` up to the next `close`, and where that `close` is.
fn closed_by(chars: &[char], start: usize, close: char) -> Option<(String, usize)> {
    let offset = chars.get(start..)?.iter().position(|c| *c == close)?;
    Some((
        chars[start..start + offset].iter().collect(),
        start + offset,
    ))
}

fn malformed(written: &[char], position: usize, style: PlaceholderStyle) -> Invalid {
    // Long enough to recognise, short enough for one line.
    let mut shown: String = written.iter().take(24).collect();
    if written.len() > 24 {
        shown.push('…');
    }
    let hint = match style {
        PlaceholderStyle::Dollar => "",
        PlaceholderStyle::Percent => " (write a literal percent sign as `%%`)",
    };
    Invalid::new(format!(
        "malformed placeholder: `{shown}` at character {position}: a name is 1-{MAX_NAME_CHARS} of \
         A-Z, 0-9 and _, starting with a letter{hint}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(source: &str) -> Vec<String> {
        let text = TemplateText::parse(source).unwrap();
        text.placeholders().into_iter().map(str::to_owned).collect()
    }

    fn refusal(source: &str) -> String {
        TemplateText::parse(source).unwrap_err().0
    }

    #[test]
    fn both_styles_are_placeholders_and_the_rest_is_text() {
        let text =
            TemplateText::parse("尊敬的${TRADE_MARK}客户:您订购的%PLAN_NAME%已生效").unwrap();
        assert_eq!(
            text.pieces(),
            [
                Piece::Text("尊敬的".into()),
                Piece::Placeholder {
                    name: "TRADE_MARK".into(),
                    style: PlaceholderStyle::Dollar
                },
                Piece::Text("客户:您订购的".into()),
                Piece::Placeholder {
                    name: "PLAN_NAME".into(),
                    style: PlaceholderStyle::Percent
                },
                Piece::Text("已生效".into()),
            ]
        );
        assert_eq!(
            text.source(),
            "尊敬的${TRADE_MARK}客户:您订购的%PLAN_NAME%已生效"
        );
    }

    #[test]
    fn names_are_listed_once_in_order() {
        assert_eq!(
            names("%MASTER_BILL_ID%的业务,费用由户主%MASTER_BILL_ID%支付,${X1}"),
            ["MASTER_BILL_ID", "X1"]
        );
        assert!(names("没有占位符").is_empty());
    }

    #[test]
    fn doubled_signs_are_literal() {
        let text = TemplateText::parse("已用%USED%%%,价格US$$5,${A}").unwrap();
        assert_eq!(text.pieces()[2], Piece::Text("%,价格US$5,".into()));
        // A dollar sign before anything but `{` or `$` is plain text.
        assert_eq!(names("US$5 {not a name}"), Vec::<String>::new());
    }

    #[test]
    fn unbalanced_placeholders_are_refused_with_their_position() {
        let r = refusal("尊敬的${TRADE_MARK客户");
        assert!(r.contains("unbalanced") && r.contains("character 4"), "{r}");
        let r = refusal("您订购的%PLAN_NAME已生效");
        assert!(r.contains("unbalanced") && r.contains("character 5"), "{r}");
        let r = refusal("流量已用80%");
        assert!(r.contains("character 7") && r.contains("%%"), "{r}");
    }

    #[test]
    fn malformed_placeholders_are_refused_with_their_position() {
        for (source, position) in [
            ("${}", 1),
            ("ab${plan_name}", 3),
            ("%PLAN NAME%", 1),
            ("已用80%,剩余20%", 5),
            ("x%1ST%", 2),
            ("{PLAN_NAME}", 1),
        ] {
            let r = refusal(source);
            assert!(r.contains("malformed"), "{source}: {r}");
            assert!(
                r.contains(&format!("character {position}:"))
                    || r.contains(&format!("character {position} ")),
                "{source}: {r}"
            );
        }
        let long = format!("%{}%", "A".repeat(MAX_NAME_CHARS + 1));
        assert!(refusal(&long).contains('…'));
        assert!(TemplateText::parse(&format!("%{}%", "A".repeat(MAX_NAME_CHARS))).is_ok());
    }
}
