package dev.smoothguard.smoothing.onnx;

import static dev.smoothguard.smoothing.onnx.Protos.attr;

import ai.onnx.proto.OnnxMl.AttributeProto;
import dev.smoothguard.smoothing.errors.UserError;
import java.util.List;
import java.util.Locale;

/**
 * How an image is resized inside a graph, each mode the ONNX Resize that computes what PyTorch's
 * {@code F.interpolate(x, size, mode, align_corners=False)} computes (no antialiasing: the same as
 * PyTorch when upsampling, and as {@code antialias=False} when downsampling).
 */
public enum Interpolation {
  /** PyTorch's "bilinear": linear, half-pixel centres. */
  BILINEAR,
  /**
   * PyTorch's "bicubic" (and torchvision's BICUBIC resize of a float tensor, which DMAE uses to
   * take CIFAR-10 from 32 to 224 after the noise): Keys' cubic with a = -0.75 (ONNX's default is
   * -0.5, PIL's), half-pixel centres, border pixels repeated (exclude_outside = 0).
   */
  BICUBIC;

  /** Parses "bilinear" or "bicubic" (any case). */
  public static Interpolation parse(String name) {
    for (Interpolation i : values()) if (i.name().equalsIgnoreCase(name)) return i;
    throw new UserError("unknown resize mode '" + name + "'; use bilinear or bicubic");
  }

  /** The lower-case name users type. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Resize x to the int64 shape tensor {@code sizes} (same rank as x). */
  public String resize(GraphBuilder g, String x, String sizes) {
    // opset 11/12 want roi and scales as (empty) tensors; 13+ accept empty names
    String roi = g.opset() >= 13 ? "" : g.floats("roi", new long[] {0});
    String scales = g.opset() >= 13 ? "" : g.floats("scales", new long[] {0});
    return g.node("Resize", List.of(x, roi, scales, sizes), attributes());
  }

  private AttributeProto[] attributes() {
    return switch (this) {
      // half_pixel is the default coordinate transformation
      case BILINEAR -> new AttributeProto[] {attr("mode", "linear")};
      case BICUBIC ->
          new AttributeProto[] {
            attr("mode", "cubic"),
            attr("cubic_coeff_a", -0.75f),
            attr("coordinate_transformation_mode", "half_pixel"),
            attr("exclude_outside", 0L)
          };
    };
  }
}
