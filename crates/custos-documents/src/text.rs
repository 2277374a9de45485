//! Text: the embedded fonts, shaping, measuring and wrapping.

use crate::*;

// Text: fonts, shaping, measuring, wrapping.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Face {
    Regular,
    Bold,
    Mono,
}

pub(crate) struct Fonts {
    pub(crate) shapers: [rustybuzz::Face<'static>; 3],
    pub(crate) pdf: [Font; 3],
}

/// One shaped run of a line, in visual order, ready for krilla.
pub(crate) struct ShapedRun {
    pub(crate) text: String,
    pub(crate) glyphs: Vec<KrillaGlyph>,
    /// Advance in em.
    pub(crate) advance: f32,
}

impl Fonts {
    pub(crate) fn load() -> Result<Fonts> {
        let shaper = |data: &'static [u8]| rustybuzz::Face::from_slice(data, 0).ok_or_else(|| render_error("embedded font unreadable"));
        let font = |data: &'static [u8]| Font::new(data.into(), 0).ok_or_else(|| render_error("embedded font unreadable"));
        Ok(Fonts {
            shapers: [shaper(SANS_TTF)?, shaper(SANS_BOLD_TTF)?, shaper(MONO_TTF)?],
            pdf: [font(SANS_TTF)?, font(SANS_BOLD_TTF)?, font(MONO_TTF)?],
        })
    }

    pub(crate) fn index(face: Face) -> usize {
        match face {
            Face::Regular => 0,
            Face::Bold => 1,
            Face::Mono => 2,
        }
    }

    /// Shapes one line; right-to-left scripts are reordered (UAX #9) into visual runs.
    pub(crate) fn shape(&self, face: Face, text: &str) -> Vec<ShapedRun> {
        if text.is_empty() {
            return Vec::new();
        }
        let bidi = BidiInfo::new(text, Some(Level::ltr()));
        if !bidi.has_rtl() {
            return vec![self.shape_run(face, text, rustybuzz::Direction::LeftToRight)];
        }
        let mut runs = Vec::new();
        for para in &bidi.paragraphs {
            let (levels, visual) = bidi.visual_runs(para, para.range.clone());
            for range in visual {
                let dir = if levels[range.start].is_rtl() {
                    rustybuzz::Direction::RightToLeft
                } else {
                    rustybuzz::Direction::LeftToRight
                };
                runs.push(self.shape_run(face, &text[range], dir));
            }
        }
        runs
    }

    pub(crate) fn shape_run(&self, face: Face, text: &str, dir: rustybuzz::Direction) -> ShapedRun {
        let shaper = &self.shapers[Self::index(face)];
        let upem = shaper.units_per_em() as f32;
        let mut buffer = rustybuzz::UnicodeBuffer::new();
        buffer.push_str(text);
        buffer.set_direction(dir);
        buffer.guess_segment_properties();
        let out = rustybuzz::shape(shaper, &[], buffer);
        // A glyph's text is its cluster up to the next cluster start, whatever the direction.
        let mut starts: Vec<usize> = out.glyph_infos().iter().map(|g| g.cluster as usize).collect();
        starts.sort_unstable();
        starts.dedup();
        // A character the font lacks is drawn as a white square (U+25A1), not as
        // .notdef: PDF readers drop the text of glyph 0 when searching or copying, and
        // the name must stay searchable even where it cannot be shown.
        let square = shaper.glyph_index('\u{25A1}');
        let mut advance = 0.0;
        let glyphs = out
            .glyph_infos()
            .iter()
            .zip(out.glyph_positions())
            .map(|(info, pos)| {
                let start = info.cluster as usize;
                let end = starts.get(starts.partition_point(|&c| c <= start)).copied().unwrap_or(text.len());
                let (id, x_advance) = match square {
                    Some(sq) if info.glyph_id == 0 => {
                        (u32::from(sq.0), shaper.glyph_hor_advance(sq).map_or(pos.x_advance, i32::from) as f32 / upem)
                    }
                    _ => (info.glyph_id, pos.x_advance as f32 / upem),
                };
                advance += x_advance;
                KrillaGlyph::new(
                    GlyphId::new(id),
                    x_advance,
                    pos.x_offset as f32 / upem,
                    pos.y_offset as f32 / upem,
                    pos.y_advance as f32 / upem,
                    start..end,
                    None,
                )
            })
            .collect();
        ShapedRun { text: text.to_string(), glyphs, advance }
    }

    pub(crate) fn width(&self, st: Style, text: &str) -> f32 {
        self.shape(st.face, text).iter().map(|r| r.advance).sum::<f32>() * st.size
    }

    /// Greedy wrapping at spaces and after `/ \ _ - . , ;`, between CJK characters, and
    /// between any two graphemes when a piece is wider than the line (hashes, long names).
    pub(crate) fn wrap(&self, text: &str, st: Style, max: f32) -> Vec<String> {
        let mut lines = Vec::new();
        let mut line = String::new();
        let mut line_w = 0.0;
        let flush = |line: &mut String, line_w: &mut f32, lines: &mut Vec<String>| {
            let done = line.trim_end().to_string();
            if !done.is_empty() {
                lines.push(done);
            }
            line.clear();
            *line_w = 0.0;
        };
        for seg in segments(text.trim()) {
            let seg_w = self.width(st, seg);
            let ink_w = self.width(st, seg.trim_end());
            if line_w + ink_w <= max {
                line.push_str(seg);
                line_w += seg_w;
                continue;
            }
            flush(&mut line, &mut line_w, &mut lines);
            if ink_w <= max {
                line.push_str(seg);
                line_w = seg_w;
                continue;
            }
            for g in seg.graphemes(true) {
                if line.is_empty() && g.trim().is_empty() {
                    continue;
                }
                let gw = self.width(st, g);
                if line_w + gw > max && !line.is_empty() {
                    flush(&mut line, &mut line_w, &mut lines);
                }
                line.push_str(g);
                line_w += gw;
            }
        }
        flush(&mut line, &mut line_w, &mut lines);
        if lines.is_empty() {
            lines.push(String::new());
        }
        lines
    }

    /// Wraps to at most `max_lines`, the last ending in an ellipsis when text was cut,
    /// so a block drawn without page breaks always fits a page.
    pub(crate) fn wrap_capped(&self, text: &str, st: Style, max: f32, max_lines: usize) -> (Vec<String>, bool) {
        let mut lines = self.wrap(text, st, max);
        let cut = lines.len() > max_lines;
        if cut {
            lines.truncate(max_lines);
            let last = format!("{}\u{2026}", lines[max_lines - 1]);
            lines[max_lines - 1] = self.ellipsize(&last, st, max);
        }
        (lines, cut)
    }

    /// Cuts `text` to `max` wide, ending in an ellipsis when something was cut.
    pub(crate) fn ellipsize(&self, text: &str, st: Style, max: f32) -> String {
        if self.width(st, text) <= max {
            return text.to_string();
        }
        let graphemes: Vec<&str> = text.graphemes(true).collect();
        let mut keep = graphemes.len();
        while keep > 0 {
            let candidate = format!("{}\u{2026}", graphemes[..keep].concat().trim_end());
            if self.width(st, &candidate) <= max {
                return candidate;
            }
            keep -= 1;
        }
        "\u{2026}".to_string()
    }
}

/// Splits text after each break opportunity (see [`Fonts::wrap`]). `.`, `,` and `-`
/// before a digit are not opportunities, so versions, dates and ids stay whole.
pub(crate) fn segments(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut prev_cjk = false;
    let graphemes: Vec<(usize, &str)> = text.grapheme_indices(true).collect();
    for (k, &(i, g)) in graphemes.iter().enumerate() {
        let cjk = g.chars().next().is_some_and(is_cjk);
        if i > start && (cjk || prev_cjk) {
            out.push(&text[start..i]);
            start = i;
        }
        prev_cjk = cjk;
        let next_is_digit = graphemes.get(k + 1).is_some_and(|(_, n)| n.starts_with(|c: char| c.is_ascii_digit()));
        let breaks_after = match g.chars().last() {
            Some(c) if c.is_whitespace() => true,
            Some('/' | '\\' | '_' | ';') => true,
            Some('.' | ',' | '-') => !next_is_digit,
            _ => false,
        };
        if breaks_after {
            out.push(&text[start..i + g.len()]);
            start = i + g.len();
        }
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

/// CJK text has no spaces; a line may break between any two of these characters.
pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x1100..=0x11FF | 0x2E80..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF | 0x20000..=0x3FFFF)
}

/// Makes a value safe to print: line breaks and tabs become spaces, other control
/// characters U+FFFD, and explicit bidi controls are shown as `[U+202E]` so a name
/// cannot display reversed (the "invoice<U+202E>fdp.exe" trick) in an evidence document.
pub(crate) fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\t' | '\n' | '\r' | '\u{2028}' | '\u{2029}' => out.push(' '),
            '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => {
                out.push_str(&format!("[U+{:04X}]", c as u32))
            }
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}
