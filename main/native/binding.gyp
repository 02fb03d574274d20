# Equimol native addons (Node-API), built by `npm run build:native` (scripts/build-native.mjs), which probes for each
# addon's library and sets with_openblas / with_xtb so that one addon builds even where the other's library is missing.
#   equimol_native  matMul kernels over OpenBLAS (src/matmul.cc) and the fused channelwise CG message + scatter
#                   kernels of MACE/NequIP interactions (src/cg-scatter.cc, plain C++ on std::threads) and
#                   the fused channelwise product of MACE's product basis (src/channel-product.cc) and the fused
#                   equivariant linear maps (src/linear-maps.cc) and the forward pass of EDM's EGNN denoiser
#                   (src/egnn-denoiser.cc)
#   equimol_xtb     GFN2-/GFN1-xTB single points over libxtb 6.5 (src/xtb.cc; Debian libxtb-dev)
{
  "variables": {
    "with_openblas%": "true",
    "with_xtb%": "true"
  },
  "conditions": [
    ["with_openblas=='true'", {
      "targets": [
        {
          "target_name": "equimol_native",
          "sources": ["src/matmul.cc", "src/cg-scatter.cc", "src/channel-product.cc", "src/linear-maps.cc", "src/egnn-denoiser.cc", "src/egnn-denoiser-backward.cc"],
          "defines": ["NAPI_VERSION=8"],
          "cflags_cc": ["-O3", "-std=c++17", "-pthread"],
          "ldflags": ["-pthread"],
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
    }],
    ["with_xtb=='true'", {
      "targets": [
        {
          "target_name": "equimol_xtb",
          "sources": ["src/xtb.cc"],
          "defines": ["NAPI_VERSION=8"],
          "cflags_cc": ["-O2", "-std=c++17"],
          "conditions": [
            ["OS=='linux'", {
              "libraries": ["-lxtb", "-lgomp"]
            }],
            ["OS=='mac'", {
              "include_dirs": ["/opt/homebrew/include", "/usr/local/include"],
              "libraries": ["-L/opt/homebrew/lib", "-L/usr/local/lib", "-lxtb"]
            }]
          ]
        }
      ]
    }]
  ]
}
