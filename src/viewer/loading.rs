//! Opening a dropped dataset or another field in the background, and switching to it once it
//! is read (the current one stays when it fails).

use super::slice_view::{Showing, SliceView};
use super::{camera_control, App};
use crate::amr::AmrDataset;
use crate::formats::DataSource;
use crate::transfer::Scale;
use std::path::PathBuf;
use std::sync::Arc;

/// A dataset read in the background.
pub(super) struct Loaded {
    source: Arc<dyn DataSource>,
    path: Option<PathBuf>,
    ds: AmrDataset,
}

pub(super) enum UserEvent {
    Loaded(String, Box<anyhow::Result<Loaded>>),
}

/// Opens `path` (the demo for `None`), to be shared with the background loads.
pub(super) fn open_source(path: Option<&PathBuf>) -> anyhow::Result<Arc<dyn DataSource>> {
    Ok(Arc::from(crate::session::open_source(
        path.map(|p| p.as_path()),
    )?))
}

impl App {
    /// Reads `path` (or the current source for a field change) in the background.
    pub(super) fn load(&mut self, path: Option<PathBuf>, field: Option<String>) {
        let what = match (&path, &field) {
            (Some(p), _) => p.display().to_string(),
            (None, Some(f)) => format!("field {f}"),
            (None, None) => "the demo".into(),
        };
        self.loading = Some(what.clone());
        let source = if path.is_none() {
            Some((self.source.clone(), self.path.clone()))
        } else {
            None
        };
        let proxy = self.proxy.clone();
        std::thread::spawn(move || {
            let result = (|| -> anyhow::Result<Loaded> {
                let (source, path) = match source {
                    Some(s) => s,
                    None => (open_source(path.as_ref())?, path),
                };
                let ds = crate::formats::load(source.as_ref(), field.as_deref())?;
                Ok(Loaded { source, path, ds })
            })();
            let _ = proxy.send_event(UserEvent::Loaded(what, Box::new(result)));
        });
        self.request_redraw();
    }

    pub(super) fn loaded(&mut self, what: String, result: anyhow::Result<Loaded>) {
        self.loading = None;
        let loaded = match result {
            Ok(l) => l,
            Err(e) => {
                // Errors of the readers start with the file they concern.
                let text = format!("{e:#}");
                let text = if text.starts_with(&what) {
                    text
                } else {
                    format!("{what}: {text}")
                };
                return self.set_message(
                    format!("cannot open {text}; keeping the current dataset"),
                    true,
                );
            }
        };
        let Some(g) = &mut self.gfx else { return };
        // Bounds belong to a field: a new field starts from its own range.
        let mut settings = self.settings.clone();
        settings.tf.bounds = None;
        let replaced = g.session.replace_data(&loaded.ds, &settings).or_else(|e| {
            // A field the log scale cannot show: try the linear one before giving up.
            settings.tf.scale = Scale::Linear;
            g.session.replace_data(&loaded.ds, &settings).map_err(|_| e)
        });
        match replaced {
            Ok(()) => {
                g.session.prepared().print_warnings(&loaded.ds.field.name);
                self.settings = settings;
                self.show_loaded(what, loaded);
            }
            Err(e) => self.set_message(
                format!("cannot show {what}: {e}; keeping the current dataset"),
                true,
            ),
        }
    }

    /// Makes `loaded` (its renderer and settings already in place) the current dataset; the
    /// view is reset for a new dataset, kept for another field of the same one.
    fn show_loaded(&mut self, what: String, loaded: Loaded) {
        let same_dataset = Arc::ptr_eq(&loaded.source, &self.source);
        self.source = loaded.source;
        self.path = loaded.path;
        self.ds = loaded.ds;
        let title = self.title();
        if let Some(g) = &self.gfx {
            g.window().set_title(&title);
        }
        if !same_dataset {
            let (lo, hi) = self.domain();
            self.cam = camera_control::reset(self.home, self.cam.lens, lo, hi, self.aspect());
            // A 2-D dataset is shown as its image (the z slice); a 3-D one as a volume.
            self.slice = SliceView::new(crate::slice::Axis::Z, &self.ds.hierarchy);
            self.show(Showing::for_hierarchy(&self.ds.hierarchy));
        }
        self.message = Some((format!("opened {what}"), false));
        self.changed();
    }
}
