//! Templates for output that repeats but for a few scalar values. A fleet's
//! VM bodies are nearly all bytes that many VMs share (the same network,
//! hypervisor and roles give the same lines); writing them member by member
//! cost most of `main.tf.json`'s time. A [`Template`] is recorded once per
//! distinct shape and replayed per VM: one copy per run of fixed bytes, and
//! the per-VM values written between them.
//!
//! The code that writes such a stretch marks each part with
//! [`Stencil::fixed`] (the same for every place that shares the template)
//! or [`Stencil::value`] (a scalar of this place). The same code records,
//! replays and writes directly, so the three cannot drift apart.

use super::Json;

/// The writer's position: what a template must start from, and leaves.
#[derive(Debug, Clone, PartialEq, Eq)]
struct State {
    depth: usize,
    fresh: bool,
    #[cfg(debug_assertions)]
    keys: Vec<Option<String>>,
}

/// A recorded stretch of output with holes for values.
#[derive(Debug)]
pub struct Template {
    text: Vec<u8>,
    /// Offsets in `text` where the values go, in order.
    holes: Vec<usize>,
    start: State,
    end: State,
}

/// What a stretch's writer is given: [`Stencil::fixed`] parts are
/// recorded into a template or taken from it, [`Stencil::value`]s are
/// written each time.
pub struct Stencil<'s, 'w> {
    j: &'s mut Json<'w>,
    mode: Mode<'s>,
}

enum Mode<'t> {
    /// Write everything now (a shape seen too rarely to record).
    Direct,
    /// Write fixed parts; note where values go.
    Record(&'t mut Vec<usize>),
    /// Copy fixed parts from the template, up to each value.
    Replay(&'t Template, &'t mut Cursor),
}

/// How far a replay has got.
#[derive(Default)]
struct Cursor {
    next_hole: usize,
    /// Bytes of the template's text copied so far.
    copied: usize,
}

impl<'w> Json<'w> {
    fn state(&self) -> State {
        State {
            depth: self.depth,
            fresh: self.fresh,
            #[cfg(debug_assertions)]
            keys: self.keys.clone(),
        }
    }

    fn set_state(&mut self, s: &State) {
        self.depth = s.depth;
        self.fresh = s.fresh;
        #[cfg(debug_assertions)]
        {
            self.keys.clone_from(&s.keys);
        }
    }

    /// Record what `f` writes from the current position as a template
    /// (nothing is written here).
    pub fn record(&self, f: impl Fn(&mut Stencil<'_, '_>)) -> Template {
        let start = self.state();
        let mut scratch = Json::default();
        scratch.set_state(&start);
        let mut holes = Vec::new();
        f(&mut Stencil {
            j: &mut scratch,
            mode: Mode::Record(&mut holes),
        });
        Template {
            end: scratch.state(),
            text: scratch.out,
            holes,
            start,
        }
    }

    /// Write what `f` writes, its fixed parts copied from `t`. `t` must
    /// have been recorded by the same code with the same fixed inputs, at
    /// the same depth. Debug builds check each replay against `f` writing
    /// directly, so a template reused for the wrong shape fails the tests.
    pub fn replay(&mut self, t: &Template, f: impl Fn(&mut Stencil<'_, 'w>)) {
        debug_assert_eq!(
            (self.depth, self.fresh),
            (t.start.depth, t.start.fresh),
            "a template replayed elsewhere"
        );
        self.flush_if_full();
        #[cfg(debug_assertions)]
        let (from, start) = (self.out.len(), self.state());
        let mut at = Cursor::default();
        f(&mut Stencil {
            j: self,
            mode: Mode::Replay(t, &mut at),
        });
        debug_assert_eq!(at.next_hole, t.holes.len(), "fewer values than holes");
        self.out.extend_from_slice(&t.text[at.copied..]);
        self.depth = t.end.depth;
        self.fresh = t.end.fresh;
        #[cfg(debug_assertions)]
        {
            let mut direct = Json::default();
            direct.set_state(&start);
            direct.direct(f);
            assert_eq!(
                String::from_utf8_lossy(&self.out[from..]),
                String::from_utf8_lossy(&direct.out),
                "a template replayed with other fixed parts"
            );
            // The keys written in the open objects, as writing directly left them.
            self.set_state(&direct.state());
        }
    }

    /// Write what `f` writes, all of it, without a template.
    pub fn direct(&mut self, f: impl Fn(&mut Stencil<'_, 'w>)) {
        f(&mut Stencil {
            j: self,
            mode: Mode::Direct,
        });
    }
}

impl<'w> Stencil<'_, 'w> {
    /// A part that is the same wherever this template is used.
    #[inline]
    pub fn fixed(&mut self, f: impl FnOnce(&mut Json<'w>)) {
        if !matches!(self.mode, Mode::Replay(..)) {
            f(self.j);
        }
    }

    /// One scalar (a string, number, address…) of this place. It must not
    /// open or close a container: the template's positions stay valid.
    #[inline]
    pub fn value(&mut self, f: impl FnOnce(&mut Json<'w>)) {
        match &mut self.mode {
            Mode::Direct => {
                let (depth, fresh) = (self.j.depth, self.j.fresh);
                f(self.j);
                debug_assert_eq!((depth, fresh), (self.j.depth, self.j.fresh));
            }
            Mode::Record(holes) => holes.push(self.j.out.len()),
            Mode::Replay(t, cursor) => {
                // More values than holes would be a template recorded for
                // another shape; the values still land in order.
                let at = t.holes.get(cursor.next_hole).copied();
                debug_assert!(at.is_some(), "more values than holes");
                let at = at.unwrap_or(t.text.len());
                self.j.out.extend_from_slice(&t.text[cursor.copied..at]);
                cursor.next_hole += 1;
                cursor.copied = at;
                f(self.j);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An object with fixed members around two values.
    fn body(s: &mut Stencil<'_, '_>, name: &str, n: u64, tags: &[&str]) {
        s.fixed(|j| j.str_member("a", "fixed"));
        s.fixed(|j| j.field("n"));
        s.value(|j| j.u64(n));
        s.fixed(|j| j.field("name"));
        s.value(|j| j.string(name));
        s.fixed(|j| {
            j.field("tags");
            j.begin_array();
            for t in tags {
                j.item();
                j.string(t);
            }
            j.end_array();
        });
    }

    fn direct(items: &[(&str, u64)], tags: &[&str]) -> String {
        let mut j = Json::default();
        j.begin_object();
        for (name, n) in items {
            j.key(name);
            j.begin_object();
            j.direct(|s| body(s, name, *n, tags));
            j.end_object();
        }
        j.end_object();
        j.finish()
    }

    fn replayed(items: &[(&str, u64)], tags: &[&str]) -> String {
        let mut j = Json::default();
        j.begin_object();
        let mut t = None;
        for (name, n) in items {
            j.key(name);
            j.begin_object();
            let t = t.get_or_insert_with(|| j.record(|s| body(s, "", 0, tags)));
            j.replay(t, |s| body(s, name, *n, tags));
            j.end_object();
        }
        j.end_object();
        j.finish()
    }

    #[test]
    fn a_replayed_template_writes_what_direct_writes() {
        let items = [("x", 1), ("y\"${", 22), ("z", 333)];
        for tags in [&[][..], &["t1", "t2"][..]] {
            let want = direct(&items, tags);
            assert_eq!(replayed(&items, tags), want);
            let v: serde_json::Value = serde_json::from_str(&want).unwrap();
            assert_eq!(serde_json::to_string_pretty(&v).unwrap(), want);
        }
    }

    #[test]
    fn recording_writes_nothing() {
        let mut j = Json::default();
        j.begin_object();
        let _ = j.record(|s| body(s, "a", 1, &[]));
        j.end_object();
        assert_eq!(j.finish(), "{}");
    }
}
