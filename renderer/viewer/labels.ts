/**
 * Text labels drawn in WebGL (so they appear in PNG exports): one canvas texture per distinct string,
 * shown on constant-screen-size sprites that are never hidden by atoms.
 */
import { CanvasTexture, LinearFilter, SRGBColorSpace, Sprite, SpriteMaterial, type Texture } from 'three';

/** Label height in CSS pixels on screen. */
export const LABEL_HEIGHT_PX = 15;
const TEXTURE_FONT_PX = 40;

export interface LabelStyle {
  readonly color: string;
  readonly outline: string;
}

/** Creates and owns label textures/materials; `dispose()` frees them all. */
export class LabelFactory {
  private readonly materials = new Map<string, { material: SpriteMaterial; aspect: number }>();

  private materialFor(text: string, style: LabelStyle): { material: SpriteMaterial; aspect: number } {
    const key = `${style.color}|${style.outline}|${text}`;
    let entry = this.materials.get(key);
    if (!entry) {
      const canvas = document.createElement('canvas');
      const context = canvas.getContext('2d')!;
      const font = `600 ${TEXTURE_FONT_PX}px system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif`;
      context.font = font;
      const width = Math.ceil(context.measureText(text).width) + 16;
      const height = Math.ceil(TEXTURE_FONT_PX * 1.35);
      canvas.width = width;
      canvas.height = height;
      context.font = font;
      context.textAlign = 'center';
      context.textBaseline = 'middle';
      context.lineJoin = 'round';
      context.lineWidth = 7;
      context.strokeStyle = style.outline;
      context.strokeText(text, width / 2, height / 2);
      context.fillStyle = style.color;
      context.fillText(text, width / 2, height / 2);
      const texture = new CanvasTexture(canvas);
      texture.colorSpace = SRGBColorSpace;
      texture.minFilter = LinearFilter;
      texture.generateMipmaps = false;
      const material = new SpriteMaterial({ map: texture, depthTest: false, depthWrite: false, sizeAttenuation: false, transparent: true });
      entry = { material, aspect: width / height };
      this.materials.set(key, entry);
    }
    return entry;
  }

  /** A sprite for `text` at (x, y, z); its on-screen size is set by `setScreenScale`. */
  create(text: string, x: number, y: number, z: number, style: LabelStyle): Sprite {
    const { material, aspect } = this.materialFor(text, style);
    const sprite = new Sprite(material);
    sprite.position.set(x, y, z);
    sprite.userData['aspect'] = aspect;
    sprite.renderOrder = 10;
    return sprite;
  }

  get size(): number {
    return this.materials.size;
  }

  dispose(): void {
    for (const { material } of this.materials.values()) {
      (material.map as Texture | null)?.dispose();
      material.dispose();
    }
    this.materials.clear();
  }
}

/**
 * Sprite scale for a constant on-screen height with sizeAttenuation off: the sprite spans
 * scale / tan(fov/2) in NDC, i.e. scale / tan(fov/2) * H/2 pixels.
 */
export function labelScale(fovDegrees: number, viewportHeightPx: number, heightPx = LABEL_HEIGHT_PX): number {
  return (2 * heightPx * Math.tan((fovDegrees * Math.PI) / 360)) / Math.max(1, viewportHeightPx);
}
