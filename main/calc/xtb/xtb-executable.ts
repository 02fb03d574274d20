/**
 * The xtb executable (xtb 6.5, Grimme group; https://xtb-docs.readthedocs.io) as a calculator backend: one single
 * point per run in a fresh temporary folder (xtb writes xtbrestart, charges, wbo, gfnff_topo ... into its working
 * directory and rereads some of them), nothing on our stdout/stderr, the folder removed afterwards.
 *
 *   xtb coord --gfn 2 | --gfn 1 | --gfnff  --chrg C --uhf U --acc A --iterations N --etemp T --grad [--json]
 *
 * The geometry goes in as a Turbomole `coord` file in bohr (17 significant digits), so the executable and the
 * addon see the same numbers. Read back: `gradient` (Turbomole $grad: the energy, Eh, and dE/dr, Eh/bohr),
 * `charges` (e; GFN-FF: `gfnff_charges`), and for GFN1/GFN2 `xtbout.json` (dipole e·bohr, orbital energies in eV converted back with xtb's
 * own factor 27.21138505 eV/Eh, occupations). Molecules only (see xtb-calculator.ts on periodic cells).
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { symbolOf } from '../../../core/structure/elements';
import type { XtbInput, XtbRawResult } from './load-xtb-addon';

/** xtb's Hartree→eV factor for its printed eV values (src/mctc/convert.f90, autoev = 27.21138505). */
export const XTB_PRINTED_EV_PER_HARTREE = 27.21138505;

/** The xtb executable: EQUIMOL_XTB_EXECUTABLE, else `xtb` on PATH; undefined when there is none. */
export function findXtbExecutable(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = env.EQUIMOL_XTB_EXECUTABLE ? [env.EQUIMOL_XTB_EXECUTABLE] : (env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, process.platform === 'win32' ? 'xtb.exe' : 'xtb'));
  return candidates.find((path) => {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** A Turbomole coord file (bohr) for the molecule. */
export function turbomoleCoord(input: XtbInput): string {
  const lines = ['$coord'];
  for (let i = 0; i < input.numbers.length; i++) {
    const xyz = [0, 1, 2].map((k) => input.positions[3 * i + k]!.toPrecision(17));
    lines.push(`  ${xyz.join('  ')}  ${symbolOf(input.numbers[i]!).toLowerCase()}`);
  }
  lines.push('$end', '');
  return lines.join('\n');
}

function methodArgs(method: XtbInput['method']): string[] {
  if (method === 'gfnff') return ['--gfnff'];
  return ['--gfn', method === 'gfn1' ? '1' : '2'];
}

function parseFortranNumber(text: string): number {
  return Number(text.replace(/[dD]/, 'E'));
}

/** Energy (Eh) and gradient (Eh/bohr) from a Turbomole `gradient` file of n atoms (the last cycle). */
export function parseTurbomoleGradient(text: string, n: number): { energy: number; gradient: Float64Array } {
  const lines = text.split('\n');
  const cycleIndex = lines.map((l, i) => (/cycle\s*=/.test(l) ? i : -1)).filter((i) => i >= 0).pop();
  if (cycleIndex === undefined) throw new Error('xtb wrote no gradient (no "cycle =" line in the gradient file)');
  const energyMatch = /energy\s*=\s*(\S+)/.exec(lines[cycleIndex]!);
  if (!energyMatch) throw new Error('xtb gradient file: no energy on the cycle line');
  const energy = parseFortranNumber(energyMatch[1]!);
  const gradient = new Float64Array(3 * n);
  for (let i = 0; i < n; i++) {
    const fields = (lines[cycleIndex + 1 + n + i] ?? '').trim().split(/\s+/);
    if (fields.length < 3) throw new Error(`xtb gradient file: no gradient line for atom ${i + 1}`);
    for (let k = 0; k < 3; k++) gradient[3 * i + k] = parseFortranNumber(fields[k]!);
  }
  return { energy, gradient };
}

/** xtb's own error lines ('-1- scf: Self consistent charge iterator did not converge'), or the output's tail. */
function xtbErrorMessage(output: string, code: number | null, signal: NodeJS.Signals | null): string {
  const stack = output.split('\n').filter((l) => /^-\d+- /.test(l.trim())).map((l) => l.trim());
  const how = signal ? `was killed (${signal})` : `exited with code ${code}`;
  if (stack.length > 0) return `xtb ${how}: ${stack.join('; ')}`;
  const tail = output.split('\n').filter((l) => l.trim() && !/^#\d|^\s+at |Backtrace|floating-point exceptions/.test(l)).slice(-3).join('; ');
  return `xtb ${how}${tail ? `: ${tail}` : ''}`;
}

interface XtbJson {
  readonly dipole?: number[];
  readonly 'orbital energies/eV'?: number[];
  readonly 'fractional occupation'?: number[];
}

/** One single point with the executable; rejects with xtb's message when it fails. */
export async function runXtbExecutable(executable: string, input: XtbInput, options: { threads?: number; signal?: AbortSignal } = {}): Promise<XtbRawResult> {
  if (input.lattice && input.periodic?.some((p) => p)) throw new Error('the xtb executable backend takes molecules only');
  const n = input.numbers.length;
  const dir = mkdtempSync(join(tmpdir(), 'equimol-xtb-'));
  try {
    writeFileSync(join(dir, 'coord'), turbomoleCoord(input));
    const args = ['coord', ...methodArgs(input.method), '--chrg', String(input.charge), '--uhf', String(input.uhf), '--acc', String(input.accuracy), '--iterations', String(input.maxIterations), '--etemp', String(input.electronicTemperature), '--grad'];
    if (input.method !== 'gfnff') args.push('--json');
    const threads = String(options.threads ?? 1);
    const output = await new Promise<string>((resolve, reject) => {
      const child = spawn(executable, args, {
        cwd: dir,
        env: { ...process.env, OMP_NUM_THREADS: threads, OPENBLAS_NUM_THREADS: threads, MKL_NUM_THREADS: threads },
        stdio: ['ignore', 'pipe', 'pipe'],
        ...(options.signal ? { signal: options.signal } : {}),
      });
      const chunks: Buffer[] = [];
      child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
      child.on('error', reject);
      child.on('close', (code, signal) => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (code === 0) resolve(text);
        else reject(new Error(xtbErrorMessage(text, code, signal)));
      });
    });
    if (/abnormal termination/.test(output)) throw new Error(xtbErrorMessage(output, 0, null));
    const { energy, gradient } = parseTurbomoleGradient(readFileSync(join(dir, 'gradient'), 'utf8'), n);
    // GFN-FF writes its EEQ charges to gfnff_charges, GFN1/GFN2 their Mulliken charges to charges.
    const charges = Float64Array.from(readFileSync(join(dir, input.method === 'gfnff' ? 'gfnff_charges' : 'charges'), 'utf8').trim().split(/\s+/).map(parseFortranNumber));
    if (charges.length !== n) throw new Error(`xtb wrote ${charges.length} charges for ${n} atoms`);
    if (input.method === 'gfnff') return { energy, gradient, charges, orbitalEnergies: new Float64Array(0), occupations: new Float64Array(0) };
    const json = JSON.parse(readFileSync(join(dir, 'xtbout.json'), 'utf8')) as XtbJson;
    return {
      energy,
      gradient,
      charges,
      ...(json.dipole ? { dipole: Float64Array.from(json.dipole) } : {}),
      orbitalEnergies: Float64Array.from(json['orbital energies/eV'] ?? [], (e) => e / XTB_PRINTED_EV_PER_HARTREE),
      occupations: Float64Array.from(json['fractional occupation'] ?? []),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
