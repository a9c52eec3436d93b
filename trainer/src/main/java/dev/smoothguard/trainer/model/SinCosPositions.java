package dev.smoothguard.trainer.model;

/**
 * Fixed 2-D sine-cosine position embeddings as in MAE: half of the width encodes the patch row,
 * half the column, each with sin/cos at geometrically spaced frequencies. Row 0 is the class
 * token's position (all zeros); rows 1..L are the patches in row-major order.
 */
public final class SinCosPositions {
  private SinCosPositions() {}

  /** A [(1 + grid*grid) x width] table, row-major, with a zero row for the class token. */
  public static float[] table(int grid, int width) {
    if (width % 4 != 0) throw new IllegalArgumentException("width must be a multiple of 4");
    int quarter = width / 4;
    float[] out = new float[(1 + grid * grid) * width];
    for (int r = 0; r < grid; r++) {
      for (int c = 0; c < grid; c++) {
        int row = 1 + r * grid + c;
        // MAE: the first half embeds the grid's w coordinate (column), the second half h (row)
        fill(out, row * width, quarter, c);
        fill(out, row * width + 2 * quarter, quarter, r);
      }
    }
    return out;
  }

  private static void fill(float[] out, int offset, int quarter, int position) {
    for (int i = 0; i < quarter; i++) {
      double omega = 1.0 / Math.pow(10000.0, (double) i / quarter);
      out[offset + i] = (float) Math.sin(position * omega);
      out[offset + quarter + i] = (float) Math.cos(position * omega);
    }
  }
}
