/**
 * Small orbit/pan/zoom controller for a perspective camera around a target point, with free (trackball-like)
 * rotation so molecules can be turned any way. Left drag rotates, right drag or shift+drag pans, wheel zooms.
 * A press released within CLICK_SLOP pixels is a click (for picking), not a drag.
 */
import { Quaternion, Vector3, type PerspectiveCamera } from 'three';

export const CLICK_SLOP = 4;

export interface ControlCallbacks {
  /** Camera moved by the user. */
  onChange(): void;
  onClick(x: number, y: number, event: PointerEvent): void;
  onHover(x: number, y: number): void;
}

export class CameraControls {
  readonly target = new Vector3();
  private readonly element: HTMLElement;
  private readonly camera: PerspectiveCamera;
  private readonly callbacks: ControlCallbacks;
  private drag: { id: number; x: number; y: number; startX: number; startY: number; pan: boolean; moved: boolean } | null = null;
  private readonly listeners: Array<[string, EventListener]> = [];

  constructor(element: HTMLElement, camera: PerspectiveCamera, callbacks: ControlCallbacks) {
    this.element = element;
    this.camera = camera;
    this.callbacks = callbacks;
    this.listen('pointerdown', (e) => this.onPointerDown(e as PointerEvent));
    this.listen('pointermove', (e) => this.onPointerMove(e as PointerEvent));
    this.listen('pointerup', (e) => this.onPointerUp(e as PointerEvent));
    this.listen('pointercancel', () => (this.drag = null));
    this.listen('wheel', (e) => this.onWheel(e as WheelEvent));
    this.listen('contextmenu', (e) => e.preventDefault());
    element.style.touchAction = 'none';
  }

  private listen(type: string, listener: EventListener): void {
    this.element.addEventListener(type, listener, type === 'wheel' ? { passive: false } : undefined);
    this.listeners.push([type, listener]);
  }

  private local(event: MouseEvent): [number, number] {
    const rect = this.element.getBoundingClientRect();
    return [event.clientX - rect.left, event.clientY - rect.top];
  }

  private onPointerDown(event: PointerEvent): void {
    const [x, y] = this.local(event);
    this.drag = { id: event.pointerId, x, y, startX: x, startY: y, pan: event.button === 2 || event.button === 1 || event.shiftKey, moved: false };
    try {
      this.element.setPointerCapture?.(event.pointerId);
    } catch {
      // Synthetic or already-released pointers cannot be captured; dragging still works inside the element.
    }
  }

  private onPointerMove(event: PointerEvent): void {
    const [x, y] = this.local(event);
    const drag = this.drag;
    if (!drag || drag.id !== event.pointerId) {
      if (event.buttons === 0) this.callbacks.onHover(x, y);
      return;
    }
    if (!drag.moved && Math.hypot(x - drag.startX, y - drag.startY) <= CLICK_SLOP) return;
    if (!drag.moved) {
      drag.moved = true;
      drag.x = drag.startX;
      drag.y = drag.startY;
    }
    const dx = x - drag.x, dy = y - drag.y;
    drag.x = x;
    drag.y = y;
    if (drag.pan) this.pan(dx, dy);
    else this.rotate(dx, dy);
    this.callbacks.onChange();
  }

  private onPointerUp(event: PointerEvent): void {
    const drag = this.drag;
    this.drag = null;
    if (!drag || drag.id !== event.pointerId) return;
    if (this.element.hasPointerCapture?.(event.pointerId)) this.element.releasePointerCapture(event.pointerId);
    if (!drag.moved) {
      const [x, y] = this.local(event);
      this.callbacks.onClick(x, y, event);
    }
  }

  private onWheel(event: WheelEvent): void {
    event.preventDefault();
    const delta = event.deltaMode === 1 ? event.deltaY * 33 : event.deltaMode === 2 ? event.deltaY * 400 : event.deltaY;
    this.zoom(Math.exp(delta * 0.0012));
    this.callbacks.onChange();
  }

  /** Turn the view by a screen-space drag of (dx, dy) CSS pixels. */
  rotate(dx: number, dy: number): void {
    const height = Math.max(1, this.element.clientHeight);
    const angle = (Math.hypot(dx, dy) / height) * Math.PI * 1.5;
    if (angle === 0) return;
    const offset = this.camera.position.clone().sub(this.target);
    const forward = offset.clone().negate().normalize();
    const up = this.camera.up.clone().normalize();
    const right = forward.clone().cross(up).normalize();
    const axis = up.multiplyScalar(dx).add(right.multiplyScalar(dy)).normalize();
    const rotation = new Quaternion().setFromAxisAngle(axis, -angle);
    offset.applyQuaternion(rotation);
    this.camera.up.applyQuaternion(rotation).normalize();
    this.camera.position.copy(this.target).add(offset);
    this.camera.lookAt(this.target);
  }

  /** Move camera and target sideways so the scene follows a drag of (dx, dy) CSS pixels. */
  pan(dx: number, dy: number): void {
    const height = Math.max(1, this.element.clientHeight);
    const distance = this.camera.position.distanceTo(this.target);
    const perPixel = (2 * distance * Math.tan(((this.camera.fov / 2) * Math.PI) / 180)) / height;
    const forward = this.target.clone().sub(this.camera.position).normalize();
    const up = this.camera.up.clone().normalize();
    const right = forward.clone().cross(up).normalize();
    const move = right.multiplyScalar(-dx * perPixel).add(up.multiplyScalar(dy * perPixel));
    this.camera.position.add(move);
    this.target.add(move);
    this.camera.lookAt(this.target);
  }

  /** Multiply the camera-target distance by `factor` (< 1 zooms in). */
  zoom(factor: number): void {
    const offset = this.camera.position.clone().sub(this.target);
    const distance = Math.min(1e5, Math.max(0.5, offset.length() * factor));
    this.camera.position.copy(this.target).add(offset.setLength(distance));
    this.camera.lookAt(this.target);
  }

  dispose(): void {
    for (const [type, listener] of this.listeners) this.element.removeEventListener(type, listener);
    this.listeners.length = 0;
  }
}
