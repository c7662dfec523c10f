//! Reminder texts: one template per kind of message, for a touchpoint, channel and locale,
//! identified by a code. Templates are checked when stored (placeholders balanced and well
//! formed, see [`TemplateText`]) and rendered with the reminder's variables when it is
//! scheduled: a missing or empty variable is refused, naming it, so a customer never reads an
//! unfilled placeholder ("incomplete content" was one of the complaints of DOMAIN.md).

use vipcare_domain::{Invalid, Violation, bidi_refused, bounded_text};

use super::{ContactChannel, Touchpoint};

#[path = "template_seeds.rs"]
mod seeds;
#[path = "template_text.rs"]
mod text;
#[path = "template_variables.rs"]
mod variables;

pub use seeds::seed_templates;
pub use text::{MAX_NAME_CHARS, Piece, PlaceholderStyle, TemplateText, is_name};
pub use variables::{MAX_VALUE_CHARS, MAX_VARIABLES, Variables};

/// Longest template body, in characters.
pub const MAX_BODY_CHARS: usize = 1_000;
/// Longest rendered text, in characters: about 15 Chinese SMS segments.
pub const MAX_RENDERED_CHARS: usize = 1_000;
/// The locale templates fall back to: the operator's own.
pub const FALLBACK_LOCALE: &str = "zh-CN";

/// A template as a caller writes it, before it is checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateDraft {
    pub code: String,
    pub touchpoint: Touchpoint,
    pub channel: ContactChannel,
    pub locale: String,
    pub name: String,
    pub body: String,
    pub is_default: bool,
}

/// A checked template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    code: String,
    touchpoint: Touchpoint,
    channel: ContactChannel,
    locale: String,
    name: String,
    text: TemplateText,
    is_default: bool,
}

impl Template {
    /// Every refused field, relative to the template.
    pub fn new(draft: TemplateDraft) -> Result<Template, Vec<Violation>> {
        let TemplateDraft {
            code,
            touchpoint,
            channel,
            locale,
            name,
            body,
            is_default,
        } = draft;
        let mut found = Vec::new();
        let mut check = |result: Result<(), Invalid>, field: &str| {
            if let Err(e) = result {
                found.push(e.at(field));
            }
        };
        check(template_code(&code), "code");
        let locale = canonical_locale(&locale);
        check(locale.as_ref().map(|_| ()).map_err(Clone::clone), "locale");
        check(required_text(&name, 64).map(|_| ()), "name");
        let text = body_text(&body);
        check(text.as_ref().map(|_| ()).map_err(Clone::clone), "body");
        match (locale, text, found.is_empty()) {
            (Ok(locale), Ok(text), true) => Ok(Template {
                code,
                touchpoint,
                channel,
                locale,
                name,
                text,
                is_default,
            }),
            _ => Err(found),
        }
    }

    pub fn code(&self) -> &str {
        &self.code
    }

    pub fn touchpoint(&self) -> Touchpoint {
        self.touchpoint
    }

    pub fn channel(&self) -> ContactChannel {
        self.channel
    }

    /// BCP 47, in canonical case ("zh-CN").
    pub fn locale(&self) -> &str {
        &self.locale
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The body as it was written.
    pub fn body(&self) -> &str {
        self.text.source()
    }

    pub fn is_default(&self) -> bool {
        self.is_default
    }

    /// The variables a reminder must supply, in order of first appearance.
    pub fn variables(&self) -> Vec<&str> {
        self.text.placeholders()
    }

    /// Variables given that the template does not use: usually a misspelt name.
    pub fn unused<'a>(&self, variables: &'a Variables) -> Vec<&'a str> {
        let used = self.variables();
        variables
            .names()
            .filter(|name| !used.contains(name))
            .collect()
    }

    /// The text the customer reads. Every missing or empty variable is refused, each named
    /// `variables.NAME`; a text longer than [`MAX_RENDERED_CHARS`] is refused as `variables`.
    pub fn render(&self, variables: &Variables) -> Result<String, Vec<Violation>> {
        let mut out = String::new();
        let mut found: Vec<Violation> = Vec::new();
        for piece in self.text.pieces() {
            match piece {
                Piece::Text(text) => out.push_str(text),
                Piece::Placeholder { name, .. } => match variables.get(name) {
                    Some(value) if !value.trim().is_empty() => out.push_str(value),
                    value => {
                        let field = format!("variables.{name}");
                        if found.iter().all(|v| v.field != field) {
                            let reason = match value {
                                None => "missing: the template needs it",
                                Some(_) => "must not be empty: the template shows it",
                            };
                            found.push(Invalid::new(reason).at(field));
                        }
                    }
                },
            }
        }
        let length = out.chars().count();
        if found.is_empty() && length > MAX_RENDERED_CHARS {
            found.push(
                Invalid::new(format!(
                    "the text would be {length} characters, more than {MAX_RENDERED_CHARS}"
                ))
                .at("variables"),
            );
        }
        if found.is_empty() {
            Ok(out)
        } else {
            Err(found)
        }
    }
}

/// The touchpoint's default template for a channel and the customer's locale: the exact
/// locale, else the same language, else [`FALLBACK_LOCALE`].
pub fn default_template<'a>(
    templates: impl IntoIterator<Item = &'a Template>,
    touchpoint: Touchpoint,
    channel: ContactChannel,
    locale: &str,
) -> Option<&'a Template> {
    let wanted = canonical_locale(locale).unwrap_or_else(|_| FALLBACK_LOCALE.to_owned());
    let language = |tag: &str| tag.split('-').next().unwrap_or_default().to_owned();
    let candidates: Vec<&Template> = templates
        .into_iter()
        .filter(|t| t.is_default && t.touchpoint == touchpoint && t.channel == channel)
        .collect();
    let find =
        |accept: &dyn Fn(&str) -> bool| candidates.iter().copied().find(|t| accept(&t.locale));
    find(&|l| l == wanted)
        .or_else(|| find(&|l| language(l) == language(&wanted)))
        .or_else(|| find(&|l| l == FALLBACK_LOCALE))
}

/// 1-64 of a-z, 0-9, '.', '_', '-', starting with a letter or digit.
pub fn template_code(code: &str) -> Result<(), Invalid> {
    let mut chars = code.chars();
    let first = chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    let rest = chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c));
    if first && rest && code.len() <= 64 {
        Ok(())
    } else {
        Err(Invalid::new(
            "must be 1-64 of a-z, 0-9, '.', '_', '-', starting with a letter or digit",
        ))
    }
}

/// A BCP 47 tag in canonical case: language lower-case, region upper-case, script title-case
/// ("zh-hant-tw" becomes "zh-Hant-TW"), so one locale is one key.
pub fn canonical_locale(tag: &str) -> Result<String, Invalid> {
    let refused = || Invalid::new("must be a BCP 47 language tag, e.g. zh-CN, yue, en");
    let mut parts = Vec::new();
    for (i, part) in tag.split('-').enumerate() {
        let alpha = part.chars().all(|c| c.is_ascii_alphabetic());
        let alnum = part.chars().all(|c| c.is_ascii_alphanumeric());
        let canonical = match (i, part.len()) {
            (0, 2..=8) if alpha => part.to_ascii_lowercase(),
            (0, _) => return Err(refused()),
            (_, 2) if alpha => part.to_ascii_uppercase(),
            (_, 4) if alpha => {
                let lower = part.to_ascii_lowercase();
                lower[..1].to_ascii_uppercase() + &lower[1..]
            }
            (_, 1..=8) if alnum => part.to_ascii_lowercase(),
            _ => return Err(refused()),
        };
        parts.push(canonical);
    }
    if tag.len() > 35 {
        return Err(refused());
    }
    Ok(parts.join("-"))
}

/// Non-blank text of at most `max` characters without control or bidirectional characters.
fn required_text(text: &str, max: usize) -> Result<String, Invalid> {
    if text.trim().is_empty() {
        return Err(Invalid::new("must not be empty"));
    }
    bounded_text(text, max)
}

/// A body may span lines (e-mail, app inbox), but carries no other control character.
fn body_text(body: &str) -> Result<TemplateText, Invalid> {
    if body.trim().is_empty() {
        return Err(Invalid::new("must not be empty"));
    }
    if body.chars().count() > MAX_BODY_CHARS {
        return Err(Invalid::new(format!(
            "must be at most {MAX_BODY_CHARS} characters"
        )));
    }
    if body.chars().any(|c| c.is_control() && c != '\n') {
        return Err(Invalid::new(
            "must not contain control characters other than newlines",
        ));
    }
    if body.chars().any(vipcare_domain::is_bidi_format) {
        return Err(bidi_refused());
    }
    TemplateText::parse(body)
}

#[cfg(test)]
#[path = "template_tests.rs"]
mod tests;
