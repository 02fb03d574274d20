/**
 * Materials for large structures: atoms as ray-cast sphere impostors (one camera-facing quad per atom; the
 * fragment shader intersects the view ray with the sphere, writes its true depth and normal), bonds as
 * ray-cast cylinder impostors (one quad per bond, split colour), both lit by the same hand-written
 * Blinn-Phong model that approximates the three.js lights used for small structures (hemisphere + ambient + key + rim, all fixed to the camera).
 * Two triangles per atom or bond instead of hundreds keeps 100k atoms drawable on a software rasteriser.
 */
import { DoubleSide, ShaderMaterial } from 'three';

/** Above this many atoms (all supercell images counted) the viewer switches to impostor spheres. */
export const IMPOSTOR_THRESHOLD = 5_000;

const LIGHTING = /* glsl */ `
  vec3 shade(vec3 base, vec3 n, vec3 viewDir) {
    const vec3 keyDir = vec3(-0.3841, 0.5121, 0.7682);
    const vec3 rimDir = vec3(0.8030, -0.3212, -0.5353);
    const vec3 ground = vec3(0.254, 0.275, 0.319);
    vec3 hemi = mix(ground, vec3(1.0), 0.5 * n.y + 0.5) * 0.40;
    float key = max(dot(n, keyDir), 0.0);
    float rim = max(dot(n, rimDir), 0.0);
    vec3 halfway = normalize(keyDir + viewDir);
    float specular = 0.25 * pow(max(dot(n, halfway), 0.0), 70.0) * key;
    return base * (hemi + 0.11 + 0.67 * key + 0.14 * rim) + vec3(specular);
  }
`;

const SPHERE_VERTEX = /* glsl */ `
  varying vec3 vCenter;
  varying vec3 vPoint;
  varying float vRadius;
  varying vec3 vColor;
  void main() {
    vec4 center = modelViewMatrix * vec4(instanceMatrix[3].xyz, 1.0);
    float radius = length(instanceMatrix[0].xyz);
    // Quad perpendicular to the ray to the centre, at the sphere's front: a square of half-size r there
    // covers the sphere's whole silhouette under perspective.
    vec3 toCenter = normalize(center.xyz);
    vec3 side = normalize(abs(toCenter.y) < 0.99 ? cross(toCenter, vec3(0.0, 1.0, 0.0)) : cross(toCenter, vec3(1.0, 0.0, 0.0)));
    vec3 up = cross(side, toCenter);
    vec3 point = center.xyz - toCenter * radius + (position.x * side + position.y * up) * radius * 1.02;
    vCenter = center.xyz;
    vPoint = point;
    vRadius = radius;
    #ifdef USE_INSTANCING_COLOR
      vColor = instanceColor;
    #else
      vColor = vec3(1.0);
    #endif
    gl_Position = projectionMatrix * vec4(point, 1.0);
  }
`;

const SPHERE_FRAGMENT = /* glsl */ `
  uniform mat4 projectionMatrix;
  varying vec3 vCenter;
  varying vec3 vPoint;
  varying float vRadius;
  varying vec3 vColor;
  ${LIGHTING}
  void main() {
    vec3 ray = normalize(vPoint);
    float b = dot(ray, vCenter);
    float disc = b * b - dot(vCenter, vCenter) + vRadius * vRadius;
    if (disc < 0.0) discard;
    float t = b - sqrt(disc);
    vec3 hit = ray * t;
    vec3 normal = (hit - vCenter) / vRadius;
    vec4 clip = projectionMatrix * vec4(hit, 1.0);
    gl_FragDepth = 0.5 * (clip.z / clip.w) + 0.5;
    gl_FragColor = vec4(shade(vColor, normal, -ray), 1.0);
    #include <colorspace_fragment>
  }
`;

// Bonds as ray-cast cylinder impostors, one quad per bond: instanceMatrix columns are (u*r, axis vector A->B,
// w*r, midpoint); instanceColor / instanceColorB colour the parts before / after the split fraction instanceSplit.
const CYLINDER_IMPOSTOR_VERTEX = /* glsl */ `
  varying vec3 vStart;
  varying vec3 vAxis;
  varying float vLength;
  varying float vRadius;
  varying vec3 vPoint;
  varying vec3 vColor;
  varying vec3 vColorB;
  varying float vSplit;
  attribute vec3 instanceColorB;
  attribute float instanceSplit;
  void main() {
    vec3 mid = (modelViewMatrix * vec4(instanceMatrix[3].xyz, 1.0)).xyz;
    vec3 axis = mat3(modelViewMatrix) * instanceMatrix[1].xyz;
    float len = length(axis);
    float radius = length(instanceMatrix[0].xyz);
    vec3 u = axis / max(len, 1e-6);
    vec3 start = mid - 0.5 * axis;
    vec3 toEye = normalize(-mid);
    vec3 side = cross(u, toEye);
    side = length(side) < 1e-4 ? normalize(cross(u, abs(u.y) < 0.99 ? vec3(0.0, 1.0, 0.0) : vec3(1.0, 0.0, 0.0))) : normalize(side);
    vec3 front = normalize(cross(side, u));
    if (dot(front, toEye) < 0.0) front = -front;
    float along = (position.y + 1.0) * 0.5;
    vec3 point = mix(start - u * radius, start + axis + u * radius, along) + side * position.x * radius * 1.05 + front * radius;
    vStart = start;
    vAxis = u;
    vLength = len;
    vRadius = radius;
    vPoint = point;
    #ifdef USE_INSTANCING_COLOR
      vColor = instanceColor;
    #else
      vColor = vec3(1.0);
    #endif
    vColorB = instanceColorB;
    vSplit = instanceSplit;
    gl_Position = projectionMatrix * vec4(point, 1.0);
  }
`;

const CYLINDER_IMPOSTOR_FRAGMENT = /* glsl */ `
  uniform mat4 projectionMatrix;
  varying vec3 vStart;
  varying vec3 vAxis;
  varying float vLength;
  varying float vRadius;
  varying vec3 vPoint;
  varying vec3 vColor;
  varying vec3 vColorB;
  varying float vSplit;
  ${LIGHTING}
  void main() {
    vec3 ray = normalize(vPoint);
    vec3 oc = -vStart;
    vec3 dPerp = ray - dot(ray, vAxis) * vAxis;
    vec3 oPerp = oc - dot(oc, vAxis) * vAxis;
    float a = dot(dPerp, dPerp);
    float b = dot(dPerp, oPerp);
    float c = dot(oPerp, oPerp) - vRadius * vRadius;
    float disc = b * b - a * c;
    if (disc < 0.0 || a < 1e-12) discard;
    float t = (-b - sqrt(disc)) / a;
    vec3 hit = ray * t;
    float s = dot(hit - vStart, vAxis);
    if (s < 0.0 || s > vLength) discard;
    vec3 normal = normalize(hit - vStart - s * vAxis);
    vec4 clip = projectionMatrix * vec4(hit, 1.0);
    gl_FragDepth = 0.5 * (clip.z / clip.w) + 0.5;
    // One instance is the whole bond: each atom's colour up to the split point.
    vec3 base = s < vSplit * vLength ? vColor : vColorB;
    gl_FragColor = vec4(shade(base, normal, -ray), 1.0);
    #include <colorspace_fragment>
  }
`;

export function createImpostorSphereMaterial(): ShaderMaterial {
  return new ShaderMaterial({ vertexShader: SPHERE_VERTEX, fragmentShader: SPHERE_FRAGMENT, side: DoubleSide });
}

/** Bonds as impostors: a PlaneGeometry(2, 2) quad per bond, with instanceColorB and instanceSplit attributes. */
export function createImpostorCylinderMaterial(): ShaderMaterial {
  return new ShaderMaterial({ vertexShader: CYLINDER_IMPOSTOR_VERTEX, fragmentShader: CYLINDER_IMPOSTOR_FRAGMENT, side: DoubleSide });
}
