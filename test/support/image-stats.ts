/**
 * Robust facts about a screenshot, computed by the browser itself (no image library): its size, how many distinct
 * colours it holds, the share of its most common colour, and whether colours near some targets appear. Enough to
 * tell a drawn page from a blank or broken one without pixel-exact goldens that break on fonts.
 */
import type { Browser } from 'playwright-core';

export interface ImageStats {
  width: number;
  height: number;
  /** Distinct colours after quantizing each channel to 4 bits, over a sample of pixels. */
  colours: number;
  /** The share of sampled pixels that have the most common (quantized) colour: 1 means blank. */
  dominantShare: number;
  /** Per target, whether some pixel is within a distance of 40 (RGB) of it. */
  found: boolean[];
}

export async function imageStats(browser: Browser, png: Buffer, targets: ReadonlyArray<readonly [number, number, number]> = []): Promise<ImageStats> {
  const page = await browser.newPage();
  try {
    return await page.evaluate(
      async ({ b64, targets }) => {
        const img = new Image();
        img.src = `data:image/png;base64,${b64}`;
        await img.decode();
        const canvas = document.createElement('canvas');
        canvas.width = img.naturalWidth;
        canvas.height = img.naturalHeight;
        const ctx = canvas.getContext('2d') as CanvasRenderingContext2D;
        ctx.drawImage(img, 0, 0);
        const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
        const counts = new Map<number, number>();
        const found = targets.map(() => false);
        let sampled = 0;
        for (let i = 0; i < data.length; i += 4) {
          const [r, g, b] = [data[i] as number, data[i + 1] as number, data[i + 2] as number];
          targets.forEach((t, k) => {
            if (!found[k] && Math.hypot(r - t[0], g - t[1], b - t[2]) <= 40) found[k] = true;
          });
          if ((i / 4) % 7 !== 0) continue;
          sampled++;
          const key = ((r >> 4) << 8) | ((g >> 4) << 4) | (b >> 4);
          counts.set(key, (counts.get(key) ?? 0) + 1);
        }
        return { width: canvas.width, height: canvas.height, colours: counts.size, dominantShare: Math.max(...counts.values()) / sampled, found };
      },
      { b64: png.toString('base64'), targets: targets.map((t) => [...t]) },
    );
  } finally {
    await page.close();
  }
}
