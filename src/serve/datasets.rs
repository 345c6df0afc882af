//! The datasets a server holds on the GPU: one [`Loaded`] per dataset and field that some
//! viewer shows, read in the background and dropped when no viewer shows it any more.
//!
//! Viewers with different looks can share one dataset: before rendering for a viewer the
//! worker applies its look ([`Loaded::apply`]), in place where the bricks' encoding allows.

use super::view::DataKey;
use crate::amr::AmrDataset;
use crate::gpu::GpuContext;
use crate::render::RenderSettings;
use crate::session::Session;
use crate::viewer::histogram::Histogram;
use std::path::Path;
use std::sync::Arc;

/// Bins of the histogram sent under the transfer-function editor.
pub const HISTOGRAM_BINS: usize = 128;

/// One dataset's field on the GPU.
pub struct Loaded {
    pub key: DataKey,
    pub ds: Arc<AmrDataset>,
    pub session: Session,
    /// The dataset's short name ("DD0046", "demo").
    pub name: String,
    /// The path viewers see: relative to the data root, or as given on the command line.
    pub shown_path: Option<String>,
    pub fields: Vec<String>,
    /// The look the session renders now.
    applied: RenderSettings,
    /// The histogram of the applied look's scale and bounds.
    histogram: Option<((u8, f32, f32), Histogram)>,
}

/// Reads `path` (the demo for `None`) and `field` (the default for `None`) and uploads it with
/// `settings` to `ctx`'s device. 2-D datasets are refused: the server shows volumes.
pub fn load(
    ctx: &GpuContext,
    path: Option<&Path>,
    shown_path: Option<String>,
    field: Option<&str>,
    settings: &RenderSettings,
) -> crate::Result<Loaded> {
    let source = crate::session::open_source(path)?;
    let fields = source.field_names();
    if source.hierarchy().dimensionality() < 3 {
        let what = path.map_or("the dataset".into(), |p| p.display().to_string());
        return Err(crate::Error::Settings(format!(
            "{what} is 2-D: amrcast serve shows 3-D volumes; use `amrcast view` or `amrcast slice` for 2-D data"
        )));
    }
    let ds = crate::formats::load(source.as_ref(), field)?;
    let name = source.metadata().name.clone();
    let key = DataKey {
        path: path.map(Path::to_path_buf),
        field: ds.field.name.clone(),
    };
    Loaded::new(ctx, key, Arc::new(ds), name, shown_path, fields, settings)
}

impl Loaded {
    /// `ds` on `ctx`'s device with `settings`: a dataset read from a file, or one built in
    /// memory (a Python scene's, whose `key` has no path and whose only field is its own).
    pub fn new(
        ctx: &GpuContext,
        key: DataKey,
        ds: Arc<AmrDataset>,
        name: String,
        shown_path: Option<String>,
        fields: Vec<String>,
        settings: &RenderSettings,
    ) -> crate::Result<Loaded> {
        if ds.hierarchy.dimensionality() < 3 {
            return Err(crate::Error::Settings(format!(
                "{name} is 2-D: the viewer shows 3-D volumes; use `amrcast view` or `amrcast slice` for 2-D data"
            )));
        }
        let session = Session::new(ctx.clone(), &ds, settings)?;
        Ok(Loaded {
            key,
            applied: session.prepared().settings.clone(),
            ds,
            session,
            name,
            shown_path,
            fields,
            histogram: None,
        })
    }

    /// Makes the session render with `settings`; an error (e.g. log bounds below zero)
    /// leaves the previous look in place.
    pub fn apply(&mut self, settings: &RenderSettings) -> crate::Result<()> {
        if &self.applied != settings {
            self.session.set_settings(&self.ds, settings)?;
            self.applied = settings.clone();
        }
        Ok(())
    }

    /// The look the session renders now.
    pub fn applied(&self) -> &RenderSettings {
        &self.applied
    }

    /// The resolved bounds in field units.
    pub fn bounds(&self) -> (f64, f64) {
        let p = self.session.prepared();
        let scale = p.settings.tf.scale;
        (
            scale.decode(p.bounds.0) as f64,
            scale.decode(p.bounds.1) as f64,
        )
    }

    /// The `dataset` message.
    pub fn dataset_json(&self) -> serde_json::Value {
        let h = &self.ds.hierarchy;
        let v = |v: glam::DVec3| [v.x, v.y, v.z];
        let stats = self.ds.stats();
        serde_json::json!({
            "name": self.name,
            "path": self.shown_path,
            "fields": self.fields,
            "field": self.key.field,
            "dimensionality": h.dimensionality(),
            "domain": [v(h.domain_left), v(h.domain_right)],
            "range": [stats.min, stats.max],
            "warnings": self.session.prepared().warnings(&self.key.field),
        })
    }

    /// The histogram of the applied look, as the `state` message carries it.
    pub fn histogram_json(&mut self) -> serde_json::Value {
        let p = self.session.prepared();
        let key = (p.settings.tf.scale as u8, p.bounds.0, p.bounds.1);
        if self.histogram.as_ref().map(|(k, _)| *k) != Some(key) {
            let h = Histogram::new(&self.ds, p.settings.tf.scale, p.bounds, HISTOGRAM_BINS);
            self.histogram = Some((key, h));
        }
        let (_, h) = self.histogram.as_ref().expect("just computed");
        serde_json::json!({ "counts": h.counts, "lo": key.1, "hi": key.2 })
    }
}
