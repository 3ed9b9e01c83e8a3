//! Image artifacts: `<name>.png` (default) or `.jpg`/`.jpeg`, preview like PIL's repr.

use std::path::Path;

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::{ColorType, DynamicImage};

use super::mime::guess_content_type;
use super::staging::stage_limited;
use super::{
    ArtifactObject, FromArtifact, IntoArtifact, KindError, Sealed, SerializeOptions, Serialized,
};

/// PIL's mode name for an image's colour type.
pub(crate) fn pil_mode(img: &DynamicImage) -> &'static str {
    match img.color() {
        ColorType::L8 => "L",
        ColorType::La8 => "LA",
        ColorType::Rgb8 => "RGB",
        ColorType::Rgba8 => "RGBA",
        ColorType::L16 => "I;16",
        ColorType::La16 => "LA;16",
        ColorType::Rgb16 => "RGB;16",
        ColorType::Rgba16 => "RGBA;16",
        ColorType::Rgb32F => "RGB;F",
        ColorType::Rgba32F => "RGBA;F",
        _ => "unknown",
    }
}

/// `PIL.Image.Image image mode=RGB size=444x444` (PIL's repr without the address).
pub(crate) fn image_preview(img: &DynamicImage) -> String {
    format!(
        "PIL.Image.Image image mode={} size={}x{}",
        pil_mode(img),
        img.width(),
        img.height()
    )
}

/// Encode `img` as PNG (default) or JPEG into a staging file.
pub(super) fn serialize(
    name: &str,
    img: &DynamicImage,
    opts: &SerializeOptions,
    dir: &Path,
) -> Result<Serialized, KindError> {
    let ext = opts.extension(name, "image", &[".png", ".jpg", ".jpeg"], ".png")?;
    let st = stage_limited(dir, name, &ext, opts.memory_limit, |w| {
        let res = if ext == ".png" {
            img.write_with_encoder(PngEncoder::new(w))
        } else {
            // JPEG holds 8-bit grey or RGB only.
            let conv = match img.color() {
                ColorType::L8 | ColorType::Rgb8 => img.clone(),
                ColorType::L16 | ColorType::La8 | ColorType::La16 => {
                    DynamicImage::ImageLuma8(img.to_luma8())
                }
                _ => DynamicImage::ImageRgb8(img.to_rgb8()),
            };
            conv.write_with_encoder(JpegEncoder::new_with_quality(w, 75))
        };
        res.map_err(|e| KindError::ser(name, format!("image encoding failed: {e}")))
    })?;
    let file_name = format!("{name}{ext}");
    let ct = guess_content_type(&file_name).unwrap_or_else(|| "image/unknown-type".into());
    Ok(Serialized::staged(
        "image",
        file_name,
        st,
        Some(&ct),
        image_preview(img),
    ))
}

impl FromArtifact for DynamicImage {
    /// An `image` artifact (or any file the image crate can decode: PNG, JPEG).
    fn from_artifact(
        kind: &str,
        _: Option<&str>,
        name: &str,
        local: &Path,
    ) -> Result<Self, KindError> {
        if kind != "image" && kind != "custom" {
            return Err(KindError::WrongKind {
                name: name.into(),
                kind: kind.into(),
                target: "DynamicImage",
            });
        }
        image::ImageReader::open(local)
            .map_err(|e| KindError::io(local, e))?
            .with_guessed_format()
            .map_err(|e| KindError::io(local, e))?
            .decode()
            .map_err(|e| KindError::bad("image", local, e))
    }
}

impl Sealed for DynamicImage {}
impl IntoArtifact for DynamicImage {
    fn into_artifact(self) -> Result<ArtifactObject, KindError> {
        Ok(ArtifactObject::Image(self))
    }
}

impl Sealed for image::RgbImage {}
impl IntoArtifact for image::RgbImage {
    fn into_artifact(self) -> Result<ArtifactObject, KindError> {
        Ok(ArtifactObject::Image(DynamicImage::ImageRgb8(self)))
    }
}

impl Sealed for image::RgbaImage {}
impl IntoArtifact for image::RgbaImage {
    fn into_artifact(self) -> Result<ArtifactObject, KindError> {
        Ok(ArtifactObject::Image(DynamicImage::ImageRgba8(self)))
    }
}

impl Sealed for image::GrayImage {}
impl IntoArtifact for image::GrayImage {
    fn into_artifact(self) -> Result<ArtifactObject, KindError> {
        Ok(ArtifactObject::Image(DynamicImage::ImageLuma8(self)))
    }
}
