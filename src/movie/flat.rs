//! Movie frames of a 2-D dataset: each frame is the field's image through the frame's camera
//! ([`crate::slice::flat`]), so a camera path pans (its focus) and zooms (its width, or its
//! distance with the perspective lens) over the image. Coloured with the movie's one transfer
//! function, annotated as slices are.

use crate::amr::{AmrDataset, FieldSource};
use crate::annotate::{Annotations, FigureData};
use crate::camera::Camera;
use crate::error::{Error, Result};
use crate::formats::Metadata;
use crate::render::{Interpolation, Prepared};
use crate::session::Outputs;
use crate::slice::{figure, flat};
use crate::transfer::TransferFunction;

/// A 2-D dataset in memory and its colours, ready for frames.
pub(super) struct FlatFrames {
    ds: AmrDataset,
    /// The annotations and what they need of the data, made once for every frame.
    figure: Option<(Annotations, FigureData)>,
    prepared: Prepared,
    interpolation: Interpolation,
}

impl FlatFrames {
    /// Reads `field` (a 2-D dataset) into memory; refuses stereo, which needs depth.
    pub(super) fn new(
        (field, metadata): (&dyn FieldSource, Metadata),
        tf: &TransferFunction,
        interpolation: Interpolation,
        annotations: Annotations,
        stereo: bool,
    ) -> Result<FlatFrames> {
        if stereo {
            return Err(Error::Settings(format!(
                "{} is a 2-D dataset, an image: stereo movies do not apply",
                field.dataset_name()
            )));
        }
        let ds = AmrDataset::read_all(field)?;
        let prepared = crate::slice::prepare(&ds, tf)?;
        let figure = figure::figure_of(annotations, &ds, &metadata);
        Ok(FlatFrames {
            ds,
            figure,
            prepared,
            interpolation,
        })
    }

    /// Writes the frame `cam` shows at `size` to `outputs`.
    pub(super) fn render(&self, cam: &Camera, size: (u32, u32), outputs: &Outputs) -> Result<()> {
        let request = flat::through_camera(&self.ds.hierarchy, cam, size, self.interpolation);
        let image = crate::slice::slice(&self.ds, &request)?;
        figure::write(&image, &self.prepared, self.figure.as_ref(), outputs)
    }
}
