//! One dataset's field on one GPU with one look: the library API every front end renders
//! through (`render`, `bench`, `movie`, `wall`, `view`; later `serve` and Python).
//!
//! A [`DataSpec`] names the data; [`Session::open`] reads the field, starts the GPU, uploads the
//! bricks and prints the field's warnings; [`Session::render`] turns a camera (or a stereo rig
//! around one) into a [`Rendered`] image that carries what colouring it needs, so a file or a
//! window never recomputes the projection depth; [`write_images`] writes PNG and NPY files.

use crate::amr::{AmrDataset, FieldSource, LazyField};
use crate::camera::{Camera, RayModel};
use crate::error::{Error, Result};
use crate::formats::DataSource;
use crate::gpu::{GpuContext, MemoryBudget, OffscreenTarget, VolumeRenderer, DEFAULT_HOST_MEMORY};
use crate::render::{depth_along, DisplaySettings, FloatImage, Prepared, RenderSettings};
use crate::stereo::{compose, Eye, Packing, StereoRig};
use glam::DVec3;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Which data to open: a dataset (the built-in demo for `None`) and a field (the dataset's
/// default field for `None`), and the memory its rendering may take.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DataSpec {
    pub dataset: Option<PathBuf>,
    pub field: Option<String>,
    pub memory: MemoryBudget,
}

/// Opens a dataset's metadata and grids without reading a field: `dataset`, or the built-in
/// demo for `None`.
pub fn open_source(dataset: Option<&Path>) -> Result<Box<dyn DataSource>> {
    match dataset {
        None => Ok(Box::new(crate::demo::Demo::new()?)),
        Some(path) => crate::formats::open(path),
    }
}

impl DataSpec {
    /// Opens the dataset (or the demo) and reads the field.
    pub fn load(&self) -> Result<AmrDataset> {
        Ok(self.load_with_metadata()?.0)
    }

    /// [`DataSpec::load`], with what the reader knows about the dataset (its units).
    pub fn load_with_metadata(&self) -> Result<(AmrDataset, crate::formats::Metadata)> {
        let source = open_source(self.dataset.as_deref())?;
        let ds = crate::formats::load(source.as_ref(), self.field.as_deref())?;
        Ok((ds, source.metadata().clone()))
    }

    /// Opens the dataset (or the demo) and the field without reading it: its grids are read
    /// when bricks need them, at most [`MemoryBudget::host`] of them kept in memory. What
    /// renders data larger than memory.
    pub fn open_field(&self) -> Result<(Arc<dyn FieldSource>, crate::formats::Metadata)> {
        let source: Arc<dyn DataSource> = Arc::from(open_source(self.dataset.as_deref())?);
        let name = crate::formats::field_name(source.as_ref(), self.field.as_deref())?;
        let budget = self.memory.host.unwrap_or(DEFAULT_HOST_MEMORY);
        let metadata = source.metadata().clone();
        Ok((Arc::new(LazyField::new(source, &name, budget)?), metadata))
    }

    /// The same field of another dataset.
    pub fn with_dataset(&self, dataset: &Path) -> DataSpec {
        DataSpec {
            dataset: Some(dataset.to_path_buf()),
            field: self.field.clone(),
            memory: self.memory,
        }
    }
}

/// A float image and how to turn it into colours and values.
#[derive(Clone, Debug)]
pub struct Rendered {
    pub image: FloatImage,
    /// Colours: the transfer function's colormap, bounds and scale, the projection depth.
    pub display: DisplaySettings,
    /// How the values in `image` are encoded (log10 or as stored).
    pub encoding: crate::transfer::Scale,
}

impl Rendered {
    /// 8-bit RGBA, as the PNG holds it.
    pub fn rgba8(&self) -> Vec<u8> {
        self.image.colours(&self.display)
    }

    /// The raw values of `--values`: shape and data in field units.
    pub fn values(&self) -> (Vec<usize>, Vec<f32>) {
        self.image.values(self.encoding)
    }

    pub fn size(&self) -> (u32, u32) {
        (self.image.width, self.image.height)
    }

    /// A slice coloured with the look `prepared` ([`crate::slice::prepare`]); its values are
    /// the field's as stored.
    pub fn slice(slice: &crate::slice::SliceImage, prepared: &Prepared) -> Rendered {
        Rendered {
            image: slice.float_image(),
            display: crate::slice::SliceImage::display(prepared),
            encoding: crate::transfer::Scale::Linear,
        }
    }
}

/// Where the images of one render go.
#[derive(Clone, Debug, Default)]
pub struct Outputs {
    /// One PNG per image, or one for a packed stereo pair.
    pub pngs: Vec<PathBuf>,
    /// One NPY per image, or none.
    pub npys: Vec<PathBuf>,
    /// How a stereo pair is packed into one PNG (`None`: one PNG per image).
    pub packing: Option<Packing>,
}

impl Outputs {
    /// The files of a mono image (`png`, `npy`) or of a stereo pair: per-eye files
    /// (`OUT_L.png`, `OUT_R.png`) unless packed, and always one NPY per eye.
    pub fn new(png: &Path, npy: Option<&Path>, stereo: Option<Option<Packing>>) -> Outputs {
        let eyes = |p: &Path| Eye::BOTH.map(|e| crate::stereo::eye_path(p, e)).to_vec();
        match stereo {
            None => Outputs {
                pngs: vec![png.to_path_buf()],
                npys: npy.map(|p| vec![p.to_path_buf()]).unwrap_or_default(),
                packing: None,
            },
            Some(packing) => Outputs {
                pngs: match packing {
                    None => eyes(png),
                    Some(_) => vec![png.to_path_buf()],
                },
                npys: npy.map(eyes).unwrap_or_default(),
                packing,
            },
        }
    }

    /// Every file, values first.
    pub fn all(&self) -> impl Iterator<Item = &PathBuf> {
        self.npys.iter().chain(&self.pngs)
    }
}

/// Writes `images` (one, or a stereo pair left first) to `outputs`: the values first, then the
/// PNGs, so that the last PNG written marks the set complete (each file is written to a
/// temporary file and renamed into place).
pub fn write_images(images: &[Rendered], outputs: &Outputs) -> Result<()> {
    for (image, npy) in images.iter().zip(&outputs.npys) {
        let (shape, data) = image.values();
        crate::output::write_npy_f32(npy, &shape, &data)?;
    }
    let rgba: Vec<Vec<u8>> = images.iter().map(Rendered::rgba8).collect();
    match (outputs.packing, &rgba[..], images) {
        (Some(packing), [l, r], [first, _]) => {
            let (w, h) = first.size();
            let (pixels, pw, ph) = compose(packing, l, r, w, h)?;
            crate::output::write_png_rgba8(&outputs.pngs[0], pw, ph, &pixels)
        }
        (Some(_), _, _) => Err(Error::Settings("a packed layout needs two eyes".into())),
        (None, _, _) => {
            for ((pixels, image), png) in rgba.iter().zip(images).zip(&outputs.pngs) {
                let (w, h) = image.size();
                crate::output::write_png_rgba8(png, w, h, pixels)?;
            }
            Ok(())
        }
    }
}

/// A field on the GPU, ready to render any camera: the context, the renderer and its settings.
pub struct Session {
    pub ctx: GpuContext,
    pub renderer: VolumeRenderer,
    /// The domain, `lo..hi`.
    pub domain: (DVec3, DVec3),
}

impl Session {
    /// Opens `data`'s field (read grid by grid as bricks need it), opens the adapter the
    /// environment selects and makes the renderer within `data`'s memory budget.
    pub fn open(data: &DataSpec, settings: &RenderSettings) -> Result<Session> {
        let (field, _) = data.open_field()?;
        Session::with_source(GpuContext::new()?, field, settings, data.memory.gpu)
    }

    /// A session over any field source, its brick pool within `gpu_bytes` (`None`: the
    /// default), printing the field's warnings.
    pub fn with_source(
        ctx: GpuContext,
        field: Arc<dyn FieldSource>,
        settings: &RenderSettings,
        gpu_bytes: Option<u64>,
    ) -> Result<Session> {
        let renderer = VolumeRenderer::with_source(&ctx, field.clone(), settings, gpu_bytes)?;
        renderer.prepared.print_warnings(field.field_name());
        let h = field.hierarchy();
        Ok(Session {
            domain: (h.domain_left, h.domain_right),
            ctx,
            renderer,
        })
    }

    /// Uploads `ds` to `ctx`'s device with `settings` and prints the field's warnings. The
    /// session keeps no values on the host when every brick fits the default GPU budget;
    /// otherwise it shares `ds`'s arrays (no copy) to load bricks pass by pass.
    pub fn new(ctx: GpuContext, ds: &AmrDataset, settings: &RenderSettings) -> Result<Session> {
        let renderer = VolumeRenderer::new(&ctx, ds, settings)?;
        renderer.prepared.print_warnings(&ds.field.name);
        let h = &ds.hierarchy;
        Ok(Session {
            ctx,
            renderer,
            domain: (h.domain_left, h.domain_right),
        })
    }

    /// Replaces the data with `ds` (another field or dataset) on the same device; the field's
    /// warnings are the caller's to show ([`Prepared::warnings`]).
    pub fn replace_data(&mut self, ds: &AmrDataset, settings: &RenderSettings) -> Result<()> {
        self.renderer = VolumeRenderer::new(&self.ctx, ds, settings)?;
        let h = &ds.hierarchy;
        self.domain = (h.domain_left, h.domain_right);
        Ok(())
    }

    /// Changes the look: in place where the bricks' encoding allows, else by uploading `ds`
    /// (the session's data) again in the encoding the new settings need.
    pub fn set_settings(&mut self, ds: &AmrDataset, settings: &RenderSettings) -> Result<()> {
        if self.renderer.can_update_to(settings) {
            self.renderer.set_settings(&self.ctx, settings)
        } else {
            self.renderer = VolumeRenderer::new(&self.ctx, ds, settings)?;
            Ok(())
        }
    }

    pub fn prepared(&self) -> &Prepared {
        &self.renderer.prepared
    }

    /// How images seen along unit direction `forward` become colours (the projection's depth
    /// is the domain's extent along it).
    pub fn display(&self, forward: DVec3) -> DisplaySettings {
        DisplaySettings::new(
            self.prepared(),
            depth_along(forward, self.domain.0, self.domain.1),
        )
    }

    /// How `cam`'s images become colours.
    pub fn display_for(&self, cam: &Camera) -> Result<DisplaySettings> {
        Ok(self.display(cam.basis()?.0))
    }

    /// Renders `cam` into an image of `size`.
    pub fn render(&self, cam: &Camera, size: (u32, u32)) -> Result<Rendered> {
        let target = OffscreenTarget::new(&self.ctx, size.0, size.1)?;
        self.render_rays(
            &target,
            &cam.ray_model(size.0, size.1)?,
            self.display_for(cam)?,
        )
    }

    /// Renders both eyes of `rig` around `cam`, each of `size`, left first. Both use the mono
    /// view's projection depth, so their colours match.
    pub fn render_stereo(
        &self,
        rig: &StereoRig,
        cam: &Camera,
        size: (u32, u32),
    ) -> Result<[Rendered; 2]> {
        let target = OffscreenTarget::new(&self.ctx, size.0, size.1)?;
        let eyes = self.render_eyes(&target, Some(rig), cam)?;
        <[Rendered; 2]>::try_from(eyes)
            .map_err(|_| Error::Gpu("a stereo render gave no pair".into()))
    }

    /// Renders `cam` (one image) or, with `rig`, both eyes into `target` (whose size is the
    /// images' size), left eye first.
    pub fn render_eyes(
        &self,
        target: &OffscreenTarget,
        rig: Option<&StereoRig>,
        cam: &Camera,
    ) -> Result<Vec<Rendered>> {
        let (w, h) = (target.width, target.height);
        let display = self.display_for(cam)?;
        StereoRig::views(rig, cam, w, h)?
            .iter()
            .map(|r| self.render_rays(target, r, display))
            .collect()
    }

    /// Renders `rays` into `target` and reads the image back, to be coloured with `display`.
    pub fn render_rays(
        &self,
        target: &OffscreenTarget,
        rays: &RayModel,
        display: DisplaySettings,
    ) -> Result<Rendered> {
        self.render_rays_with_lines(target, rays, display, None)
    }

    /// [`Session::render_rays`] with annotation lines of the target's size, hidden by the
    /// volume in composite mode (the other modes ignore them: draw them over the colours).
    pub fn render_rays_with_lines(
        &self,
        target: &OffscreenTarget,
        rays: &RayModel,
        display: DisplaySettings,
        lines: Option<&crate::annotate::GeometryLayer>,
    ) -> Result<Rendered> {
        Ok(Rendered {
            image: target.render_with_lines(&self.ctx, &self.renderer, rays, lines)?,
            display,
            encoding: self.prepared().encoding,
        })
    }
}

/// Everything one image needs besides the output: the data, the look, the camera and the size.
/// The command line's option groups and the viewer's state both come down to this.
#[derive(Clone, Debug, PartialEq)]
pub struct RenderRequest {
    pub data: DataSpec,
    pub settings: RenderSettings,
    pub camera: crate::camera::CameraSpec,
    /// Image size in pixels (width, height).
    pub size: (u32, u32),
}

impl RenderRequest {
    /// The camera for a domain `lo..hi` at this request's size.
    pub fn camera(&self, lo: DVec3, hi: DVec3) -> Result<Camera> {
        self.camera.camera(lo, hi, self.size)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::Mode;
    use crate::transfer::{Colormap, Scale};

    fn flat(w: u32, h: u32, rgba: [f32; 4]) -> Rendered {
        Rendered {
            image: FloatImage {
                width: w,
                height: h,
                mode: Mode::Composite,
                pixels: vec![rgba; (w * h) as usize],
            },
            display: DisplaySettings {
                mode: Mode::Composite,
                colormap: Colormap::Viridis,
                scale: Scale::Log,
                bounds: (0.0, 1.0),
                depth: 1.0,
            },
            encoding: Scale::Log,
        }
    }

    #[test]
    fn outputs_name_the_eyes_unless_packed() {
        let png = Path::new("d/out.png");
        let npy = Some(Path::new("d/v.npy"));
        let mono = Outputs::new(png, npy, None);
        assert_eq!(mono.pngs, [PathBuf::from("d/out.png")]);
        assert_eq!(mono.npys, [PathBuf::from("d/v.npy")]);
        let separate = Outputs::new(png, None, Some(None));
        assert_eq!(
            separate.pngs,
            [PathBuf::from("d/out_L.png"), PathBuf::from("d/out_R.png")]
        );
        assert!(separate.npys.is_empty());
        let packed = Outputs::new(png, npy, Some(Some(Packing::SideBySide { half: false })));
        assert_eq!(packed.pngs, [PathBuf::from("d/out.png")]);
        assert_eq!(
            packed.npys,
            [PathBuf::from("d/v_L.npy"), PathBuf::from("d/v_R.npy")]
        );
        // Values come first: the last file written is a PNG.
        assert_eq!(packed.all().last(), Some(&PathBuf::from("d/out.png")));
    }

    #[test]
    fn a_packed_pair_is_one_png_of_both_eyes_and_values_per_eye() {
        let dir = tempfile::tempdir().unwrap();
        let (l, r) = (
            flat(3, 2, [1.0, 0.0, 0.0, 1.0]),
            flat(3, 2, [0.0, 0.0, 1.0, 1.0]),
        );
        let outputs = Outputs::new(
            &dir.path().join("pair.png"),
            Some(&dir.path().join("v.npy")),
            Some(Some(Packing::SideBySide { half: false })),
        );
        write_images(&[l, r], &outputs).unwrap();
        let img = image::open(dir.path().join("pair.png")).unwrap().to_rgba8();
        assert_eq!(img.dimensions(), (6, 2));
        assert_eq!(img.get_pixel(0, 1).0, [255, 0, 0, 255]);
        assert_eq!(img.get_pixel(5, 0).0, [0, 0, 255, 255]);
        for eye in ["v_L.npy", "v_R.npy"] {
            let bytes = std::fs::read(dir.path().join(eye)).unwrap();
            let npy = npyz::NpyFile::new(&bytes[..]).unwrap();
            assert_eq!(npy.shape(), [2, 3, 4]);
        }
    }
}
