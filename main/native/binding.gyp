# Equimol native kernels (N-API over OpenBLAS). Built by `npm run build:native` (scripts/build-native.mjs).
{
  "targets": [
    {
      "target_name": "equimol_native",
      "sources": ["src/matmul.cc"],
      "defines": ["NAPI_VERSION=8"],
      "cflags_cc": ["-O3", "-std=c++17"],
      "conditions": [
        ["OS=='linux'", {
          "include_dirs": ["/usr/include/openblas"],
          "libraries": ["-lopenblas"]
        }],
        ["OS=='mac'", {
          "include_dirs": ["/opt/homebrew/opt/openblas/include", "/usr/local/opt/openblas/include"],
          "libraries": ["-L/opt/homebrew/opt/openblas/lib", "-L/usr/local/opt/openblas/lib", "-lopenblas"]
        }]
      ]
    }
  ]
}
