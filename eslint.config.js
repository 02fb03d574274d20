// Lint with import-layer rules (VS Code style): core is pure, renderer never touches tfjs or Node.
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['fs', 'fs/promises', 'path', 'child_process', 'worker_threads', 'os', 'zlib', 'net', 'http', 'https'];
const nodeBuiltinPatterns = ['node:*', ...nodeBuiltins];

/** core/'s import restrictions, plus `extra` patterns for a layer inside core/. */
function coreImports(...extra) {
  return ['error', {
    paths: [
      { name: 'electron', message: 'core/ is pure TypeScript: no electron.' },
      { name: 'react', message: 'core/ has no UI.' },
      { name: 'react-dom', message: 'core/ has no UI.' },
      { name: 'three', message: 'core/ has no 3D view.' },
    ],
    patterns: [
      { group: nodeBuiltinPatterns, message: 'core/ reads no files and uses no Node built-ins: I/O adapters pass it text or bytes.' },
      { group: ['**/main/**', '**/renderer/**', 'react-dom/*', 'three/*'], message: 'core/ imports nothing from main/ or renderer/.' },
      ...extra,
    ],
  }];
}

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'out/**', 'release/**', '**/*.generated-data.ts', 'renderer/web/dist/**', 'tmp/**', 'bench/results/**', 'main/native/build/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    ignores: ['**/*.config.ts'],
    rules: {
      'no-restricted-exports': ['error', { restrictDefaultExports: { direct: true, named: true, defaultFrom: true, namedFrom: true, namespaceFrom: true } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['core/**/*.ts'],
    rules: {
      'no-restricted-imports': coreImports(),
      'no-restricted-globals': ['error', 'document', 'window', 'localStorage', 'navigator', 'require', 'process', '__dirname'],
    },
  },
  // Layers inside core/ (a later block's no-restricted-imports replaces the one above, so each repeats coreImports).
  // structure <- perception, toolkits <- formats <- chem: formats read text (and load the RDKit/openchemlib
  // toolkits in prepare() for SMILES); chem (descriptors, depiction, bond orders) writes molfiles with formats.
  {
    files: ['core/formats/**/*.ts'],
    rules: {
      'no-restricted-imports': coreImports({ group: ['**/chem/**', '**/chem'], message: 'core/formats sits below core/chem: bond perception is in core/perception, the RDKit/openchemlib loader and SMILES embedding in core/toolkits.' }),
    },
  },
  {
    files: ['core/perception/**/*.ts', 'core/toolkits/**/*.ts'],
    rules: {
      'no-restricted-imports': coreImports({ group: ['**/chem/**', '**/chem', '**/formats/**'], message: 'core/perception and core/toolkits sit below core/formats and core/chem.' }),
    },
  },
  // io <- pipeline (ResultRow, RowSink) <- export: the CSV codec both use is core/io/csv-codec.ts.
  {
    files: ['core/pipeline/**/*.ts'],
    rules: {
      'no-restricted-imports': coreImports({ group: ['**/export/**'], message: 'core/pipeline sits below core/export: export implements RowSink; shared CSV quoting is in core/io/csv-codec.ts.' }),
    },
  },
  {
    files: ['core/io/**/*.ts'],
    rules: {
      'no-restricted-imports': coreImports({ group: ['**/pipeline/**', '**/export/**', '**/formats/**'], message: 'core/io is the bottom I/O layer: it imports no pipeline, export or formats.' }),
    },
  },
  // layers <- models/message-passing <- each model family: families share the pipeline, not each other's folders.
  {
    files: ['core/engine/models/**/*.ts'],
    ignores: ['core/engine/models/mace/**'],
    rules: {
      'no-restricted-imports': coreImports({ group: ['../mace/*', '**/models/mace/**'], message: 'only MACE lives in models/mace: the shared pipeline and message-block interface are in models/message-passing, the product basis in layers/.' }),
    },
  },
  {
    files: ['core/engine/models/message-passing/**/*.ts'],
    rules: {
      'no-restricted-imports': coreImports({ group: ['../mace/*', '../tdn/*', '../escn/*', '../egnn/*', '../faenet/*', '**/models/*/**', '!**/models/message-passing/**'], message: 'the shared message-passing pipeline imports no model family.' }),
    },
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    ignores: ['renderer/web/worker/**'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'electron', message: 'the renderer reaches the main side only through the IPC contract (window.equimol).' }],
        patterns: [
          { group: ['@tensorflow/*'], message: 'the renderer never imports tfjs: compute runs in the compute host.' },
          { group: nodeBuiltinPatterns, message: 'the renderer is sandboxed: no Node built-ins.' },
          { group: ['**/main/**'], message: 'the renderer reaches the main side only through core/contract (window.equimol).' },
        ],
      }],
    },
  },
  {
    files: ['main/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [
          { name: 'react', message: 'main/ has no React.' },
          { name: 'three', message: 'main/ has no 3D view.' },
        ],
        patterns: [{ group: ['**/renderer/**'], message: 'main/ imports nothing from renderer/.' }],
      }],
    },
  },
);
