/** Small three.js helpers shared by the viewer's scene parts: freeing objects, shared materials, colour caches, slots. */
import { Color, InstancedMesh, Sprite, type BufferGeometry, type Material, type Object3D } from 'three';

/** Marks a material as shared across rebuilds: disposeObject leaves it alone (its owner frees it). */
export function shared<T extends Material>(material: T): T {
  material.userData['shared'] = true;
  return material;
}

/** Removes `object` from its parent and frees its geometries and (unshared) materials, children included. */
export function disposeObject(object: Object3D): void {
  object.traverse((child) => {
    const withGeometry = child as Object3D & { geometry?: BufferGeometry; material?: Material | Material[] };
    if (child instanceof InstancedMesh) child.dispose();
    withGeometry.geometry?.dispose();
    if (!(child instanceof Sprite)) {
      const materials = Array.isArray(withGeometry.material) ? withGeometry.material : withGeometry.material ? [withGeometry.material] : [];
      // Materials shared across rebuilds (userData.shared) are freed by the viewer's dispose().
      for (const material of materials) if (!material.userData['shared']) material.dispose();
    }
  });
  object.removeFromParent();
}

/** sRGB 0xRRGGBB -> linear RGB (three's working colour space), memoised. */
export class LinearColors {
  private readonly cache = new Map<number, [number, number, number]>();
  private readonly color = new Color();

  get(hex: number): [number, number, number] {
    let rgb = this.cache.get(hex);
    if (!rgb) {
      this.color.setHex(hex);
      rgb = [this.color.r, this.color.g, this.color.b];
      this.cache.set(hex, rgb);
    }
    return rgb;
  }

  /** Writes the linear RGB of `hex` at `attribute[offset..offset+2]`. */
  write(attribute: Float32Array, offset: number, hex: number): void {
    const [r, g, b] = this.get(hex);
    attribute[offset] = r;
    attribute[offset + 1] = g;
    attribute[offset + 2] = b;
  }
}

/** One replaceable object in a parent (the cell box, the labels ...): `set` frees the previous one. */
export class SceneSlot<T extends Object3D> {
  private current: T | null = null;

  constructor(private readonly parent: Object3D) {}

  get object(): T | null {
    return this.current;
  }

  /** Frees what the slot holds and adds `object` (null leaves it empty). */
  set(object: T | null): void {
    if (this.current) disposeObject(this.current);
    this.current = object;
    if (object) this.parent.add(object);
  }

  /** A number the object recorded in its userData (counts for ViewerInfo), 0 when empty. */
  count(key: string): number {
    return (this.current?.userData[key] as number | undefined) ?? 0;
  }

  clear(): void {
    this.set(null);
  }
}
