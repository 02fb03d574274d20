// Renders assets/icons/equimol.svg to the PNG sizes electron-builder needs (assets/icons/png/<n>x<n>.png),
// with Debian's Chromium driven by playwright-core: no binary downloads. Run: node scripts/generate-icons.mjs
// Linux uses the png/ folder, Windows the 256 px PNG (converted to .ico by electron-builder), macOS the
// 1024 px PNG (converted to .icns by electron-builder on macOS).
import { mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = fileURLToPath(new URL('..', import.meta.url));
const svg = readFileSync(`${root}assets/icons/equimol.svg`, 'utf8');
const sizes = [16, 24, 32, 48, 64, 128, 256, 512, 1024];
const outDir = `${root}assets/icons/png`;
mkdirSync(outDir, { recursive: true });

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  const page = await browser.newPage({ deviceScaleFactor: 1 });
  for (const size of sizes) {
    await page.setViewportSize({ width: size, height: size });
    const sized = svg.replace('width="1024" height="1024"', `width="${size}" height="${size}"`);
    await page.setContent(`<!doctype html><html><body style="margin:0;background:transparent">${sized}</body></html>`);
    await page.screenshot({ path: `${outDir}/${size}x${size}.png`, omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } });
  }
  console.log(`wrote ${sizes.map((s) => `${s}x${s}.png`).join(', ')} to assets/icons/png`);
} finally {
  await browser.close();
}
