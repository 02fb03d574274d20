// Lint with import-layer rules (VS Code style): core is pure, renderer never touches tfjs or Node.
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['fs', 'fs/promises', 'path', 'child_process', 'worker_threads', 'os', 'zlib', 'net', 'http', 'https'];
const nodeBuiltinPatterns = ['node:*', ...nodeBuiltins];

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
      'no-restricted-imports': ['error', {
        paths: [
          { name: 'electron', message: 'core/ is pure TypeScript: no electron.' },
          { name: 'react', message: 'core/ has no UI.' },
          { name: 'react-dom', message: 'core/ has no UI.' },
          { name: 'three', message: 'core/ has no 3D view.' },
        ],
        patterns: [
          { group: nodeBuiltinPatterns, message: 'core/ reads no files and uses no Node built-ins: I/O adapters pass it text or bytes.' },
          { group: ['**/main/**', '**/renderer/**', 'react-dom/*', 'three/*'], message: 'core/ imports nothing from main/ or renderer/.' },
        ],
      }],
      'no-restricted-globals': ['error', 'document', 'window', 'localStorage', 'navigator', 'require', 'process', '__dirname'],
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
